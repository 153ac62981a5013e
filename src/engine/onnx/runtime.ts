/**
 * The one place that imports onnxruntime-node. Everything else under src/engine uses these
 * re-exports, so swapping the runtime touches one file.
 */
import * as ort from 'onnxruntime-node';

export type OnnxSession = ort.InferenceSession;
export type OnnxTensor = ort.Tensor;
export const Tensor = ort.Tensor;

export type SessionOptions = {
  /** Threads for one operator (default: all cores). */
  intraOpThreads?: number;
  /** Path for the optimized model, if ORT should write one. */
  optimizedModelPath?: string;
  /**
   * Whether idle intra-op threads spin (default true, onnxruntime's default). Spinning wastes
   * CPU when other processes share the cores.
   */
  spinning?: boolean;
  /**
   * onnxruntime's graph optimizations (default `all`; bench/engine/session-options.ts compares
   * the levels on decoding).
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Run independent nodes in parallel (`parallel`) instead of one after another (default `sequential`). */
  executionMode?: 'sequential' | 'parallel';
  /** Write an onnxruntime profile (JSON) with this file prefix; for benchmarks. */
  profileFilePrefix?: string;
};

/** Opens an ONNX model from a file path or bytes on the CPU execution provider. */
export async function createSession(model: string | Uint8Array, options: SessionOptions = {}): Promise<OnnxSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    ...(options.executionMode ? { executionMode: options.executionMode } : {}),
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.optimizedModelPath ? { optimizedModelFilePath: options.optimizedModelPath } : {}),
    extra: {
      session: {
        // Weights are allocated at their exact size instead of from the growing arena: loading a
        // Llama-2-7B-shaped 4-bit model (with its first token) peaked at 1.25x the checkpoint's
        // size with the arena and 1.12x without it (bench/engine/conversion-memory.ts).
        use_device_allocator_for_initializers: '1',
        ...(options.spinning === false ? { intra_op: { allow_spinning: '0' } } : {}),
      },
    },
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, sessionOptions)
    : ort.InferenceSession.create(model, sessionOptions);
}
