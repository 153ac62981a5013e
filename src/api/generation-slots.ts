/**
 * Bounds concurrent generations. Up to `maxConcurrent` run at once; up to `maxQueued` more wait
 * in FIFO order. A request beyond the queue fails at once with OverloadedError (429); a queued one
 * that waits longer than `queueTimeoutMs` fails with EngineUnavailableError (503); one whose client
 * goes away leaves the queue with CancelledError. Both carry a retry hint from recent durations.
 */
import { CancelledError, EngineUnavailableError, OverloadedError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

/** Gives the slot back; calling it more than once is harmless. */
export type ReleaseSlot = () => void;

type Waiter = { grant: (release: ReleaseSlot) => void; fail: (error: Error) => void };

export type GenerationSlotsOptions = { maxConcurrent: number; maxQueued: number; queueTimeoutMs: number };

export class GenerationSlots {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #queueTimeoutMs: number;
  readonly #queue: Waiter[] = [];
  #active = 0;
  /** Exponential moving average of how long a slot is held, in milliseconds. */
  #averageHoldMs = 1000;

  constructor(options: GenerationSlotsOptions) {
    this.#maxConcurrent = Math.max(1, options.maxConcurrent);
    this.#maxQueued = Math.max(0, options.maxQueued);
    this.#queueTimeoutMs = Math.max(1, options.queueTimeoutMs);
  }

  /** Generations running now. */
  get active(): number {
    return this.#active;
  }

  /** Generations waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Seconds until a slot is likely free for a newcomer, at least 1. */
  retryAfterSeconds(): number {
    const ahead = this.#queue.length + 1;
    return Math.max(1, Math.ceil((this.#averageHoldMs * ahead) / this.#maxConcurrent / 1000));
  }

  /** Waits for a slot. Resolves to its release function; rejects as described above. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(new CancelledError(userMessage('cancelled.client_gone')));
    if (this.#active < this.#maxConcurrent) return Promise.resolve(this.#grant());
    if (this.#queue.length >= this.#maxQueued) {
      const retryAfter = this.retryAfterSeconds();
      return Promise.reject(
        new OverloadedError(userMessage('overloaded', { slots: this.#maxConcurrent, waiting: this.#queue.length, retryAfter }), retryAfter),
      );
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const leave = (error: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(error);
      };
      const waiter: Waiter = {
        grant: (release) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: leave,
      };
      const onAbort = () => leave(new CancelledError(userMessage('cancelled.client_gone_queued')));
      const timer = setTimeout(() => {
        const retryAfter = this.retryAfterSeconds();
        leave(
          new EngineUnavailableError(userMessage('engine_unavailable.queue_timeout', { waitedMs: this.#queueTimeoutMs, retryAfter }), {
            details: { retryAfterSeconds: retryAfter },
          }),
        );
      }, this.#queueTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #grant(): ReleaseSlot {
    this.#active += 1;
    const startedAt = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#averageHoldMs = 0.8 * this.#averageHoldMs + 0.2 * (performance.now() - startedAt);
      this.#active -= 1;
      const next = this.#queue.shift();
      if (next) next.grant(this.#grant());
    };
  }
}
