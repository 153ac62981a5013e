/**
 * Peak resident memory while loading a GPTQ checkpoint, against the checkpoint's size (target: at
 * most 1.2x): first the conversion to ONNX alone (into a fresh cache folder), then opening the
 * converted model in onnxruntime and running one token (the engine's whole load), in this process.
 *
 *   npx tsx bench/engine/conversion-memory.ts [checkpoint dir, default the Llama-2-7B-shaped one] [--accuracy-level 0]
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'accuracy-level': { type: 'string', default: '0' } } });
const checkpointDir = positionals[0] ?? path.join(root, 'bench', '.work', 'llama-2-7b-shape-gptq-4bit-128g-actorder');
const checkpointBytes = readdirSync(checkpointDir)
  .filter((name) => name.endsWith('.safetensors'))
  .reduce((sum, name) => sum + statSync(path.join(checkpointDir, name)).size, 0);
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'beleg-conversion-memory-'));
try {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const converted = await convertCheckpoint(checkpointDir, { cacheDir, accuracyLevel: Number(values['accuracy-level']) });
  const seconds = (performance.now() - started) / 1000;
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  const session = await LlamaSession.open(converted.modelPath, converted.config.shape);
  await session.forward([1]);
  const loadedPeakBytes = process.resourceUsage().maxRSS * 1024;
  const loadedRssBytes = process.memoryUsage().rss;
  await session.dispose();
  const result = {
    benchmark: 'gptq-conversion-memory',
    date: new Date().toISOString(),
    checkpoint: path.relative(root, checkpointDir),
    accuracyLevel: Number(values['accuracy-level']),
    checkpointMB: Math.round(checkpointBytes / 1e6),
    processRssBeforeMB: Math.round(rssBefore / 1e6),
    peakRssMB: Math.round(peakBytes / 1e6),
    peakOverCheckpoint: Number((peakBytes / checkpointBytes).toFixed(3)),
    seconds: Number(seconds.toFixed(1)),
    // After opening the converted model in onnxruntime and one forward pass.
    sessionPeakRssMB: Math.round(loadedPeakBytes / 1e6),
    sessionPeakOverCheckpoint: Number((loadedPeakBytes / checkpointBytes).toFixed(3)),
    sessionRssAfterMB: Math.round(loadedRssBytes / 1e6),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', `conversion-memory-${path.basename(checkpointDir)}-level-${values['accuracy-level']}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
