/**
 * GPTQ engine benchmark: prefill and decode tokens per second on a random-weight checkpoint
 * with TinyLlama-1.1B's shape (hidden 2048, 22 layers, 32 heads, 4 KV heads, intermediate 5632,
 * vocab 32000), 4-bit, group 128, act-order, written in AutoGPTQ's format into bench/.work.
 * Also the decode roofline: measured memory bandwidth / bytes read per generated token.
 * Writes bench/results/engine.json and engine.md (with --shape llama-2-7b: engine-llama-2-7b.*, and so on)
 * and prints a table.
 *
 * Side by side in the same run: llama.cpp through node-llama-cpp (installed under bench/.peer,
 * see llama-cpp-peer.ts) on a same-shape Q4_0 GGUF with random weights (write-gguf.ts).
 *
 *   npx tsx bench/engine/run.ts [--threads N] [--prompt 128] [--decode 64] [--accuracy-levels 0,4] [--spinning off,on] [--no-peer] [--shape tinyllama|llama-2-7b|llama-2-13b]
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { generateTokens } from '../../src/engine/gptq/generate-tokens.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';
import { initializerBytes } from '../../src/engine/onnx/graph-builder.ts';
import { writeRandomGptqCheckpoint } from '../../src/engine/gptq/write-gptq-checkpoint.ts';
import { measureAccuracy, type AccuracyResult } from './accuracy.ts';
import { benchmarkLlamaCpp, loadNodeLlamaCpp } from './llama-cpp-peer.ts';
import { measureBandwidth } from './memory-bandwidth.ts';
import { writeRandomQ4Gguf } from './write-gguf.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: String(os.availableParallelism()) },
    prompt: { type: 'string', default: '128' },
    decode: { type: 'string', default: '64' },
    'accuracy-levels': { type: 'string', default: '0,4' },
    spinning: { type: 'string', default: 'off,on' },
    'no-peer': { type: 'boolean', default: false },
    shape: { type: 'string', default: 'tinyllama' },
  },
});
const threads = Number(values.threads);
const loadAtStart = os.loadavg();
const promptLength = Number(values.prompt);
const decodeTokens = Number(values.decode);

const shapes = {
  tinyllama: { label: 'TinyLlama-1.1B', shape: { vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, layers: 22, heads: 32, kvHeads: 4 } },
  'llama-2-7b': { label: 'Llama-2-7B', shape: { vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, layers: 32, heads: 32, kvHeads: 32 } },
  // EM German 13B's shape (Llama-2-13B).
  'llama-2-13b': { label: 'Llama-2-13B', shape: { vocabSize: 32000, hiddenSize: 5120, intermediateSize: 13824, layers: 40, heads: 40, kvHeads: 40 } },
};
if (!(values.shape in shapes)) throw new Error(`--shape must be one of ${Object.keys(shapes).join(', ')}.`);
const shapeName = values.shape as keyof typeof shapes;
const { label: shapeLabel, shape } = shapes[shapeName];
const resultName = `${shapeName === 'tinyllama' ? 'engine' : `engine-${shapeName}`}${Number(values.prompt) === 128 ? '' : `-prompt-${values.prompt}`}`;
const checkpointDir = path.join(root, 'bench', '.work', `${shapeName}-shape-gptq-4bit-128g-actorder`);
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
  spinning: boolean;
  conversionSeconds: number | null;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  bytesPerToken: number;
  rooflineTokensPerSecond: number;
  fractionOfRoofline: number;
};
const runs: Run[] = [];
/** Bytes of K and V per decoded token at the average cache length, `bytesPerValue` each. */
const kvCacheBytes = (bytesPerValue: number) =>
  2 * shape.layers * shape.kvHeads * (shape.hiddenSize / shape.heads) * bytesPerValue * (promptLength + decodeTokens / 2);
const prompt = [1, ...Array.from({ length: promptLength - 1 }, (_, index) => 3 + ((index * 7919) % 31990))];

