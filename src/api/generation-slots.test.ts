import { describe, expect, it } from 'vitest';
import { CancelledError, EngineUnavailableError, OverloadedError } from '../errors.ts';
import { GenerationSlots } from './generation-slots.ts';

describe('GenerationSlots', () => {
  it('runs up to maxConcurrent, queues up to maxQueued in order, and refuses beyond with a retry hint', async () => {
    const slots = new GenerationSlots({ maxConcurrent: 1, maxQueued: 1, queueTimeoutMs: 60_000 });
    const releaseFirst = await slots.acquire();
    const second = slots.acquire();
    expect(slots.queued).toBe(1);
    const refused = await slots.acquire().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    releaseFirst();
    releaseFirst();
    const releaseSecond = await second;
    expect(slots.active).toBe(1);
    releaseSecond();
    expect(slots.active).toBe(0);
  });

  it('fails a queued request with EngineUnavailableError after the queue timeout', async () => {
    const slots = new GenerationSlots({ maxConcurrent: 1, maxQueued: 4, queueTimeoutMs: 20 });
    const release = await slots.acquire();
    const error = await slots.acquire().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect(slots.queued).toBe(0);
    release();
  });

  it('removes a queued request whose client aborts, so it never gets a slot', async () => {
    const slots = new GenerationSlots({ maxConcurrent: 1, maxQueued: 4, queueTimeoutMs: 60_000 });
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    release();
    expect(slots.active).toBe(0);
  });
});
