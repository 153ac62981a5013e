/**
 * Converts a GPTQ checkpoint directory into an ONNX model (graph + external weight file) and
 * caches it on disk under `<cacheDir>/<fingerprint>/`. The fingerprint hashes the JSON configs,
 * every safetensors header and sampled slices of the tensor data, plus the converter version
 * and options, so a changed checkpoint is converted again and an unchanged one loads at once.
 *
 * Conversion reads one tensor at a time by offset and appends it to the external data file,
 * so peak memory stays near the size of the largest layer, not the checkpoint.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { SafetensorsCheckpoint } from '../safetensors/safetensors-checkpoint.ts';
import { readCheckpointConfig, type CheckpointConfig } from './checkpoint-config.ts';
import { buildLlamaGraph, defaultAttention, defaultProjectionFusion, type AttentionVariant, type LayerProjection, type LlamaWeightSource, type ProjectionFusion } from './llama-graph.ts';
import { readGptqLinear, toFloat32 } from './read-gptq-linear.ts';
import { repackForMatMulNBits, type RepackOptions } from './repack-matmul-nbits.ts';

/** Bump when the graph or the weight layout changes, so old caches are not reused. */
export const CONVERTER_VERSION = 6;

export type ConvertOptions = {
  /** Where converted models are cached, e.g. `<dataDir>/models/converted`. */
  cacheDir: string;
  /** MatMulNBits accuracy level (0: float32, exact; 4: int8 activations, faster). Default 0. */
  accuracyLevel?: number;
  /** Attention implementation and KV cache (default `external-cache`); see llama-graph.ts. */
  attention?: AttentionVariant;
  /** Which projections share one MatMulNBits (default: llama-graph.ts's `defaultProjectionFusion`). */
  fuseProjections?: ProjectionFusion;
  /** Largest MatMulNBits block size (default: the GPTQ group size); see repack-matmul-nbits.ts. */
  maxBlockSize?: number;
  /** Called with progress messages (layer n of m). */
  onProgress?: (message: string) => void;
};

export type ConvertedModel = {
  config: CheckpointConfig;
  /** Path of `model.onnx`; its weights are in `model.onnx.data` beside it. */
  modelPath: string;
  fingerprint: string;
  /** True when the model came from the cache. */
  cached: boolean;
};

/** The safetensors prefix of a projection's tensors. */
function projectionPrefix(layer: number, projection: LayerProjection): string {
  return `model.layers.${layer}.${projection}`;
}