const spinningModes = values.spinning.split(',').map((mode) => mode === 'on');
for (const [accuracyLevel, spinning] of values['accuracy-levels'].split(',').flatMap((level) => spinningModes.map((mode) => [Number(level), mode] as const))) {
  log(`converting (accuracy_level ${accuracyLevel}) ...`);
  const started = performance.now();
  const converted = await convertCheckpoint(checkpointDir, { cacheDir, accuracyLevel, onProgress: (message) => log(`  ${message}`) });
  const conversionSeconds = converted.cached ? null : (performance.now() - started) / 1000;
  const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads, spinning });
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
    // read) and the RoPE tables (one row); the lm_head is read whole; plus the KV cache (float32)
    // at its average length while decoding.
    const sizes = initializerBytes(readFileSync(converted.modelPath));
    const bytesPerToken =
      [...sizes].filter(([name]) => !name.startsWith('model.embed_tokens') && !name.startsWith('rope_')).reduce((sum, [, bytes]) => sum + bytes, 0) + kvCacheBytes(4);
    const rooflineTokensPerSecond = bandwidth / bytesPerToken;
    log(`  accuracy ${accuracyLevel}, spinning ${spinning}: prefill ${prefillTokensPerSecond.toFixed(1)} tok/s, decode ${decodeTokensPerSecond.toFixed(1)} tok/s`);
    runs.push({
      accuracyLevel,
      spinning,
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

// ---- accuracy of each level against transformers on the real AutoGPTQ fixture
const accuracy: AccuracyResult[] = [];
for (const level of new Set(runs.map((run) => run.accuracyLevel))) {
  log(`accuracy of level ${level} against transformers (tests/fixtures/gptq) ...`);
  accuracy.push(await measureAccuracy(path.join(root, 'tests', 'fixtures', 'gptq', 'tiny-llama-gptq-4bit-32g-actorder'), level));
}

// ---- llama.cpp peer
type Peer = Awaited<ReturnType<typeof benchmarkLlamaCpp>> & { bytesPerToken: number; rooflineTokensPerSecond: number; fractionOfRoofline: number };
let peer: Peer | null = null;
let peerNote = 'The llama.cpp peer was not run (--no-peer).';
if (!values['no-peer']) {
  const nodeLlamaCpp = await loadNodeLlamaCpp(path.join(root, 'bench', '.peer'));
  if ('error' in nodeLlamaCpp) {
    peerNote = `The llama.cpp peer did not run: ${nodeLlamaCpp.error}`;
    log(peerNote);
  } else {
    const ggufPath = path.join(root, 'bench', '.work', `${shapeName}-shape-q4_0.gguf`);
    if (!existsSync(ggufPath)) {
      log(`writing random Q4_0 GGUF to ${ggufPath} ...`);
      writeRandomQ4Gguf(ggufPath, { ...shape, contextLength: 2048 }, path.join(root, 'assets', 'llama-2-tokenizer', 'tokenizer.json'));
    }
    const ggufBytes = statSync(ggufPath).size;
    log(`llama.cpp (node-llama-cpp ${nodeLlamaCpp.version}) ...`);
    const result = await benchmarkLlamaCpp(nodeLlamaCpp, ggufPath, ggufBytes, { prompt, decodeTokens, threads });
    // Bytes per token: every tensor but token_embd (one row of it is read), Q4_0 = 18 bytes per 32
    // weights; plus its KV cache (float16 by default).
    const bytesPerToken = ggufBytes - (shape.vocabSize * shape.hiddenSize * 18) / 32 + kvCacheBytes(2);
    peer = { ...result, bytesPerToken, rooflineTokensPerSecond: bandwidth / bytesPerToken, fractionOfRoofline: (result.decodeTokensPerSecond * bytesPerToken) / bandwidth };
    peerNote = `llama.cpp: ${result.engine} ${result.version}, Q4_0 GGUF with random weights written by bench/engine/write-gguf.ts, ${threads} thread(s), greedy.`;
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
  model: { ...shape, bits: 4, groupSize: 128, actOrder: true, note: `random weights, ${shapeLabel} shape` },
  promptTokens: promptLength,
  decodeTokens,
  memoryBandwidthGBps: bandwidth / 1e9,
  runs,
  peer,
  accuracy,
  notes: [
    'accuracy_level 0: MatMulNBits computes in float32 (matches transformers to ~1e-5); 4: activations quantized to int8 per block (faster, less exact).',
    'At accuracy 0 the lm_head is float32 (exactness); bytes per token include its 262 MB. Embeddings are float16 (one row read per token).',
    peerNote,
    'spinning: whether idle onnxruntime intra-op threads spin (the engine default is off, for a CPU shared with the server).',
    'Memory bandwidth: best of 4 passes of worker threads scanning 512 MB each with Buffer.indexOf (memchr).',
    'Bytes per token include the KV cache at its average length while decoding: float32 in beleg, float16 in llama.cpp.',
  ],
};
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', `${resultName}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(root, 'bench', 'results', `${resultName}.md`), markdownReport());

/** bench/results/engine.md: the same numbers as a table, ours vs llama.cpp vs the roofline. */
function markdownReport(): string {
  const bestDecode = Math.max(...runs.map((run) => run.decodeTokensPerSecond));
  const lines = [
    '# GPTQ engine speed (bench/engine/run.ts)',
    '',
    `${results.date}, ${results.machine.cpus}, ${results.machine.cores} cores, ${threads} thread(s), load average ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')} at start and ${results.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' / ')} at the end (1/5/15 min).`,
    `Model: random weights with ${shapeLabel}'s shape (hidden ${shape.hiddenSize}, ${shape.layers} layers, ${shape.heads} heads, ${shape.kvHeads} KV heads, intermediate ${shape.intermediateSize}, vocab ${shape.vocabSize}); ours 4-bit g128 act-order GPTQ, llama.cpp the same shape in Q4_0. Prompt ${promptLength} tokens, ${decodeTokens} greedy tokens.`,
    `Memory bandwidth measured ${(bandwidth / 1e9).toFixed(1)} GB/s; roofline = bandwidth / bytes read per generated token.`,
    '',
    '| engine | prefill tok/s | decode tok/s | MB read / token | roofline tok/s | % of roofline |',
    '|---|---:|---:|---:|---:|---:|',
    ...runs.map(
      (run) =>
        `| beleg ONNX, accuracy_level ${run.accuracyLevel}${run.spinning ? ', spinning threads' : ''} | ${run.prefillTokensPerSecond.toFixed(1)} | ${run.decodeTokensPerSecond.toFixed(1)} | ${(run.bytesPerToken / 1e6).toFixed(0)} | ${run.rooflineTokensPerSecond.toFixed(1)} | ${(100 * run.fractionOfRoofline).toFixed(0)}% |`,
    ),
    peer
      ? `| llama.cpp ${peer.version} (node-llama-cpp), Q4_0 | ${peer.prefillTokensPerSecond.toFixed(1)} | ${peer.decodeTokensPerSecond.toFixed(1)} | ${(peer.bytesPerToken / 1e6).toFixed(0)} | ${peer.rooflineTokensPerSecond.toFixed(1)} | ${(100 * peer.fractionOfRoofline).toFixed(0)}% |`
      : `| llama.cpp | not run | | | | |`,
    '',
    peer ? `Best beleg decode / llama.cpp decode: ${(bestDecode / peer.decodeTokensPerSecond).toFixed(2)}x.` : peerNote,
    '',
    '## Accuracy of each level against transformers (real tiny AutoGPTQ fixture, tests/fixtures/gptq)',
    '',
    '| accuracy_level | max abs. difference of last-position logits | argmax agreement (all positions) | argmax agreement (margin > 0.05) | greedy continuations identical |',
    '|---:|---:|---:|---:|---:|',
    ...accuracy.map(
      (entry) =>
        `| ${entry.accuracyLevel} | ${entry.maxLastLogitDifference.toExponential(1)} | ${(100 * entry.argmaxAgreement).toFixed(1)}% | ${(100 * entry.argmaxAgreementWhereMarginAbove005).toFixed(1)}% | ${entry.greedyContinuationsIdentical} |`,
    ),
    '',
    ...results.notes.map((note) => `- ${note}`),
    '',
  ];
  return lines.join('\n');
}

console.log(`load average ${loadAtStart.map((value) => value.toFixed(1)).join(' ')} at start on ${os.availableParallelism()} cores`);
console.log(`\nGPTQ engine, ${shapeLabel} shape, 4-bit g128 act-order, ${threads} thread(s), memory bandwidth ${(bandwidth / 1e9).toFixed(1)} GB/s`);
console.log('engine                       | prefill tok/s | decode tok/s | MB/token | roofline tok/s | of roofline');
const row = (name: string, entry: { prefillTokensPerSecond: number; decodeTokensPerSecond: number; bytesPerToken: number; rooflineTokensPerSecond: number; fractionOfRoofline: number }) =>
  console.log(
    `${name.padEnd(28)} | ${entry.prefillTokensPerSecond.toFixed(1).padStart(13)} | ${entry.decodeTokensPerSecond.toFixed(1).padStart(12)} | ${(entry.bytesPerToken / 1e6).toFixed(0).padStart(8)} | ${entry.rooflineTokensPerSecond.toFixed(1).padStart(14)} | ${(100 * entry.fractionOfRoofline).toFixed(0).padStart(10)}%`,
  );
for (const run of runs) row(`beleg ONNX acc ${run.accuracyLevel}${run.spinning ? ' spinning' : ''}`, run);
if (peer) row('llama.cpp Q4_0', peer);
else console.log(peerNote);
console.log('\naccuracy vs transformers (tiny AutoGPTQ fixture) | max |Δ last logits| | argmax agreement | greedy identical');
for (const entry of accuracy) {
  console.log(`level ${entry.accuracyLevel}${' '.repeat(42)} | ${entry.maxLastLogitDifference.toExponential(1).padStart(19)} | ${(100 * entry.argmaxAgreement).toFixed(1).padStart(15)}% | ${entry.greedyContinuationsIdentical}`);
}
