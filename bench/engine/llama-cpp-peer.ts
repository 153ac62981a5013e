/**
 * The llama.cpp side of bench/engine: node-llama-cpp (installed only under bench/.peer, never a
 * project dependency) with its prebuilt CPU binary, never built from source. Measures prefill
 * and greedy decode tokens per second on a GGUF file, feeding token ids directly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type PeerResult = {
  engine: string;
  version: string;
  prefillTokensPerSecond: number;
  decodeTokensPerSecond: number;
  decodeTokens: number;
  threads: number;
  gguf: string;
  ggufBytes: number;
};

/** The slice of node-llama-cpp's API used here (it is not a typed dependency of the project). */
type NodeLlamaCpp = {
  getLlama(options: Record<string, unknown>): Promise<{
    systemInfo: string;
    loadModel(options: { modelPath: string }): Promise<{
      createContext(options: Record<string, unknown>): Promise<{
        getSequence(): {
          evaluateWithoutGeneratingNewTokens(tokens: number[]): Promise<void>;
          evaluate(tokens: number[], options?: Record<string, unknown>): AsyncGenerator<number, void, void>;
          clearHistory(): Promise<void>;
        };
        dispose(): Promise<void>;
      }>;
      dispose(): Promise<void>;
    }>;
    dispose(): Promise<void>;
  }>;
};

/** Loads node-llama-cpp from `peerDir` or returns why it cannot. */
export async function loadNodeLlamaCpp(peerDir: string): Promise<{ module: NodeLlamaCpp; version: string } | { error: string }> {
  const packageDir = path.join(peerDir, 'node_modules', 'node-llama-cpp');
  if (!existsSync(packageDir)) return { error: `node-llama-cpp is not installed in ${peerDir} (npm install --prefix ${peerDir} node-llama-cpp@3 --omit=optional)` };
  try {
    const { version } = (await import(pathToFileURL(path.join(packageDir, 'package.json')).href, { with: { type: 'json' } })).default as { version: string };
    const module = (await import(pathToFileURL(path.join(packageDir, 'dist', 'index.js')).href)) as NodeLlamaCpp;
    return { module, version };
  } catch (error) {
    return { error: `node-llama-cpp did not load: ${(error as Error).message}` };
  }
}

/** Prefill (best of `repeats`) and greedy decode of `decodeTokens` tokens after `prompt`. */
export async function benchmarkLlamaCpp(
  nodeLlamaCpp: { module: NodeLlamaCpp; version: string },
  ggufPath: string,
  ggufBytes: number,
  options: { prompt: number[]; decodeTokens: number; threads: number; repeats?: number },
): Promise<PeerResult & { systemInfo: string }> {
  const llama = await nodeLlamaCpp.module.getLlama({ build: 'never', gpu: false, usePrebuiltBinaries: true, progressLogs: false, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: ggufPath });
  const context = await model.createContext({ contextSize: 1024, batchSize: 512, threads: options.threads, flashAttention: false });
  try {
    const sequence = context.getSequence();
    // Warm-up: the first evaluation repacks weights and allocates buffers.
    await sequence.evaluateWithoutGeneratingNewTokens(options.prompt.slice(0, 16));
    await sequence.clearHistory();
    const prefills: number[] = [];
    for (let repeat = 0; repeat < (options.repeats ?? 2); repeat++) {
      await sequence.clearHistory();
      const start = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(options.prompt);
      prefills.push(performance.now() - start);
    }
    // Decode: the prompt but its last token is evaluated first; the first generated token then
    // costs the last prompt position, each further one a forward pass of one token. Timed from
    // the first generated token on, like the ONNX side.
    await sequence.clearHistory();
    await sequence.evaluateWithoutGeneratingNewTokens(options.prompt.slice(0, -1));
    let generated = 0;
    let firstTokenAt = 0;
    for await (const _token of sequence.evaluate(options.prompt.slice(-1), { temperature: 0, yieldEogToken: true })) {
      generated++;
      if (generated === 1) firstTokenAt = performance.now();
      if (generated > options.decodeTokens) break;
    }
    const decodeMs = performance.now() - firstTokenAt;
    return {
      engine: 'llama.cpp (node-llama-cpp prebuilt CPU binary)',
      version: nodeLlamaCpp.version,
      prefillTokensPerSecond: (options.prompt.length / Math.min(...prefills)) * 1000,
      decodeTokensPerSecond: ((generated - 1) / decodeMs) * 1000,
      decodeTokens: generated - 1,
      threads: options.threads,
      gguf: path.basename(ggufPath),
      ggufBytes,
      systemInfo: llama.systemInfo,
    };
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

/** One llama.cpp context kept open for alternating measurements (bench/engine/e2e.ts). */
export type LlamaCppPeerSession = {
  version: string;
  systemInfo: string;
  /** Milliseconds to evaluate `prompt` from an empty cache. */
  prefill(prompt: readonly number[]): Promise<number>;
  /**
   * Prefill `prompt` from an empty cache, then greedily generate `tokens` tokens (free decoding);
   * `prefillMs` ends when the first token is out (the last prompt position), `totalMs` with the last.
   */
  generate(prompt: readonly number[], tokens: number): Promise<{ prefillMs: number; decodeMs: number; totalMs: number; generated: number }>;
  dispose(): Promise<void>;
};

/** Opens a context of `contextSize` positions on a GGUF file, warmed up. */
export async function openLlamaCppPeer(
  nodeLlamaCpp: { module: NodeLlamaCpp; version: string },
  ggufPath: string,
  options: { threads: number; contextSize: number },
): Promise<LlamaCppPeerSession> {
  const llama = await nodeLlamaCpp.module.getLlama({ build: 'never', gpu: false, usePrebuiltBinaries: true, progressLogs: false, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: ggufPath });
  const context = await model.createContext({ contextSize: options.contextSize, batchSize: 512, threads: options.threads, flashAttention: false });
  const sequence = context.getSequence();
  await sequence.evaluateWithoutGeneratingNewTokens([1, 100, 200, 300, 400, 500, 600, 700]);
  await sequence.clearHistory();
  return {
    version: nodeLlamaCpp.version,
    systemInfo: llama.systemInfo,
    async prefill(prompt) {
      await sequence.clearHistory();
      const start = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens([...prompt]);
      return performance.now() - start;
    },
    async generate(prompt, tokens) {
      await sequence.clearHistory();
      const start = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
      let generated = 0;
      let firstAt = 0;
      for await (const _token of sequence.evaluate(prompt.slice(-1), { temperature: 0, yieldEogToken: true })) {
        generated += 1;
        if (generated === 1) firstAt = performance.now();
        if (generated >= tokens) break;
      }
      const end = performance.now();
      return { prefillMs: firstAt - start, decodeMs: end - firstAt, totalMs: end - start, generated };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
