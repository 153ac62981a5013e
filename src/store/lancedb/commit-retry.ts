/**
 * Retries a LanceDB write that lost a commit race to another process sharing the table.
 *
 * LanceDB commits optimistically: a writer prepares its new files, then commits a new table version
 * naming the version it started from. When another process committed meanwhile, Lance rebases
 * compatible operations itself (two appends, an append and a delete of other rows) and retries
 * the commit a few times; only operations it cannot rebase, or a race it lost too often, reach the
 * caller as an error saying "conflict" or "retry". Such a write changed nothing, so running it
 * again is safe: every beleg write is whole (one document's chunks in one `add`, one `delete` per
 * batch of documents, one `optimize`). After `attempts` tries the error says the store is too busy.
 */
import { BelegError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/** Writes to the chunk store kept losing commit races against other processes. */
export class ChunkStoreBusyError extends BelegError {
  constructor(attempts: number, cause: unknown) {
    super(userMessage('chunk_store_busy', { attempts }), { cause, details: { attempts } });
  }
}

/** Whether LanceDB says the commit lost against a concurrent one (nothing was written). */
export function isCommitConflict(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /commit conflict|conflicting|retryable|concurrent (?:write|commit|modification)|too many concurrent writers/i.test(message);
}

/** Options of {@link withCommitRetry}. */
export type CommitRetryOptions = {
  /** Tries in all (default 8). */
  attempts?: number;
  /** Wait before the second try, doubled for each further one, with jitter (default 25 ms). */
  firstDelayMs?: number;
};

/** Runs `write`, again after a commit conflict, at most `attempts` times; see the file comment. */
export async function withCommitRetry<T>(write: () => Promise<T>, options: CommitRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const firstDelayMs = options.firstDelayMs ?? 25;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isCommitConflict(error)) throw error;
      if (attempt >= attempts) throw new ChunkStoreBusyError(attempts, error);
      // Jitter keeps two losers from colliding again on the same schedule.
      const delay = firstDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