/** A content fingerprint of the checkpoint that does not read all of its gigabytes. */
export async function fingerprintCheckpoint(directory: string, checkpoint: SafetensorsCheckpoint, extra: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`beleg-gptq-converter-${CONVERTER_VERSION};${extra}`);
  for (const name of ['config.json', 'quantize_config.json', 'model.safetensors.index.json']) {
    const filePath = path.join(directory, name);
    if (existsSync(filePath)) hash.update(readFileSync(filePath));
  }
  const sampleBytes = 64 * 1024;
  for (const file of checkpoint.files) {
    hash.update(path.basename(file.path));
    hash.update(file.headerBytes);
    const handle = await open(file.path, 'r');
    try {
      const { size } = await handle.stat();
      hash.update(String(size));
      const buffer = Buffer.alloc(sampleBytes);
      for (let sample = 0; sample < 16; sample++) {
        const position = Math.floor(((size - sampleBytes) * sample) / 15);
        const { bytesRead } = await handle.read(buffer, 0, sampleBytes, Math.max(0, position));
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/** Weight source reading from the checkpoint, one tensor at a time. */
export function checkpointWeightSource(checkpoint: SafetensorsCheckpoint, config: CheckpointConfig, options: RepackOptions = {}): LlamaWeightSource {
  const { shape, quantization } = config;
  const dimensions: Record<LayerProjection, [number, number]> = {
    'self_attn.q_proj': [shape.hiddenSize, shape.heads * shape.headDim],
    'self_attn.k_proj': [shape.hiddenSize, shape.kvHeads * shape.headDim],
    'self_attn.v_proj': [shape.hiddenSize, shape.kvHeads * shape.headDim],
    'self_attn.o_proj': [shape.heads * shape.headDim, shape.hiddenSize],
    'mlp.gate_proj': [shape.hiddenSize, shape.intermediateSize],
    'mlp.up_proj': [shape.hiddenSize, shape.intermediateSize],
    'mlp.down_proj': [shape.intermediateSize, shape.hiddenSize],
  };
  const floatTensor = async (name: string, expected: number[]) => {
    const tensor = await checkpoint.read(name);
    if (tensor.shape.join(',') !== expected.join(',')) {
      throw new UnsupportedModelError(
        userMessage('unsupported_model.tensor_shape', { name, shape: String(tensor.shape), expected: String(expected), source: userMessage('fragment.from_config') }),
        { name },
      );
    }
    return toFloat32(tensor);
  };
  return {
    embedding: () => floatTensor('model.embed_tokens.weight', [shape.vocabSize, shape.hiddenSize]),
    lmHead: async () =>
      checkpoint.has('lm_head.weight') && !shape.tieWordEmbeddings
        ? floatTensor('lm_head.weight', [shape.vocabSize, shape.hiddenSize])
        : null,
    norm: (name) => floatTensor(`${name}.weight`, [shape.hiddenSize]),
    linear: async (layer, projection) => {
      const [inFeatures, outFeatures] = dimensions[projection];
      const linear = await readGptqLinear(checkpoint, projectionPrefix(layer, projection), inFeatures, outFeatures, quantization);
      return repackForMatMulNBits(linear, options);
    },
  };
}

/** Converts (or finds in the cache) the ONNX model of a GPTQ checkpoint directory. */
export async function convertCheckpoint(directory: string, options: ConvertOptions): Promise<ConvertedModel> {
  const config = readCheckpointConfig(directory);
  const accuracyLevel = options.accuracyLevel ?? 0;
  const attention = options.attention ?? defaultAttention;
  const checkpoint = await SafetensorsCheckpoint.open(directory);
  try {
    if (!checkpoint.has('lm_head.weight') && !config.shape.tieWordEmbeddings) {
      throw new UnsupportedModelError(userMessage('unsupported_model.no_lm_head'), { setting: 'tie_word_embeddings' });
    }
    const fuseProjections = options.fuseProjections ?? defaultProjectionFusion;
    const fingerprint = await fingerprintCheckpoint(directory, checkpoint, `accuracy=${accuracyLevel};attention=${attention}${fuseProjections === 'all' ? '' : `;fuse=${fuseProjections}`}${options.maxBlockSize ? `;block=${options.maxBlockSize}` : ''}`);
    const target = path.join(options.cacheDir, fingerprint);
    const modelPath = path.join(target, 'model.onnx');
    if (existsSync(path.join(target, 'complete.json'))) return { config, modelPath, fingerprint, cached: true };

    const staging = `${target}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      const builder = new GraphBuilder({ externalDataPath: path.join(staging, 'model.onnx.data') });
      // In float32 (accuracy 0) 8-bit layers run as two exact 4-bit parts; see repack-matmul-nbits.ts.
      const source = checkpointWeightSource(checkpoint, config, { splitEightBit: accuracyLevel < 4, maxBlockSize: options.maxBlockSize });
      const progress: LlamaWeightSource = {
        ...source,
        linear: (layer, projection) => {
          if (projection === 'self_attn.q_proj') options.onProgress?.(`converting layer ${layer + 1} of ${config.shape.layers}`);
          return source.linear(layer, projection);
        },
      };
      await buildLlamaGraph(builder, config.shape, progress, { accuracyLevel, attention, fuseProjections });
      writeFileSync(path.join(staging, 'model.onnx'), builder.finish('beleg-gptq-llama'));
      writeFileSync(
        path.join(staging, 'complete.json'),
        JSON.stringify({ converterVersion: CONVERTER_VERSION, source: path.resolve(directory), accuracyLevel, createdAt: new Date().toISOString() }),
      );
      if (existsSync(path.join(target, 'complete.json'))) {
        // Another process finished the same conversion first; keep its copy (it may be in use).
        rmSync(staging, { recursive: true, force: true });
      } else {
        rmSync(target, { recursive: true, force: true });
        renameSync(staging, target);
      }
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    return { config, modelPath, fingerprint, cached: false };
  } finally {
    await checkpoint.dispose();
  }
}
