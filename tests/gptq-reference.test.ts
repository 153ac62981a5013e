/**
 * The proof: the GPTQ engine on a real AutoGPTQ checkpoint (tests/fixtures/gptq, see its README)
 * matches Hugging Face transformers' float32 reference outputs.
 *
 * Tolerances: reference.json rounds last_logits to 5 decimals (±5e-6) and transformers itself
 * differs from float64 by 2.4e-6, so a correct float32 engine lands near 1e-5; we allow 1e-4.
 * Argmaxes are compared wherever the reference's margin exceeds twice that tolerance (the random
 * model has near-ties down to 6.4e-4, which still count).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../src/engine/gptq/llama-session.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const LOGIT_TOLERANCE = 1e-4;

type ReferencePrompt = {
  name: string;
  input_ids: number[];
  argmax: number[];
  logsumexp: number[];
  argmax_margin: number[];
  last_logits: number[];
  greedy: { new_tokens: number[] };
};
const reference = JSON.parse(readFileSync(path.join(FIXTURE, 'reference.json'), 'utf8')) as { prompts: ReferencePrompt[] };

function argmax(values: Float32Array, start: number, length: number): number {
  let best = 0;
  for (let index = 1; index < length; index++) if (values[start + index] > values[start + best]) best = index;
  return best;
}

function logsumexp(values: Float32Array, start: number, length: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) max = Math.max(max, values[start + index]);
  let sum = 0;
  for (let index = 0; index < length; index++) sum += Math.exp(values[start + index] - max);
  return max + Math.log(sum);
}

describe('GPTQ engine vs transformers (tiny-llama-gptq-4bit-32g-actorder)', () => {
  let cacheDir: string;
  let session: LlamaSession;
  const vocab = 32000;

  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-gptq-reference-'));
    const converted = await convertCheckpoint(FIXTURE, { cacheDir });
    session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
  });
  afterAll(async () => {
    await session?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  for (const prompt of reference.prompts) {
    it(`matches per-position argmax, logsumexp and last logits for '${prompt.name}'`, async () => {
      session.reset();
      const logits = await session.forward(prompt.input_ids, { allPositions: true });
      const positions = prompt.input_ids.length;
      expect(logits.length).toBe(positions * vocab);
      let compared = 0;
      for (let position = 0; position < positions; position++) {
        const start = position * vocab;
        expect(Math.abs(logsumexp(logits, start, vocab) - prompt.logsumexp[position])).toBeLessThan(LOGIT_TOLERANCE);
        if (prompt.argmax_margin[position] > 2 * LOGIT_TOLERANCE) {
          expect(argmax(logits, start, vocab), `argmax at position ${position}`).toBe(prompt.argmax[position]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(positions * 0.9);
      let maxDifference = 0;
      const last = (positions - 1) * vocab;
      for (let token = 0; token < vocab; token++) {
        maxDifference = Math.max(maxDifference, Math.abs(logits[last + token] - prompt.last_logits[token]));
      }
      expect(maxDifference).toBeLessThan(LOGIT_TOLERANCE);
    });

    it(`continues '${prompt.name}' greedily with the KV cache exactly like transformers`, async () => {
      session.reset();
      let logits = await session.forward(prompt.input_ids);
      const generated: number[] = [];
      for (let step = 0; step < prompt.greedy.new_tokens.length; step++) {
        const next = argmax(logits, 0, vocab);
        generated.push(next);
        logits = await session.forward([next]);
      }
      expect(generated).toEqual(prompt.greedy.new_tokens);
    });
  }
});
