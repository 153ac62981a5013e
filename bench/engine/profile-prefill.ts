/**
 * Profiles a prompt (prefill) of the e2e benchmark's checkpoint with onnxruntime's profiler: where
 * the time goes per operator type, and how many int8 operations per second MatMulNBits reaches
 * (compare bench/results/engine-int8-peak.md). Writes bench/results/engine-profile-prefill-<shape>.json.
 *
 *   npx tsx bench/engine/profile-prefill.ts [--shape tinyllama|llama-2-13b] [--prompt 1000] [--repeats 3] [--threads 2]
 *
 * Needs the checkpoint bench/engine/e2e.ts writes (run it with --prepare-only first).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';
import { readOnnxProfile, sumBy } from './onnx-profile.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: 'tinyllama' },
    prompt: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const shapeName = values.shape!;
const promptLength = Number(values.prompt);
const repeats = Number(values.repeats);
const checkpointDir = path.join(root, 'bench', '.work', `${shapeName}-shape-gptq-4bit-128g-actorder-tokenizer`);
const converted = await convertCheckpoint(checkpointDir, { cacheDir: path.join(root, 'bench', '.work', 'converted'), accuracyLevel: 4 });
const prefix = path.join(root, 'bench', '.work', 'profile-prefill');
const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: Number(values.threads), profileFilePrefix: prefix });
const ids = Array.from({ length: promptLength }, (_, index) => 1 + ((index * 7919) % 31990));
session.reset();
await session.forward(ids.slice(0, 64)); // warm-up run, left out below
const prefillMs: number[] = [];
for (let repeat = 0; repeat < repeats; repeat++) {
  session.reset();
  const start = performance.now();
  await session.forward(ids);
  prefillMs.push(performance.now() - start);
}
const profilePath = session.endProfiling(prefix);
await session.dispose();

const { runMs, nodes } = readOnnxProfile(profilePath);
const perRun = nodes.length / runMs.length;
// The prompt runs of the repeats (a prompt over 512 tokens is several runs), not the warm-up.
const byOperator = sumBy(nodes.slice(perRun), (node) => node.operator, repeats);
// `If` is the per-layer attention branch; its time includes the nodes inside it (GroupQueryAttention), which are listed too.
const kernelMs = [...byOperator.entries()].filter(([name]) => name !== 'If').reduce((sum, [, ms]) => sum + ms, 0);
const shape = converted.config.shape;
const kvWidth = shape.kvHeads * shape.headDim;
const linearMacs = shape.layers * (2 * shape.hiddenSize * shape.hiddenSize + 2 * shape.hiddenSize * kvWidth + 3 * shape.hiddenSize * shape.intermediateSize);
const matMulMs = byOperator.get('MatMulNBits') ?? 0;
const median = [...prefillMs].sort((a, b) => a - b)[Math.floor(prefillMs.length / 2)]!;
const results = {
  benchmark: 'engine-profile-prefill',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus()[0]?.model, cores: os.availableParallelism() },
  loadAverageAtStart: os.loadavg(),
  shape: shapeName,
  promptTokens: promptLength,
  repeats,
  prefillMs,
  tokensPerSecond: (promptLength / median) * 1000,
  kernelMsPerPrefill: kernelMs,
  operators: Object.fromEntries([...byOperator.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => [name, { ms, share: name === 'If' ? null : ms / kernelMs }])),
  matMulNBitsGops: (2 * linearMacs * promptLength) / (matMulMs / 1000) / 1e9,
};
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', `engine-profile-prefill-${shapeName}.json`), `${JSON.stringify(results, null, 1)}\n`);
console.log(`prefill of ${promptLength} tokens: ${prefillMs.map((ms) => ms.toFixed(0)).join(' / ')} ms (${results.tokensPerSecond.toFixed(0)} tok/s median); kernels ${kernelMs.toFixed(0)} ms`);
for (const [name, entry] of Object.entries(results.operators)) console.log(`${name.padEnd(34)} ${entry.ms.toFixed(1).padStart(9)} ms ${entry.share === null ? '(includes the attention inside it)' : `${(100 * entry.share).toFixed(1)} %`}`);
console.log(`MatMulNBits: ${results.matMulNBitsGops.toFixed(0)} G int8 operations per second`);
