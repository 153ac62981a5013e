/**
 * Peak resident memory while loading a GPTQ checkpoint, against the checkpoint's size (target: at
 * most 1.2x): first the conversion to ONNX alone (into a fresh cache folder), then opening the
 * converted model in onnxruntime (together: the engine's load), then one token, in this process.
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
  const rssAfterConversion = process.memoryUsage().rss;
  const session = await LlamaSession.open(converted.modelPath, converted.config.shape);
  const loadedPeakBytes = process.resourceUsage().maxRSS * 1024;
  const loadedRssBytes = process.memoryUsage().rss;
  await session.forward([1]);
  const firstTokenPeakBytes = process.resourceUsage().maxRSS * 1024;
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
    // The conversion's memory is given back before the session opens.
    rssAfterConversionMB: Math.round(rssAfterConversion / 1e6),
    // Loading: conversion, then opening the converted model in onnxruntime (what every later start does alone).
    loadPeakRssMB: Math.round(loadedPeakBytes / 1e6),
    loadPeakOverCheckpoint: Number((loadedPeakBytes / checkpointBytes).toFixed(3)),
    rssAfterLoadMB: Math.round(loadedRssBytes / 1e6),
    // Running: one forward pass adds the working memory of activations and the KV cache.
    firstTokenPeakRssMB: Math.round(firstTokenPeakBytes / 1e6),
    firstTokenPeakOverCheckpoint: Number((firstTokenPeakBytes / checkpointBytes).toFixed(3)),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', `conversion-memory-${path.basename(checkpointDir)}-level-${values['accuracy-level']}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
