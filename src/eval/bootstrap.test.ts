import { describe, expect, it } from 'vitest';
import { bootstrapIntervals, seededRandom } from './bootstrap.ts';

const rate = (sample: readonly number[]) => (sample.length === 0 ? null : sample.reduce((sum, value) => sum + value, 0) / sample.length);

describe('bootstrapIntervals', () => {
  it('is reproducible for a seed; different seeds draw differently', () => {
    const items = Array.from({ length: 50 }, (_, index) => (index % 3 === 0 ? 1 : 0));
    const first = bootstrapIntervals(items, { rate }, { seed: 7, resamples: 200 });
    expect(bootstrapIntervals(items, { rate }, { seed: 7, resamples: 200 })).toEqual(first);
    const draws = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draws(1)).toEqual(draws(1));
    expect(draws(1)).not.toEqual(draws(2));
    expect(draws(1).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('brackets the observed rate and narrows with more cases', () => {
    const small = Array.from({ length: 20 }, (_, index) => (index < 14 ? 1 : 0));
    const large = Array.from({ length: 400 }, (_, index) => (index < 280 ? 1 : 0));
    const smallInterval = bootstrapIntervals(small, { rate }).rate!;
    const largeInterval = bootstrapIntervals(large, { rate }).rate!;
    for (const interval of [smallInterval, largeInterval]) {
      expect(interval.low).toBeLessThan(0.7);
      expect(interval.high).toBeGreaterThan(0.7);
    }
    expect(largeInterval.high - largeInterval.low).toBeLessThan((smallInterval.high - smallInterval.low) / 2);
  });

  it('gives a zero-width interval for a perfect rate and null for an unmeasurable one', () => {
    const perfect = bootstrapIntervals([1, 1, 1, 1], { rate, never: () => null });
    expect(perfect.rate).toEqual({ low: 1, high: 1 });
    expect(perfect.never).toBeNull();
  });
});
