/**
 * Graph optimization level `all` (the default) against `basic`, two sessions of the converted
 * TinyLlama-shaped checkpoint alternating: prefill of 512 tokens (4 rounds) and decode steps (63).
 * Checks the lead from session-options.ts, whose five sessions at once gave `basic` faster decoding.
 *
 *   npx tsx bench/engine/optimization-level.ts
 */
import os from 'node:os';
import path from 'node:path';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';
const root = path.resolve(import.meta.dirname, '..', '..');
const converted = await convertCheckpoint(path.join(root, 'bench/.work/tinyllama-shape-gptq-4bit-128g-actorder-tokenizer'), { cacheDir: path.join(root, 'bench/.work/converted'), accuracyLevel: 4 });
const levels = ['all', 'basic'] as const;
const sessions = await Promise.all(levels.map((level) => LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 2, graphOptimizationLevel: level })));
const prompt = Array.from({ length: 512 }, (_, index) => 1 + ((index * 7919) % 31990));
const prefill: number[][] = [[], []];
const decode: number[][] = [[], []];
for (let round = 0; round < 4; round++) {
  for (let k = 0; k < 2; k++) {
    const index = (k + round) % 2;
    sessions[index]!.reset(600);
    const started = performance.now();
    await sessions[index]!.forward(prompt);
    prefill[index]!.push(performance.now() - started);
  }
  for (let step = 0; step < 16; step++) {
    for (let k = 0; k < 2; k++) {
      const index = (k + step) % 2;
      const started = performance.now();
      await sessions[index]!.forward([100 + step]);
      if (round > 0 || step > 0) decode[index]!.push(performance.now() - started);
    }
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
console.log(`load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
levels.forEach((level, index) => console.log(`${level}: prefill 512 ${(512000 / median(prefill[index]!)).toFixed(0)} tok/s (median of 4), decode ${median(decode[index]!).toFixed(1)} ms/step (median of ${decode[index]!.length}) [${Math.min(...decode[index]!).toFixed(1)}, ${Math.max(...decode[index]!).toFixed(1)}]`));
for (const session of sessions) await session.dispose();
