/**
 * onnxruntime session options on decoding, A/B in one process: several sessions of the same
 * converted TinyLlama-shaped checkpoint (bench/engine/e2e.ts or run.ts writes it), each decoding
 * one step in turn after the same prompt, so a busy machine affects all alike. Medians and spread
 * of ms per decode step; the bench notes record what was tried.
 *
 *   npx tsx bench/engine/session-options.ts [--steps 40] [--prompt 128] [--accuracy-level 4]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    prompt: { type: 'string', default: '128' },
    'accuracy-level': { type: 'string', default: '4' },
    checkpoint: { type: 'string', default: 'tinyllama-shape-gptq-4bit-128g-actorder-tokenizer' },
  },
});
const converted = await convertCheckpoint(path.join(root, 'bench', '.work', values.checkpoint), {
  cacheDir: path.join(root, 'bench', '.work', 'converted'),
  accuracyLevel: Number(values['accuracy-level']),
});
const cores = os.availableParallelism();
const variants: Array<{ name: string; options: Parameters<typeof LlamaSession.open>[2] }> = [
  { name: `default (optimization all, ${cores} threads, no spinning, sequential)`, options: { threads: cores } },
  { name: 'optimization extended', options: { threads: cores, graphOptimizationLevel: 'extended' } },
  { name: 'optimization basic', options: { threads: cores, graphOptimizationLevel: 'basic' } },
  { name: '1 thread', options: { threads: 1 } },
  { name: 'parallel execution mode', options: { threads: cores, executionMode: 'parallel' } },
];
const sessions: LlamaSession[] = [];
for (const variant of variants) sessions.push(await LlamaSession.open(converted.modelPath, converted.config.shape, variant.options));
const prompt = Array.from({ length: Number(values.prompt) }, (_, index) => 1 + ((index * 7919) % 31990));
for (const session of sessions) {
  session.reset(prompt.length + Number(values.steps) + 8);
  await session.forward(prompt);
  await session.forward([7]); // warm-up step
}
const times: number[][] = sessions.map(() => []);
for (let step = 0; step < Number(values.steps); step++) {
  for (const [index, session] of sessions.entries()) {
    const order = (index + step) % sessions.length; // rotate who goes first
    const chosen = sessions[order]!;
    const started = performance.now();
    await chosen.forward([100 + step]);
    times[order]!.push(performance.now() - started);
  }
}
const quantile = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]!;
console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}; TinyLlama shape, accuracy level ${values['accuracy-level']}, cache ${prompt.length}+, ${values.steps} steps each`);
console.log('| session options | ms per decode step, median [p10, p90] | tok/s (median) |');
console.log('| --- | ---: | ---: |');
variants.forEach((variant, index) => {
  const list = times[index]!;
  console.log(`| ${variant.name} | ${quantile(list, 0.5).toFixed(1)} [${quantile(list, 0.1).toFixed(1)}, ${quantile(list, 0.9).toFixed(1)}] | ${(1000 / quantile(list, 0.5)).toFixed(1)} |`);
});
for (const session of sessions.reverse()) await session.dispose();
