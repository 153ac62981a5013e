import { describe, expect, it } from 'vitest';
import { ChunkStoreBusyError, isCommitConflict, withCommitRetry } from './commit-retry.ts';

const conflict = () => new Error('lance error: Retryable commit conflict for version 12: This Delete transaction was preempted by concurrent transaction Rewrite at version 12. Please retry.');

describe('withCommitRetry', () => {
  it('runs a write again after it lost a commit race, and returns its result', async () => {
    let tries = 0;
    const result = await withCommitRetry(
      async () => {
        tries += 1;
        if (tries < 3) throw conflict();
        return 'written';
      },
      { firstDelayMs: 1 },
    );
    expect(result).toBe('written');
    expect(tries).toBe(3);
  });

  it('gives up after the bounded number of tries with an error that says why and what to do', async () => {
    let tries = 0;
    const attempt = withCommitRetry(
      async () => {
        tries += 1;
        throw conflict();
      },
      { attempts: 4, firstDelayMs: 1 },
    );
    await expect(attempt).rejects.toBeInstanceOf(ChunkStoreBusyError);
    await expect(attempt).rejects.toMatchObject({ code: 'chunk_store_busy', details: { attempts: 4 } });
    expect(tries).toBe(4);
    const error = await attempt.catch((caught: ChunkStoreBusyError) => caught);
    expect(error.messageIn('de')).toMatch(/4-mal gescheitert/);
  });

  it('passes any other failure through at once', async () => {
    let tries = 0;
    const attempt = withCommitRetry(async () => {
      tries += 1;
      throw new Error('No space left on device');
    });
    await expect(attempt).rejects.toThrow('No space left on device');
    expect(tries).toBe(1);
    expect(isCommitConflict(new Error('Commit conflict for version 3'))).toBe(true);
    expect(isCommitConflict(new Error('Table chunks was not found'))).toBe(false);
  });
});
