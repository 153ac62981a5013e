/**
 * Per-caller rate limit as token buckets: each caller may send `perMinute` requests in a burst and
 * then one every `60 / perMinute` seconds. Beyond that the request fails with 429 and a
 * `Retry-After` saying when the next token is due. `perMinute = 0` turns the limit off.
 */
import type { MiddlewareHandler } from 'hono';
import { OverloadedError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';
import type { AuthVariables } from './authenticate.ts';

type Bucket = { tokens: number; updatedAt: number };

/** Token buckets keyed by caller id. Callers are configured keys, so the map stays small. */
export class RateLimiter {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /** `now` returns milliseconds; injectable for tests. */
  constructor(perMinute: number, now: () => number = () => performance.now()) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Takes one token for `callerId`, or throws OverloadedError with the seconds until one is due. */
  take(callerId: string): void {
    if (this.#perMinute <= 0) return;
    const now = this.#now();
    const perMillisecond = this.#perMinute / 60_000;
    const bucket = this.#buckets.get(callerId) ?? { tokens: this.#perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + (now - bucket.updatedAt) * perMillisecond);
    bucket.updatedAt = now;
    this.#buckets.set(callerId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMillisecond / 1000));
    throw new OverloadedError(userMessage('overloaded.rate_limit', { perMinute: this.#perMinute, retryAfter: waitSeconds }), waitSeconds);
  }
}

/** Middleware charging each request to the authenticated caller's bucket. */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    limiter.take(context.get('caller').id);
    return next();
  };
}
