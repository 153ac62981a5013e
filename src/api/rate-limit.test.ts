import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../errors.ts';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst of perMinute requests, then refuses with the seconds until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    limiter.take('a');
    limiter.take('a');
    limiter.take('a');
    let refused: unknown;
    try {
      limiter.take('a');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).retryAfterSeconds).toBe(20);
    now = 20_000;
    expect(() => limiter.take('a')).not.toThrow();
    expect(() => limiter.take('a')).toThrow(OverloadedError);
  });

  it('keeps a bucket per caller and does nothing when the limit is 0', () => {
    const limiter = new RateLimiter(1, () => 0);
    limiter.take('a');
    expect(() => limiter.take('b')).not.toThrow();
    expect(() => limiter.take('a')).toThrow(OverloadedError);
    const unlimited = new RateLimiter(0, () => 0);
    for (let index = 0; index < 1000; index += 1) unlimited.take('a');
  });
});
