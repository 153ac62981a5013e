/**
 * Percentile bootstrap confidence intervals for rates computed over per-case results. Seeded, so
 * the same results always give the same intervals (reports stay comparable and tests stay exact).
 */

/** Mulberry32: a small, fast, seeded 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export type ConfidenceInterval = { low: number; high: number };

export type BootstrapOptions = {
  /** Resamples drawn (default 1000). */
  resamples?: number;
  /** Seed of the generator (default 1). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
};

/**
 * For each statistic, resamples the items with replacement, recomputes the statistic and returns
 * the central `level` interval of the recomputed values. A statistic that is null on the full data
 * gets null; resamples where it is undefined (empty denominator) are skipped.
 */
export function bootstrapIntervals<Item, Name extends string>(
  items: readonly Item[],
  statistics: Record<Name, (sample: readonly Item[]) => number | null>,
  options: BootstrapOptions = {},
): Record<Name, ConfidenceInterval | null> {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const names = Object.keys(statistics) as Name[];
  const drawn = new Map<Name, number[]>(names.map((name) => [name, []]));
  const sample: Item[] = new Array(items.length);
  if (items.length > 0) {
    for (let round = 0; round < resamples; round++) {
      for (let index = 0; index < items.length; index++) sample[index] = items[Math.floor(random() * items.length)]!;
      for (const name of names) {
        const value = statistics[name](sample);
        if (value !== null && Number.isFinite(value)) drawn.get(name)!.push(value);
      }
    }
  }
  const result = {} as Record<Name, ConfidenceInterval | null>;
  for (const name of names) {
    const values = drawn.get(name)!.sort((a, b) => a - b);
    if (statistics[name](items) === null || values.length === 0) {
      result[name] = null;
      continue;
    }
    const tail = (1 - level) / 2;
    const at = (quantile: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(quantile * values.length)))]!;
    result[name] = { low: at(tail), high: at(1 - tail) };
  }
  return result;
}
