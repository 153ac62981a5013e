/**
 * Turns generated token ids into text deltas. Llama's byte-fallback tokens can split one UTF-8
 * character over several tokens; while the decoded text ends in U+FFFD (an incomplete
 * character) nothing is emitted. Stop strings are cut off, and text that could be the start of a
 * stop string is held back until it is clear it is not.
 */
export class TextStream {
  readonly #decode: (ids: readonly number[]) => string;
  readonly #stop: readonly string[];
  #text = '';
  #emitted = 0;
  #stopped = false;

  constructor(decode: (ids: readonly number[]) => string, stop: readonly string[] = []) {
    this.#decode = decode;
    this.#stop = stop.filter((entry) => entry.length > 0);
  }

  /** True once a stop string appeared. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The final text so far (without any stop string). */
  get text(): string {
    return this.#text;
  }

  /** Updates with all generated ids; returns the new text that may be shown now ('' if none). */
  update(generated: readonly number[]): string {
    if (this.#stopped) return '';
    let text = this.#decode(generated);
    let holdFrom = text.length;
    for (const stop of this.#stop) {
      const found = text.indexOf(stop);
      if (found !== -1) {
        text = text.slice(0, found);
        this.#stopped = true;
        holdFrom = text.length;
      }
    }
    if (!this.#stopped) {
      if (text.endsWith('\uFFFD')) holdFrom = text.length - 1;
      for (const stop of this.#stop) {
        for (let length = Math.min(stop.length - 1, text.length); length > 0; length--) {
          if (text.endsWith(stop.slice(0, length))) {
            holdFrom = Math.min(holdFrom, text.length - length);
            break;
          }
        }
      }
    }
    this.#text = text;
    return this.#take(holdFrom);
  }

  /** Everything not yet emitted, at the end of generation. */
  flush(): string {
    return this.#take(this.#text.length);
  }

  #take(end: number): string {
    if (end <= this.#emitted) return '';
    const delta = this.#text.slice(this.#emitted, end);
    this.#emitted = end;
    return delta;
  }
}
