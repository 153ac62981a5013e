/**
 * The ONNX engine against the plain TypeScript float64 reference forward pass, on random
 * checkpoints written in AutoGPTQ's format for every setting AutoGPTQ produces for Llama.
 * Also checks the TypeScript reference itself against transformers on the real fixture.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../src/engine/gptq/llama-session.ts';
import { loadReferenceWeights, referenceForward } from '../src/engine/gptq/reference-forward.ts';
import { writeRandomGptqCheckpoint, type RandomCheckpointOptions } from '../src/engine/gptq/write-gptq-checkpoint.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'beleg-gptq-settings-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function maxAbsDifference(engine: Float32Array, offset: number, reference: Float64Array): number {
  let max = 0;
  for (let index = 0; index < reference.length; index++) max = Math.max(max, Math.abs(engine[offset + index] - reference[index]));
  return max;
}

describe('TypeScript reference forward pass', () => {
  it('reproduces transformers on the real AutoGPTQ fixture', async () => {
    const reference = JSON.parse(readFileSync(path.join(FIXTURE, 'reference.json'), 'utf8'));
    const prompt = reference.prompts.find((entry: { name: string }) => entry.name === 'short_5');
    const { shape, weights } = await loadReferenceWeights(FIXTURE);
    const logits = referenceForward(shape, weights, prompt.input_ids);
    const last = logits[logits.length - 1];
    let max = 0;
    for (let token = 0; token < last.length; token++) max = Math.max(max, Math.abs(last[token] - prompt.last_logits[token]));
    expect(max).toBeLessThan(2e-5);
  });
});

const base = { vocabSize: 320, hiddenSize: 256, intermediateSize: 384, layers: 2, heads: 4, kvHeads: 2 };
const settings: Array<{ label: string } & Omit<RandomCheckpointOptions, 'directory' | keyof typeof base> & Partial<typeof base>> = [
  { label: '4-bit g32 act-order sym, GQA', seed: 1, bits: 4, groupSize: 32, actOrder: true, symmetric: true },
  { label: '4-bit g128 asym (zero point 16 → correction part), tied embeddings', seed: 2, bits: 4, groupSize: 128, actOrder: false, symmetric: false, tieWordEmbeddings: true },
  { label: '4-bit g-1 act-order asym, multi-head', seed: 3, bits: 4, groupSize: -1, actOrder: true, symmetric: false, kvHeads: 4 },
  { label: '8-bit g-1 act-order sym, sharded', seed: 4, bits: 8, groupSize: -1, actOrder: true, symmetric: true, shards: 3 },
  { label: '8-bit g32 act-order asym, unshared act-order permutations (no q/k/v or gate/up fusion)', seed: 5, bits: 8, groupSize: 32, actOrder: true, symmetric: false, independentInputOrders: true },
  { label: '8-bit g128 sym, one KV head', seed: 6, bits: 8, groupSize: 128, actOrder: true, symmetric: true, kvHeads: 1 },
];

describe('ONNX engine vs TypeScript reference on AutoGPTQ checkpoints', () => {
  const tokens = [1, 17, 250, 3, 99, 42, 7, 311, 128, 5];
  for (const setting of settings) {
    it(`agrees for ${setting.label}, prefill and cached decode`, async () => {
      const directory = path.join(workDir, `model-${setting.seed}`);
      await writeRandomGptqCheckpoint({ ...base, ...setting, directory });
      const converted = await convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache') });
      const { shape, weights } = await loadReferenceWeights(directory);
      const expected = referenceForward(shape, weights, tokens);
      const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
      try {
        const prefill = 6;
        const logits = await session.forward(tokens.slice(0, prefill), { allPositions: true });
        let worst = 0;
        for (let position = 0; position < prefill; position++) {
          worst = Math.max(worst, maxAbsDifference(logits, position * shape.vocabSize, expected[position]));
        }
        for (let position = prefill; position < tokens.length; position++) {
          const step = await session.forward([tokens[position]]);
          worst = Math.max(worst, maxAbsDifference(step, 0, expected[position]));
        }
        // Logits are O(1); float32 accumulation over 256–384 inputs stays far below 1e-4.
        expect(worst).toBeLessThan(1e-4);
        const spread = Math.max(...expected[0]) - Math.min(...expected[0]);
        expect(spread).toBeGreaterThan(0.1);
      } finally {
        await session.dispose();
      }
    });
  }

  for (const attention of ['plain', 'group-query-shared-buffer'] as const) {
    it(`gives the same logits with the ${attention} attention variant as the reference`, async () => {
      const directory = path.join(workDir, 'model-1');
      const converted = await convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache'), attention });
      const { shape, weights } = await loadReferenceWeights(directory);
      const expected = referenceForward(shape, weights, tokens);
      const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
      try {
        const logits = await session.forward(tokens.slice(0, 8), { allPositions: true });
        const step = await session.forward([tokens[8]]);
        let worst = maxAbsDifference(step, 0, expected[8]);
        for (let position = 0; position < 8; position++) worst = Math.max(worst, maxAbsDifference(logits, position * shape.vocabSize, expected[position]));
        expect(worst).toBeLessThan(1e-4);
      } finally {
        await session.dispose();
      }
    });
  }

  it('prefills a prompt longer than one run in pieces, grows the cache, and still matches the reference', async () => {
    const directory = path.join(workDir, 'model-long');
    await writeRandomGptqCheckpoint({ ...base, seed: 11, bits: 4, groupSize: 32, actOrder: true, symmetric: true, maxPositions: 2048, directory });
    const converted = await convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache') });
    const { shape, weights } = await loadReferenceWeights(directory);
    const long = Array.from({ length: 1_101 }, (_, index) => 1 + ((index * 37) % (base.vocabSize - 1)));
    const expected = referenceForward(shape, weights, long);
    const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
    try {
      session.reset(8); // far too small: the cache must grow while prefilling
      const prompt = long.slice(0, 1_100); // three runs of at most 512 tokens
      const logits = await session.forward(prompt, { allPositions: true });
      expect(logits.length).toBe(prompt.length * shape.vocabSize);
      let worst = 0;
      for (const position of [0, 511, 512, 700, 1_023, 1_024, 1_099]) worst = Math.max(worst, maxAbsDifference(logits, position * shape.vocabSize, expected[position]));
      const step = await session.forward([long[1_100]]);
      worst = Math.max(worst, maxAbsDifference(step, 0, expected[1_100]));
      expect(session.length).toBe(1_101);
      expect(worst).toBeLessThan(1e-4);
      // Without allPositions, only the last position's logits come back.
      session.reset(16);
      const last = await session.forward(prompt);
      expect(maxAbsDifference(last, 0, expected[1_099])).toBeLessThan(1e-4);
    } finally {
      await session.dispose();
    }
  });

  it('runs 8-bit layers with int8 activations (accuracy level 4) close to the reference', async () => {
    const directory = path.join(workDir, 'model-6');
    const converted = await convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache'), accuracyLevel: 4 });
    expect(converted.cached).toBe(false);
    const { shape, weights } = await loadReferenceWeights(directory);
    const expected = referenceForward(shape, weights, tokens);
    const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
    try {
      const logits = await session.forward(tokens, { allPositions: true });
      let worst = 0;
      tokens.forEach((_, position) => (worst = Math.max(worst, maxAbsDifference(logits, position * shape.vocabSize, expected[position]))));
      // int8 activations per block: about 1% of a logit's scale, not float32-exact.
      expect(worst).toBeLessThan(5e-2);
    } finally {
      await session.dispose();
    }
  });

  it('reuses the converted model from the cache on the second load', async () => {
    const directory = path.join(workDir, 'model-1');
    const again = await convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache') });
    expect(again.cached).toBe(true);
  });
});
