import { describe, expect, it } from 'vitest';
import { applyMask, applyRepetitionPenalty, argmax, TokenSampler } from './sample-token.ts';

const sampling = (overrides: Partial<{ temperature: number; topP: number; topK: number; repetitionPenalty: number; seed: number }> = {}) => ({
  kind: 'sample' as const,
  temperature: 1,
  topP: 1,
  topK: 0,
  repetitionPenalty: 1,
  seed: 7,
  ...overrides,
});

describe('sampling', () => {
  it('greedy picks the largest logit, the lowest id on ties', () => {
    expect(argmax(Float32Array.from([0.1, 3, 3, -1]))).toBe(1);
    expect(new TokenSampler({ kind: 'greedy' }).sample(Float32Array.from([0, 1, 5, 2]), [])).toBe(2);
  });

  it('applies the repetition penalty like Hugging Face (divide positive, multiply negative)', () => {
    const logits = Float32Array.from([2, -2, 1]);
    applyRepetitionPenalty(logits, [0, 1, 1], 2);
    expect(Array.from(logits)).toEqual([1, -4, 1]);
  });

  it('masks every token outside the allowed set', () => {
    const logits = Float32Array.from([5, 1, 2, 3]);
    applyMask(logits, Int32Array.from([1, 3]));
    expect(Array.from(logits)).toEqual([Number.NEGATIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, 3]);
    expect(new TokenSampler(sampling()).sample(logits, [])).not.toBe(0);
  });

  it('draws with the softmax probabilities, reproducibly from the seed', () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    const sampler = new TokenSampler(sampling());
    const counts = [0, 0, 0];
    const draws = 6000;
    const sequence: number[] = [];
    for (let draw = 0; draw < draws; draw++) sequence.push(sampler.sample(Float32Array.from(logits), []));
    for (const token of sequence) counts[token]++;
    expect(counts[0] / draws).toBeCloseTo(0.5, 1);
    expect(counts[1] / draws).toBeCloseTo(0.3, 1);
    expect(counts[2] / draws).toBeCloseTo(0.2, 1);
    const again = new TokenSampler(sampling());
    expect(sequence.slice(0, 50).map(() => again.sample(Float32Array.from(logits), []))).toEqual(sequence.slice(0, 50));
  });

  it('top-k 1, tiny top-p and low temperature all reduce to the most likely token', () => {
    const logits = Float32Array.from([1, 4, 3.9, 0]);
    for (const options of [sampling({ topK: 1 }), sampling({ topP: 0.01 }), sampling({ temperature: 0.001 })]) {
      const sampler = new TokenSampler(options);
      for (let draw = 0; draw < 20; draw++) expect(sampler.sample(Float32Array.from(logits), [])).toBe(1);
    }
  });
});
