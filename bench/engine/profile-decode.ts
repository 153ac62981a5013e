/**
 * Profiles decode steps of the benchmark checkpoint (bench/engine/run.ts writes it) with
 * onnxruntime's profiler and prints where the time goes, per operator type and per node.
 *
 *   npx tsx bench/engine/profile-decode.ts [--accuracy-level 4] [--threads 2] [--steps 16] [--prompt 32] [--spinning] [--fuse all|attention|mlp|none]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import type { ProjectionFusion } from '../../src/engine/gptq/llama-graph.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';
import { readOnnxProfile, sumBy } from './onnx-profile.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    'accuracy-level': { type: 'string', default: '4' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    steps: { type: 'string', default: '16' },
    prompt: { type: 'string', default: '32' },
    spinning: { type: 'boolean', default: false },
    fuse: { type: 'string', default: 'all' },
    'max-block': { type: 'string' },
  },
});
const checkpointDir = path.join(root, 'bench', '.work', 'tinyllama-shape-gptq-4bit-128g-actorder');
const cacheDir = path.join(root, 'bench', '.work', 'converted');
const converted = await convertCheckpoint(checkpointDir, { cacheDir, accuracyLevel: Number(values['accuracy-level']), fuseProjections: values.fuse as ProjectionFusion, maxBlockSize: values['max-block'] ? Number(values['max-block']) : undefined });
const prefix = path.join(root, 'bench', '.work', 'profile');
const session = await LlamaSession.open(converted.modelPath, converted.config.shape, {
  threads: Number(values.threads),
  spinning: values.spinning,
  profileFilePrefix: prefix,
});
const steps = Number(values.steps);
const promptLength = Number(values.prompt);
session.reset(promptLength + steps);
await session.forward(Array.from({ length: promptLength }, (_, index) => 1 + (index % 30000)));
const stepMs: number[] = [];
for (let step = 0; step < steps; step++) {
  const start = performance.now();
  await session.forward([100 + step]);
  stepMs.push(performance.now() - start);
}
const profilePath = session.endProfiling(prefix);
await session.dispose();

const { runMs: runs, nodes } = readOnnxProfile(profilePath);
const decodeRuns = runs.slice(-steps);
// Only the decode runs: the last `steps` runs' nodes (same count each run).
const perRun = nodes.length / runs.length;
const decodeNodes = nodes.slice(-perRun * steps);
const byOp = sumBy(decodeNodes, (node) => node.operator, steps);
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
console.log(`decode step (JS, median of ${steps}): ${median(stepMs).toFixed(1)} ms; session run (ORT): ${median(decodeRuns).toFixed(1)} ms`);
const kernelTotal = [...byOp.values()].reduce((sum, value) => sum + value, 0);
console.log(`sum of kernel times per step: ${kernelTotal.toFixed(1)} ms`);
for (const [op, ms] of [...byOp.entries()].sort((a, b) => b[1] - a[1])) console.log(`${op.padEnd(32)} ${ms.toFixed(2).padStart(8)} ms`);
const byNode = sumBy(decodeNodes, (node) => node.name, steps);
console.log('\nslowest nodes:');
for (const [name, ms] of [...byNode.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${name.padEnd(60)} ${ms.toFixed(2).padStart(8)} ms`);
