/**
 * Writes random-weight Llama checkpoints in AutoGPTQ's exact on-disk format, for tests and
 * benchmarks: every setting AutoGPTQ can produce for Llama (4/8 bits; group size 32, 128, -1 or
 * other; act-order on/off; symmetric or asymmetric zero points; tied embeddings; grouped-query
 * attention; one file or shards with `model.safetensors.index.json`).
 *
 * The quantized values are drawn directly (no GPTQ solve is needed to exercise the format):
 * q uniform in [0, 2^bits), scales around 0.05/√(2^bits·…), zero points 2^(bits-1) when
 * symmetric or uniform when not (stored as zero−1, AutoGPTQ's convention, including the
 * stored value 2^bits−1 that means a zero point of 2^bits). With act-order, `g_idx` is a random
 * permutation of the groups, as GPTQ's Hessian ordering produces.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeFloat16 } from '../safetensors/float16.ts';
import { writeSafetensors, type TensorToWrite } from '../safetensors/write-safetensors.ts';
import { SeededRandom } from '../sampling/random.ts';
import { layerProjections, type LayerProjection } from './llama-graph.ts';

export type RandomCheckpointOptions = {
  directory: string;
  seed: number;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  bits: number;
  groupSize: number;
  actOrder: boolean;
  symmetric: boolean;
  tieWordEmbeddings?: boolean;
  /** Number of safetensors files (1: `model.safetensors`; more: shards plus an index). */
  shards?: number;
  maxPositions?: number;
  /** Copy tokenizer files from this directory. */
  tokenizerFrom?: string;
  /** Override config.json fields (to write deliberately unsupported checkpoints). */
  configOverrides?: Record<string, unknown>;
  /** Give every projection its own act-order permutation (AutoGPTQ shares one between q/k/v and gate/up). */
  independentInputOrders?: boolean;
  /** Override quantize_config.json fields. */
  quantizationOverrides?: Record<string, unknown>;
};

