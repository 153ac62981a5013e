/**
 * Choosing the next token from logits: greedy or seeded sampling with Hugging Face's order of
 * processors (repetition penalty → temperature → top-k → top-p), plus the token-mask hook.
 */
import type { SamplingOptions } from '../language-model.ts';
import { SeededRandom } from './random.ts';

/** Sets every logit not in `allowed` to -Infinity, in place. */
export function applyMask(logits: Float32Array, allowed: Int32Array): void {
  const kept = new Float32Array(allowed.length);
  for (let index = 0; index < allowed.length; index++) kept[index] = logits[allowed[index]];
  logits.fill(Number.NEGATIVE_INFINITY);
  for (let index = 0; index < allowed.length; index++) logits[allowed[index]] = kept[index];
}

/**
 * Hugging Face's repetition penalty, in place: each token already in the sequence (prompt and
 * generated) has its logit divided by `penalty` if positive, multiplied if negative.
 */
export function applyRepetitionPenalty(logits: Float32Array, previous: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const token of new Set(previous)) {
    const value = logits[token];
    logits[token] = value < 0 ? value * penalty : value / penalty;
  }
}

/** Index of the largest logit (ties: lowest id). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index++) if (logits[index] > logits[best]) best = index;
  return best;
}

/** A token sampler holding its random state, so a seed reproduces a whole generation. */
export class TokenSampler {
  readonly options: SamplingOptions;
  readonly #random: SeededRandom | undefined;

  constructor(options: SamplingOptions) {
    this.options = options;
    this.#random = options.kind === 'sample' ? new SeededRandom(options.seed) : undefined;
  }

  /** Picks the next token; `logits` may be modified. `previous` is the sequence so far. */
  sample(logits: Float32Array, previous: readonly number[]): number {
    const options = this.options;
    if (options.kind === 'greedy') return argmax(logits);
    applyRepetitionPenalty(logits, previous, options.repetitionPenalty);
    if (options.temperature <= 0) return argmax(logits);

    // Candidates sorted by logit, cut to top-k.
    let candidates = Array.from({ length: logits.length }, (_, index) => index).filter((index) => logits[index] > Number.NEGATIVE_INFINITY);
    if (candidates.length === 0) return argmax(logits);
    candidates.sort((first, second) => logits[second] - logits[first] || first - second);
    if (options.topK > 0) candidates = candidates.slice(0, options.topK);

    const max = logits[candidates[0]] / options.temperature;
    const weights = candidates.map((index) => Math.exp(logits[index] / options.temperature - max));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    // Top-p: the smallest prefix whose probability reaches topP (at least one token).
    let kept = candidates.length;
    if (options.topP < 1) {
      let cumulative = 0;
      for (let index = 0; index < candidates.length; index++) {
        cumulative += weights[index] / total;
        if (cumulative >= options.topP) {
          kept = index + 1;
          break;
        }
      }
    }
    const keptTotal = weights.slice(0, kept).reduce((sum, weight) => sum + weight, 0);
    let draw = this.#random!.next() * keptTotal;
    for (let index = 0; index < kept; index++) {
      draw -= weights[index];
      if (draw < 0) return candidates[index];
    }
    return candidates[kept - 1];
  }
}
