/**
 * A/B of the two attention paths of the default graph during decoding, in one process and
 * interleaved step by step (so a noisy machine affects both alike): the decode branch (standard
 * ops reading the cache in place) against GroupQueryAttention (which copies the cache per run).
 *
 *   npx tsx bench/engine/decode-branch.ts [--contexts 128,512,1500] [--steps 24] [--accuracy-level 4]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    contexts: { type: 'string', default: '128,512,1500' },
    steps: { type: 'string', default: '24' },
    'accuracy-level': { type: 'string', default: '4' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const checkpointDir = path.join(root, 'bench', '.work', 'tinyllama-shape-gptq-4bit-128g-actorder');
const converted = await convertCheckpoint(checkpointDir, { cacheDir: path.join(root, 'bench', '.work', 'converted'), accuracyLevel: Number(values['accuracy-level']) });
const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: Number(values.threads) });
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}; TinyLlama shape, accuracy level ${values['accuracy-level']}`);
for (const context of values.contexts.split(',').map(Number)) {
  session.reset(context + 64);
  await session.forward(Array.from({ length: context }, (_, index) => 1 + ((index * 7919) % 31990)));
  const times = { branch: [] as number[], groupQuery: [] as number[] };
  for (let step = 0; step < 2 * Number(values.steps); step++) {
    session.decodeBranch = step % 2 === 0;
    const started = performance.now();
    await session.forward([100 + step]);
    (session.decodeBranch ? times.branch : times.groupQuery).push(performance.now() - started);
  }
  console.log(`cache ${context}: decode branch ${median(times.branch).toFixed(1)} ms/step, GroupQueryAttention ${median(times.groupQuery).toFixed(1)} ms/step (medians)`);
}
await session.dispose();