function int32Bytes(values: Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * The order in which GPTQ quantizes the input channels: with act-order a random permutation
 * (GPTQ sorts by the Hessian's diagonal), else the identity.
 */
function inputOrder(inFeatures: number, options: RandomCheckpointOptions, random: SeededRandom): Int32Array {
  const order = Int32Array.from({ length: inFeatures }, (_, index) => index);
  if (options.actOrder) {
    for (let index = inFeatures - 1; index > 0; index--) {
      const other = random.integer(0, index);
      [order[index], order[other]] = [order[other], order[index]];
    }
  }
  return order;
}

/** Tensors of one quantized Linear in AutoGPTQ layout, generated lazily. */
function quantizedLinear(
  prefix: string,
  inFeatures: number,
  outFeatures: number,
  options: RandomCheckpointOptions,
  random: SeededRandom,
  order: Int32Array,
): TensorToWrite[] {
  const { bits, groupSize } = options;
  const valuesPerWord = 32 / bits;
  const maxq = (1 << bits) - 1;
  const size = groupSize === -1 ? inFeatures : groupSize;
  const groups = Math.ceil(inFeatures / size);
  const groupIndex = new Int32Array(inFeatures);
  for (let position = 0; position < inFeatures; position++) groupIndex[order[position]] = Math.floor(position / size);

  const qweight = new Int32Array((inFeatures / valuesPerWord) * outFeatures);
  for (let row = 0; row < inFeatures / valuesPerWord; row++) {
    for (let n = 0; n < outFeatures; n++) {
      // Uniform random bits are uniform b-bit values in every slot.
      qweight[row * outFeatures + n] = random.nextUint32() | 0;
    }
  }
  const qzeros = new Int32Array(groups * (outFeatures / valuesPerWord));
  for (let group = 0; group < groups; group++) {
    for (let word = 0; word < outFeatures / valuesPerWord; word++) {
      let packed = 0;
      for (let j = 0; j < valuesPerWord; j++) {
        const stored = options.symmetric ? (maxq + 1) / 2 - 1 : random.integer(0, maxq);
        packed |= stored << (bits * j);
      }
      qzeros[group * (outFeatures / valuesPerWord) + word] = packed;
    }
  }
  // std(q - zero) ≈ 2^bits/√12; aim for weights of std ≈ 0.05/√(in/128) so activations stay O(1).
  const scaleBase = (0.05 * Math.sqrt(12)) / (maxq + 1) / Math.sqrt(inFeatures / 128);
  const scales = Float32Array.from({ length: groups * outFeatures }, () => scaleBase * (0.5 + random.next()));
  return [
    { name: `${prefix}.qweight`, dtype: 'I32', shape: [inFeatures / valuesPerWord, outFeatures], bytes: int32Bytes(qweight) },
    { name: `${prefix}.qzeros`, dtype: 'I32', shape: [groups, outFeatures / valuesPerWord], bytes: int32Bytes(qzeros) },
    { name: `${prefix}.scales`, dtype: 'F16', shape: [groups, outFeatures], bytes: encodeFloat16(scales) },
    { name: `${prefix}.g_idx`, dtype: 'I32', shape: [inFeatures], bytes: int32Bytes(groupIndex) },
  ];
}

/** Writes a random AutoGPTQ Llama checkpoint directory. */
export async function writeRandomGptqCheckpoint(options: RandomCheckpointOptions): Promise<void> {
  const random = new SeededRandom(options.seed);
  const { hiddenSize, intermediateSize, vocabSize, heads, kvHeads } = options;
  const headDim = hiddenSize / heads;
  mkdirSync(options.directory, { recursive: true });
  const floats = (count: number, make: () => number) => encodeFloat16(Float32Array.from({ length: count }, make));

  const dimensions: Record<LayerProjection, [number, number]> = {
    'self_attn.q_proj': [hiddenSize, heads * headDim],
    'self_attn.k_proj': [hiddenSize, kvHeads * headDim],
    'self_attn.v_proj': [hiddenSize, kvHeads * headDim],
    'self_attn.o_proj': [heads * headDim, hiddenSize],
    'mlp.gate_proj': [hiddenSize, intermediateSize],
    'mlp.up_proj': [hiddenSize, intermediateSize],
    'mlp.down_proj': [intermediateSize, hiddenSize],
  };
  const sharedInput: Record<LayerProjection, string> = {
    'self_attn.q_proj': 'attention',
    'self_attn.k_proj': 'attention',
    'self_attn.v_proj': 'attention',
    'self_attn.o_proj': 'self_attn.o_proj',
    'mlp.gate_proj': 'mlp',
    'mlp.up_proj': 'mlp',
    'mlp.down_proj': 'mlp.down_proj',
  };
  // Groups of tensors; each group is generated only when written, so big checkpoints stream.
  const groups: Array<() => TensorToWrite[]> = [];
  groups.push(() => [
    { name: 'model.embed_tokens.weight', dtype: 'F16', shape: [vocabSize, hiddenSize], bytes: floats(vocabSize * hiddenSize, () => 0.5 * random.normal()) },
  ]);
  for (let layer = 0; layer < options.layers; layer++) {
    groups.push(() => {
      const prefix = `model.layers.${layer}`;
      const tensors: TensorToWrite[] = [
        { name: `${prefix}.input_layernorm.weight`, dtype: 'F16', shape: [hiddenSize], bytes: floats(hiddenSize, () => 0.75 + 0.5 * random.next()) },
        { name: `${prefix}.post_attention_layernorm.weight`, dtype: 'F16', shape: [hiddenSize], bytes: floats(hiddenSize, () => 0.75 + 0.5 * random.next()) },
      ];
      // AutoGPTQ quantizes q, k, v (and gate, up) from the same inputs, hence the same Hessian
      // and the same act-order permutation; `independentInputOrders` gives each its own.
      const orders = new Map<string, Int32Array>();
      for (const projection of layerProjections) {
        const [inFeatures, outFeatures] = dimensions[projection];
        const input = options.independentInputOrders ? projection : sharedInput[projection];
        const order = orders.get(input) ?? inputOrder(inFeatures, options, random);
        orders.set(input, order);
        tensors.push(...quantizedLinear(`${prefix}.${projection}`, inFeatures, outFeatures, options, random, order));
      }
      return tensors;
    });
  }
  groups.push(() => [{ name: 'model.norm.weight', dtype: 'F16', shape: [hiddenSize], bytes: floats(hiddenSize, () => 0.75 + 0.5 * random.next()) }]);
  if (!options.tieWordEmbeddings) {
    groups.push(() => [
      { name: 'lm_head.weight', dtype: 'F16', shape: [vocabSize, hiddenSize], bytes: floats(vocabSize * hiddenSize, () => 0.05 * random.normal()) },
    ]);
  }

  const shards = Math.max(1, options.shards ?? 1);
  const perShard = Math.ceil(groups.length / shards);
  const weightMap: Record<string, string> = {};
  for (let shard = 0; shard < shards; shard++) {
    const fileName = shards === 1 ? 'model.safetensors' : `model-${String(shard + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const tensors = groups.slice(shard * perShard, (shard + 1) * perShard).flatMap((make) => make());
    for (const tensor of tensors) weightMap[tensor.name] = fileName;
    await writeSafetensors(path.join(options.directory, fileName), tensors, { format: 'pt' });
  }
  if (shards > 1) writeFileSync(path.join(options.directory, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));

  const quantization = {
    bits: options.bits,
    group_size: options.groupSize,
    damp_percent: 0.1,
    desc_act: options.actOrder,
    static_groups: false,
    sym: options.symmetric,
    true_sequential: true,
    model_name_or_path: null,
    model_file_base_name: 'model',
    quant_method: 'gptq',
    ...options.quantizationOverrides,
  };
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: hiddenSize,
    intermediate_size: intermediateSize,
    max_position_embeddings: options.maxPositions ?? 512,
    num_attention_heads: heads,
    num_hidden_layers: options.layers,
    num_key_value_heads: kvHeads,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000,
    tie_word_embeddings: options.tieWordEmbeddings ?? false,
    torch_dtype: 'float16',
    vocab_size: vocabSize,
    quantization_config: quantization,
    ...options.configOverrides,
  };
  writeFileSync(path.join(options.directory, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(path.join(options.directory, 'quantize_config.json'), JSON.stringify(quantization, null, 2));
  writeFileSync(path.join(options.directory, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }, null, 2));
  if (options.tokenizerFrom) {
    for (const name of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      const source = path.join(options.tokenizerFrom, name);
      if (existsSync(source)) copyFileSync(source, path.join(options.directory, name));
    }
  }
}
