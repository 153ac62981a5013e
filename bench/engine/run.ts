/**
 * GPTQ engine benchmark: prefill and decode tokens per second on a random-weight checkpoint
 * with TinyLlama-1.1B's shape (hidden 2048, 22 layers, 32 heads, 4 KV heads, intermediate 5632,
 * vocab 32000), 4-bit, group 128, act-order, written in AutoGPTQ's format into bench/.work.
 * Also the decode roofline: measured memory bandwidth / bytes read per generated token.
 * Writes bench/results/engine.json and prints a table.
 *
 *   npx tsx bench/engine/run.ts [--threads N] [--prompt 128] [--decode 64] [--accuracy-levels 0,4] [--spinning]
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { generateTokens } from '../../src/engine/gptq/generate-tokens.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';
import { writeRandomGptqCheckpoint } from '../../src/engine/gptq/write-gptq-checkpoint.ts';
import { measureBandwidth } from './memory-bandwidth.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(os.availableParallelism()) },
    prompt: { type: 'string', default: '128' },
    decode: { type: 'string', default: '64' },
    'accuracy-levels': { type: 'string', default: '0,4' },
    spinning: { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads);
const loadAtStart = os.loadavg();
const promptLength = Number(values.prompt);
const decodeTokens = Number(values.decode);

const shape = { vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, layers: 22, heads: 32, kvHeads: 4 };
const checkpointDir = path.join(root, 'bench', '.work', 'tinyllama-shape-gptq-4bit-128g-actorder');
const cacheDir = path.join(root, 'bench', '.work', 'converted');

const log = (message: string) => process.stderr.write(`${message}\n`);

if (!existsSync(path.join(checkpointDir, 'quantize_config.json'))) {
  log(`writing random AutoGPTQ checkpoint to ${checkpointDir} ...`);
  const started = performance.now();
  await writeRandomGptqCheckpoint({ ...shape, directory: checkpointDir, seed: 2048, bits: 4, groupSize: 128, actOrder: true, symmetric: true, maxPositions: 2048 });
  log(`  written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

log(`measuring memory bandwidth with ${threads} thread(s) ...`);
const bandwidth = await measureBandwidth(threads);

type Run = {
  accuracyLevel: number;
  conversionSeconds: number | null;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  bytesPerToken: number;
  rooflineTokensPerSecond: number;
  fractionOfRoofline: number;
};
const runs: Run[] = [];
const prompt = [1, ...Array.from({ length: promptLength - 1 }, (_, index) => 3 + ((index * 7919) % 31990))];

for (const accuracyLevel of values['accuracy-levels'].split(',').map(Number)) {
  log(`converting (accuracy_level ${accuracyLevel}) ...`);
  const started = performance.now();
  const converted = await convertCheckpoint(checkpointDir, { cacheDir, accuracyLevel, onProgress: (message) => log(`  ${message}`) });
  const conversionSeconds = converted.cached ? null : (performance.now() - started) / 1000;
  const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads, spinning: values.spinning });
  try {
    // Warm-up (first runs allocate and pre-pack weights).
    await generateTokens(session, { promptIds: prompt.slice(0, 16), maxNewTokens: 4, sampling: { kind: 'greedy' } });
    const prefills: number[] = [];
    for (let repeat = 0; repeat < 2; repeat++) {
      session.reset();
      const start = performance.now();
      await session.forward(prompt);
      prefills.push(performance.now() - start);
    }
    const result = await generateTokens(session, { promptIds: prompt, maxNewTokens: decodeTokens, sampling: { kind: 'greedy' } });
    // decodeMs covers tokens.length samples and tokens.length - 1 forward passes.
    const decodeTokensPerSecond = ((result.tokens.length - 1) / result.decodeMs) * 1000;
    const prefillTokensPerSecond = (promptLength / Math.min(...prefills)) * 1000;

    // Bytes read per decoded token: every initializer except the embedding table (one row is
    // read) and the RoPE tables (one row); the lm_head is read whole.
    const { vocabSize, hiddenSize } = converted.config.shape;
    const dataBytes = statSync(path.join(path.dirname(converted.modelPath), 'model.onnx.data')).size;
    const embeddingBytes = converted.config.shape.tieWordEmbeddings ? 0 : vocabSize * hiddenSize * 4;
    const ropeBytes = 2 * converted.config.shape.maxPositions * converted.config.shape.headDim * 4;
    const bytesPerToken = dataBytes - embeddingBytes - ropeBytes;
    const rooflineTokensPerSecond = bandwidth / bytesPerToken;
    runs.push({
      accuracyLevel,
      conversionSeconds,
      prefillTokensPerSecond,
      decodeTokensPerSecond,
      bytesPerToken,
      rooflineTokensPerSecond,
      fractionOfRoofline: decodeTokensPerSecond / rooflineTokensPerSecond,
    });
  } finally {
    await session.dispose();
  }
}

const results = {
  benchmark: 'gptq-engine',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus()[0]?.model, cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
  // Other processes share the CPU: a load average above the core count means the numbers are lower bounds.
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: os.loadavg(),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  node: process.version,
  threads,
  spinning: values.spinning,
  model: { ...shape, bits: 4, groupSize: 128, actOrder: true, note: 'random weights, TinyLlama-1.1B shape' },
  promptTokens: promptLength,
  decodeTokens,
  memoryBandwidthGBps: bandwidth / 1e9,
  runs,
  peer: null as null | Record<string, unknown>,
  notes: [
    'accuracy_level 0: MatMulNBits computes in float32 (matches transformers to ~1e-5); 4: activations quantized to int8 per block (faster, less exact).',
    'At accuracy 0 the lm_head is float32 (exactness); bytes per token include its 262 MB. Embeddings are float16 (one row read per token).',
    'The llama.cpp peer comparison (node-llama-cpp) was not run.',
    'Memory bandwidth: best of 4 passes of worker threads scanning 512 MB each with Buffer.indexOf (memchr).',
  ],
};
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log(`load average ${loadAtStart.map((value) => value.toFixed(1)).join(' ')} at start on ${os.availableParallelism()} cores`);
console.log(`\nGPTQ engine, TinyLlama-1.1B shape, 4-bit g128 act-order, ${threads} thread(s), memory bandwidth ${(bandwidth / 1e9).toFixed(1)} GB/s`);
console.log('accuracy | prefill tok/s | decode tok/s | MB/token | roofline tok/s | of roofline');
for (const run of runs) {
  console.log(
    `${String(run.accuracyLevel).padEnd(8)} | ${run.prefillTokensPerSecond.toFixed(1).padStart(13)} | ${run.decodeTokensPerSecond.toFixed(1).padStart(12)} | ${(run.bytesPerToken / 1e6).toFixed(0).padStart(8)} | ${run.rooflineTokensPerSecond.toFixed(1).padStart(14)} | ${(100 * run.fractionOfRoofline).toFixed(0).padStart(10)}%`,
  );
}
