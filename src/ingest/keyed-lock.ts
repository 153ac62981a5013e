/**
 * Runs tasks one at a time per key, in the order they asked. The ingestion service keeps its
 * check-then-write steps (is this content already stored? is this upload still needed?) atomic
 * with it now that every metadata query is awaited: with synchronous SQLite they could not
 * interleave, with awaited queries two submits of the same file could otherwise both find nothing
 * and both insert. In-process only; several processes on one PostgreSQL need the database's own
 * locks for the same guarantee.
 */
export class KeyedLock {
  /** The last task's completion per key; a key is forgotten when its last task ends. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task of `key` has finished (whether it succeeded or threw). */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous ? previous.then(() => done) : done;
    this.#tails.set(key, tail);
    if (previous) await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
