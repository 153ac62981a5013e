/**
 * Builds the ONNX graph of a Llama decoder with GPTQ weights (MatMulNBits) for batch size 1;
 * the KV cache goes in as inputs, and what comes out depends on the attention variant (see
 * AttentionVariant below).
 *
 * Inputs:
 * - `input_ids` int64 [1, sequence]
 * - `logits_positions` int64 [wanted]: which of the sequence positions get logits (prefill asks
 *   only for the last one; the lm_head over 32000 tokens is otherwise the largest cost)
 * - `past_key_<l>`, `past_value_<l>` float [1, kvHeads, past, headDim]
 * - GroupQueryAttention variants: `seqlens_k` int32 [1] (filled cache + sequence − 1),
 *   `total_sequence_length` int32 scalar; `group-query` also `new_start`/`new_end` int64 [1],
 *   `position_ids` int64 [1, sequence], `decode_step` bool scalar, `cache_mask` float [past]
 * - `plain`: `position_ids` int64 [1, sequence], `attention_mask` float [sequence, total]
 *   (additive, 0 or -Infinity; total = past + sequence)
 * Outputs: `logits` float [1, wanted, vocab]; `new_key_<l>`/`new_value_<l>` [1, kvHeads, sequence,
 * headDim] (`group-query`) or `present_key_<l>`/`present_value_<l>` [1, kvHeads, total, headDim].
 *
 * With accuracy level 4 (fast mode) the lm_head is quantized to 8 bits as well; at level 0 it stays
 * float32 and the numerics follow transformers' LlamaForCausalLM in float32: RMSNorm `w * x / sqrt(mean(x²) + eps)`,
 * RoPE with the rotate_half convention, softmax(q·kᵀ/√d + mask)·v, SiLU MLP, untied or tied lm_head.
 * Attention is onnxruntime's fused GroupQueryAttention by default (RoPE, causal mask, GQA, KV
 * append); the `plain` variant spells it out in standard ops, folding the query heads that share
 * a key/value head into one batch dimension so k and v are never copied per query head.
 *
 * Decode speed (one token per run, so per-node overhead counts): RMSNorm and the residual add
 * are onnxruntime's fused (Skip)SimplifiedLayerNormalization; q/k/v and gate/up each run as one
 * MatMulNBits when they share their act-order permutation (AutoGPTQ writes them so), packed QKV
 * going straight into GroupQueryAttention; down_proj's act-order Gather is folded into the order
 * of gate/up's outputs (fuse-linears.ts). Per layer that leaves 4 MatMulNBits and 2 Gathers.
 */
import { DataType, float, type GraphBuilder } from '../onnx/graph-builder.ts';
import { decodeFloat16, encodeFloat16 } from '../safetensors/float16.ts';
import type { LlamaShape } from './checkpoint-config.ts';
import { concatenateOutputs, permuteOutputs } from './fuse-linears.ts';
import type { NBitsLinear } from './repack-matmul-nbits.ts';

/** The projections of one decoder layer, in the order the graph reads them. */
export const layerProjections = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
] as const;
export type LayerProjection = (typeof layerProjections)[number];

/** Where the graph gets its weights; each is asked for once, in graph order, so memory stays flat. */
export type LlamaWeightSource = {
  /** [vocab, hidden] */
  embedding(): Promise<Float32Array>;
  /** [vocab, hidden], or null when tied to the embedding. */
  lmHead(): Promise<Float32Array | null>;
  /** `model.norm` or `model.layers.N.input_layernorm` etc.: [hidden] */
  norm(name: string): Promise<Float32Array>;
  linear(layer: number, projection: LayerProjection): Promise<NBitsLinear>;
};

export type ProjectionFusion = 'all' | 'attention' | 'mlp' | 'none';

/**
 * How attention and its KV cache are built:
 * - `group-query` (default): the cache lives in buffers the caller owns, passed as read-only
 *   `past_key_<l>`/`past_value_<l>` [1, kvHeads, past, headDim] (`seqlens_k` and `cache_mask` say
 *   how much is filled); the graph outputs only the new positions' keys (after RoPE) and values,
 *   `new_key_<l>`/`new_value_<l>` [1, kvHeads, sequence, headDim], which the caller appends.
 *   Prompts run onnxruntime's fused GroupQueryAttention, single decode steps standard ops that
 *   read the cache in place (an `If` on `decode_step`; see cachedAttention).
 * - `group-query-shared-buffer`: the same kernel with the cache as `present_*` outputs bound to the
 *   `past_*` buffers, appended in place. But onnxruntime-node copies every output it returns into a
 *   new ArrayBuffer, even a preallocated one, so the whole cache is copied into fresh memory every
 *   token (a 13B model at 2,048 positions: 3.4 GB per token). Measured in bench/engine
 *   (TinyLlama shape, 1,500-token prompt): 92 ms per decode step against 69 ms for `group-query`.
 * - `plain`: standard ONNX ops, the cache concatenated into `present_*` outputs; a readable
 *   cross-check.
 */
export type AttentionVariant = 'group-query' | 'group-query-shared-buffer' | 'plain';
export const defaultAttention: AttentionVariant = 'group-query';
/** Measured in bench/engine (profile-decode.ts --fuse): see the note in the file header. */
export const defaultProjectionFusion: ProjectionFusion = 'all';

export type LlamaGraphOptions = {
  /** MatMulNBits `accuracy_level`: 0 computes in float32 (exact); 4 quantizes activations to int8 (faster). */
  accuracyLevel: number;
  /**
   * `group-query`: onnxruntime's fused GroupQueryAttention (RoPE, causal mask, GQA and the cache
   * append in one kernel; inputs `seqlens_k` and `total_sequence_length`). `plain`: standard ONNX
   * ops with an additive `attention_mask` input, kept as a readable cross-check.
   */
  attention?: AttentionVariant;
  /** Which projections run as one MatMulNBits where possible: q/k/v (`attention`), gate/up (`mlp`), both or none. */
  fuseProjections?: ProjectionFusion;
};

/** RoPE cos/sin tables [maxPositions, headDim], computed like transformers does in float32. */
export function ropeTables(shape: LlamaShape): { cos: Float32Array; sin: Float32Array } {
  const half = shape.headDim / 2;
  const inverseFrequency = Float32Array.from({ length: half }, (_, index) => 1 / shape.ropeTheta ** ((2 * index) / shape.headDim));
  const cos = new Float32Array(shape.maxPositions * shape.headDim);
  const sin = new Float32Array(shape.maxPositions * shape.headDim);
  for (let position = 0; position < shape.maxPositions; position++) {
    for (let index = 0; index < half; index++) {
      const angle = Math.fround(position * inverseFrequency[index]);
      const row = position * shape.headDim;
      cos[row + index] = cos[row + index + half] = Math.cos(angle);
      sin[row + index] = sin[row + index + half] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Adds the whole Llama graph to `builder`. */
export async function buildLlamaGraph(
  builder: GraphBuilder,
  shape: LlamaShape,
  weights: LlamaWeightSource,
  options: LlamaGraphOptions,
): Promise<void> {
  const { hiddenSize, heads, kvHeads, headDim, vocabSize } = shape;
  const groupSize = heads / kvHeads;

  const inputIds = builder.input('input_ids', 'int64', [1, 'sequence']);
  const variant = options.attention ?? defaultAttention;
  const groupQueryExternal = variant === 'group-query';
  const fused = variant === 'group-query' || variant === 'group-query-shared-buffer';
  // Positions for RoPE: `plain`, and the decode branch of `group-query` (see cachedAttention).
  const plainOps = !fused || groupQueryExternal;
  const positionIds = plainOps ? builder.input('position_ids', 'int64', [1, 'sequence']) : '';
  const logitsPositions = builder.input('logits_positions', 'int64', ['wanted']);

  // ---- shared constants
  const attentionScale = fused ? '' : builder.floats('attention_scale', [], [1 / Math.sqrt(headDim)]);
  const axisTwo = fused ? '' : builder.int64s('axis_2', [1], [2]);
  const qShape = fused ? '' : builder.int64s('q_shape', [4], [1, -1, heads, headDim]);
  const kvShape = fused ? '' : builder.int64s('kv_shape', [4], [1, -1, kvHeads, headDim]);
  const foldedQueryShape = fused ? '' : builder.int64s('folded_query_shape', [5], [1, kvHeads, groupSize, -1, headDim]);
  const unfoldedShape = fused ? '' : builder.int64s('unfolded_shape', [4], [1, heads, -1, headDim]);
  const mergedShape = plainOps ? builder.int64s('merged_shape', [3], [1, -1, heads * headDim]) : '';
  const { cos, sin } = ropeTables(shape);
  const cosTable = fused ? '' : builder.floats('rope_cos', [shape.maxPositions, headDim], cos);
  const sinTable = fused ? '' : builder.floats('rope_sin', [shape.maxPositions, headDim], sin);

  // Plain attention: RoPE rows for the positions [1, 1, sequence, headDim] and a mask input.
  const attentionMask = fused ? '' : builder.input('attention_mask', 'float', ['sequence', 'total']);
  const ropeCos = fused ? '' : builder.op('Unsqueeze', [builder.op('Gather', [cosTable, positionIds], { axis: 0 }), builder.int64s('axis_1', [1], [1])]);
  const ropeSin = fused ? '' : builder.op('Unsqueeze', [builder.op('Gather', [sinTable, positionIds], { axis: 0 }), builder.int64s('axis_1b', [1], [1])]);
  // `group-query`: which branch runs (true: one new token after a filled cache), and the cache
  // mask [past] of the decode branch (0 where filled, -Infinity in the unused room).
  const decodeStep = groupQueryExternal ? builder.input('decode_step', 'bool', []) : '';
  const cacheMask = groupQueryExternal ? builder.input('cache_mask', 'float', ['past']) : '';
  const decodeRowsShape = groupQueryExternal ? builder.int64s('decode_rows_shape', [4], [1, kvHeads, groupSize, headDim]) : '';
  const decodeKeyShape = groupQueryExternal ? builder.int64s('decode_key_shape', [4], [1, kvHeads, 1, headDim]) : '';
  const decodeSplit = groupQueryExternal ? builder.op('Concat', [builder.op('Shape', [cacheMask]), builder.int64s('one', [1], [1])], { axis: 0 }) : '';
  // Fused attention: half-width RoPE caches [maxPositions, headDim / 2] and sequence lengths.
  const seqlensK = fused ? builder.input('seqlens_k', 'int32', [1]) : '';
  const totalSequenceLength = fused ? builder.input('total_sequence_length', 'int32', []) : '';
  const halfCos = fused ? builder.floats('rope_cos_half', [shape.maxPositions, headDim / 2], halfTable(cos, shape)) : '';
  const halfSin = fused ? builder.floats('rope_sin_half', [shape.maxPositions, headDim / 2], halfTable(sin, shape)) : '';

  // RMSNorm as onnxruntime's fused kernels (one node instead of seven; they accumulate the mean
  // square in double, so they are at least as exact as transformers' float32). With a `delta`
  // the residual add is fused too: returns [normalized(residual + delta), residual + delta].
  const addAndNorm = (residual: string, delta: string | null, weight: Float32Array, prefix: string): [string, string] => {
    const scale = builder.floats(`${prefix}.weight`, [hiddenSize], weight);
    const epsilon = float(shape.rmsNormEps);
    if (delta === null) return [builder.op('SimplifiedLayerNormalization', [residual, scale], { axis: -1, epsilon }), residual];
    const [normed, , , sum] = builder.node(
      'SkipSimplifiedLayerNormalization',
      [delta, residual, scale],
      { epsilon },
      { outputs: [builder.name(`${prefix}_out`), '', '', builder.name(`${prefix}_residual`)], domain: 'com.microsoft' },
    );
    return [normed, sum];
  };
  // Splits the last axis of a fused projection's output into pieces of `sizes`.
  const splitLast = (x: string, sizes: number[]): string[] =>
    builder.node('Split', [x, builder.int64s('split_sizes', [sizes.length], sizes)], { axis: -1 }, { outputs: sizes.length });

  // Act-order Gathers are shared between projections with the same permutation (q, k, v usually).
  let gathered: Array<{ input: string; permutation: Int32Array; output: string }> = [];
  const linear = (x: string, weight: NBitsLinear): string => {
    let input = x;
    if (weight.permutation) {
      const existing = gathered.find((entry) => entry.input === x && sameValues(entry.permutation, weight.permutation!));
      if (existing) input = existing.output;
      else {
        const indices = builder.int64s(`${weight.name}.permutation`, [weight.K], weight.permutation);
        input = builder.op('Gather', [x, indices], { axis: -1 });
        gathered.push({ input: x, permutation: weight.permutation, output: input });
      }
    }
    const kBlocks = Math.ceil(weight.K / weight.blockSize);
    let output = '';
    weight.parts.forEach((part, index) => {
      const prefix = `${weight.name}.part${index}`;
      const packed = builder.initializer(`${prefix}.B`, 'uint8', [weight.N, kBlocks, (weight.blockSize * part.bits) / 8], part.packed);
      const scales = builder.floats(`${prefix}.scales`, [part.scales.length], part.scales);
      const zeroPoints = builder.initializer(`${prefix}.zero_points`, 'uint8', [part.zeroPoints.length], part.zeroPoints);
      const product = builder.op(
        'MatMulNBits',
        [input, packed, scales, zeroPoints],
        { K: weight.K, N: weight.N, bits: part.bits, block_size: weight.blockSize, accuracy_level: options.accuracyLevel },
        'com.microsoft',
      );
      output = output ? builder.op('Add', [output, product]) : product;
    });
    if (weight.bias) output = builder.op('Add', [output, builder.floats(`${weight.name}.bias`, [weight.N], weight.bias)]);
    return output;
  };

  // x: [1, heads or kvHeads, sequence, headDim]
  const rotary = (x: string): string => {
    const [first, second] = builder.node('Split', [x], { axis: -1 }, { outputs: 2 });
    const rotated = builder.op('Concat', [builder.op('Neg', [second]), first], { axis: -1 });
    return builder.op('Add', [builder.op('Mul', [x, ropeCos]), builder.op('Mul', [rotated, ropeSin])]);
  };

  const declarePresent = (layer: number): [string, string] => {
    builder.output(`present_key_${layer}`, 'float', [1, kvHeads, 'total', headDim]);
    builder.output(`present_value_${layer}`, 'float', [1, kvHeads, 'total', headDim]);
    return [`present_key_${layer}`, `present_value_${layer}`];
  };

  // query [1, sequence, heads*headDim], key/value [1, sequence, kvHeads*headDim] → [1, sequence, heads*headDim]
  const newStart = groupQueryExternal ? builder.input('new_start', 'int64', [1]) : '';
  const newEnd = groupQueryExternal ? builder.input('new_end', 'int64', [1]) : '';
  const sequenceAxis = groupQueryExternal ? builder.int64s('sequence_axis', [1], [2]) : '';
  // Returns the attention output; with `group-query` also the new positions' keys and values.
  const groupQueryAttention = (query: string, key: string, value: string, pastKey: string, pastValue: string, layer: number): string[] => {
    const present: [string, string] = groupQueryExternal ? [builder.name(`present_key_${layer}`), builder.name(`present_value_${layer}`)] : declarePresent(layer);
    const [output] = builder.node(
      'GroupQueryAttention',
      [query, key, value, pastKey, pastValue, seqlensK, totalSequenceLength, halfCos, halfSin],
      { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1, rotary_interleaved: 0, scale: float(1 / Math.sqrt(headDim)) },
      { outputs: [builder.name(`attention_${layer}`), ...present], domain: 'com.microsoft' },
    );
    if (!groupQueryExternal) return [output!];
    // Only the new positions leave the graph (the caller appends them to its cache).
    return [output!, ...present.map((tensor) => builder.op('Slice', [tensor, newStart, newEnd, sequenceAxis]))];
  };

  /**
   * `group-query`: attention over the caller's cache as an `If` on `decode_step`. A prompt (more
   * than one new position, or an empty cache) runs GroupQueryAttention, which joins cache and new
   * positions in one native copy and is the fastest prefill here. A decode step runs standard ops
   * that read the cache in place: scores against the cache (FusedMatMul with transB, so the keys
   * are read transposed, not copied) and against the new position, one softmax over both,
   * P_cache·V_cache + P_new·V_new. At a 1,500-token cache that saves the per-token copy
   * GroupQueryAttention makes (bench/engine).
   * Returns the attention output and the new positions' keys and values.
   */
  const cachedAttention = (query: string, key: string, value: string, pastKey: string, pastValue: string, layer: number): [string, string, string] => {
    const outputs = [
      { type: 'float' as const, dims: [1, 'sequence', heads * headDim] },
      { type: 'float' as const, dims: [1, kvHeads, 'sequence', headDim] },
      { type: 'float' as const, dims: [1, kvHeads, 'sequence', headDim] },
    ];
    const decode = builder.subgraph(`decode_attention_${layer}`, outputs, () => {
      // One new position: [1, 1, n·hd] reshapes to heads without a transpose.
      const [q, k, v] = key ? [query, key, value] : builder.node('Split', [query, builder.int64s('qkv_sizes', [3], [heads * headDim, kvHeads * headDim, kvHeads * headDim])], { axis: -1 }, { outputs: 3 });
      const rope = (x: string, count: number) =>
        builder.op('RotaryEmbedding', [x, positionIds, halfCos, halfSin], { interleaved: 0, num_heads: count }, 'com.microsoft');
      const rows = builder.op('Reshape', [rope(q!, heads), decodeRowsShape]); // [1, kv, group, hd]
      const keyHeads = builder.op('Reshape', [rope(k!, kvHeads), decodeKeyShape]); // [1, kv, 1, hd]
      const valueHeads = builder.op('Reshape', [v!, decodeKeyShape]);
      const scale = float(1 / Math.sqrt(headDim));
      const cacheScores = builder.op('Add', [builder.op('FusedMatMul', [rows, pastKey], { transB: 1, alpha: scale }, 'com.microsoft'), cacheMask]); // [1, kv, group, past]
      const newScores = builder.op('FusedMatMul', [rows, keyHeads], { transB: 1, alpha: scale }, 'com.microsoft'); // [1, kv, group, 1]
      const probabilities = builder.op('Softmax', [builder.op('Concat', [cacheScores, newScores], { axis: -1 })], { axis: -1 });
      const [cacheProbabilities, newProbabilities] = builder.node('Split', [probabilities, decodeSplit], { axis: -1 }, { outputs: 2 });
      const context = builder.op('Add', [builder.op('MatMul', [cacheProbabilities!, pastValue]), builder.op('MatMul', [newProbabilities!, valueHeads])]); // [1, kv, group, hd]
      return [builder.op('Reshape', [context, mergedShape]), keyHeads, valueHeads];
    });
    const prompt = builder.subgraph(`prompt_attention_${layer}`, outputs, () => groupQueryAttention(query, key, value, pastKey, pastValue, layer));
    const [attention, newKey, newValue] = builder.node(
      'If',
      [decodeStep],
      { then_branch: { graph: decode }, else_branch: { graph: prompt } },
      { outputs: [builder.name(`attention_${layer}`), `new_key_${layer}`, `new_value_${layer}`] },
    );
    builder.output(`new_key_${layer}`, 'float', [1, kvHeads, 'sequence', headDim]);
    builder.output(`new_value_${layer}`, 'float', [1, kvHeads, 'sequence', headDim]);
    return [attention!, newKey!, newValue!];
  };

  const plainAttention = (query: string, key: string, value: string, pastKey: string, pastValue: string, layer: number): string => {
    const perm = { perm: [0, 2, 1, 3] };
    // [1, heads, sequence, headDim] and [1, kvHeads, sequence, headDim]
    const queryHeads = rotary(builder.op('Transpose', [builder.op('Reshape', [query, qShape])], perm));
    const keyHeads = rotary(builder.op('Transpose', [builder.op('Reshape', [key, kvShape])], perm));
    const valueHeads = builder.op('Transpose', [builder.op('Reshape', [value, kvShape])], perm);
    const [presentKeyName, presentValueName] = declarePresent(layer);
    // [1, kvHeads, total, headDim]
    const presentKey = builder.node('Concat', [pastKey, keyHeads], { axis: 2 }, { outputs: [presentKeyName] })[0];
    const presentValue = builder.node('Concat', [pastValue, valueHeads], { axis: 2 }, { outputs: [presentValueName] })[0];
    // Fold the query heads of each key/value head: [1, kvHeads, group, sequence, headDim]
    const foldedQuery = builder.op('Reshape', [builder.op('Mul', [queryHeads, attentionScale]), foldedQueryShape]);
    const keyTransposed = builder.op('Unsqueeze', [builder.op('Transpose', [presentKey], { perm: [0, 1, 3, 2] }), axisTwo]); // [1, kvHeads, 1, headDim, total]
    const scores = builder.op('Add', [builder.op('MatMul', [foldedQuery, keyTransposed]), attentionMask]); // [1, kvHeads, group, sequence, total]
    const probabilities = builder.op('Softmax', [scores], { axis: -1 });
    const context = builder.op('MatMul', [probabilities, builder.op('Unsqueeze', [presentValue, axisTwo])]); // [1, kvHeads, group, sequence, headDim]
    return builder.op('Reshape', [builder.op('Transpose', [builder.op('Reshape', [context, unfoldedShape])], perm), mergedShape]); // [1, sequence, hidden]
  };

  // ---- embeddings
  // Stored as float16 when that is exact (checkpoints keep it in float16): half the memory, and
  // only one row per token is read. A float32 copy is kept only when the exact lm_head is tied to it.
  let embedding: Float32Array | null = await weights.embedding();
  const quantizedHead = options.accuracyLevel >= 4 && hiddenSize % 32 === 0;
  const halfEmbedding = shape.tieWordEmbeddings && !quantizedHead ? null : exactFloat16(embedding);
  let embeddingTable = '';
  let hidden: string; // [1, sequence, hidden]
  if (halfEmbedding) {
    const halfTable = builder.initializer('model.embed_tokens.weight', 'float16', [vocabSize, hiddenSize], halfEmbedding);
    hidden = builder.op('Cast', [builder.op('Gather', [halfTable, inputIds], { axis: 0 })], { to: DataType.float });
  } else {
    embeddingTable = builder.floats('model.embed_tokens.weight', [vocabSize, hiddenSize], embedding);
    hidden = builder.op('Gather', [embeddingTable, inputIds], { axis: 0 });
  }
  // Keep the float32 table in memory only if the lm_head may be tied to it.
  if (!shape.tieWordEmbeddings) embedding = null;

  // ---- decoder layers
  // `hidden` is the residual stream; `pendingDelta` the last sublayer's output, added to it by
  // the next norm (SkipSimplifiedLayerNormalization).
  let pendingDelta: string | null = null;
  const qSize = heads * headDim;
  const kvSize = kvHeads * headDim;
  for (let layer = 0; layer < shape.layers; layer++) {
    gathered = [];
    const prefix = `model.layers.${layer}`;
    const pastKey = builder.input(`past_key_${layer}`, 'float', [1, kvHeads, 'past', headDim]);
    const pastValue = builder.input(`past_value_${layer}`, 'float', [1, kvHeads, 'past', headDim]);

    let normed: string;
    [normed, hidden] = addAndNorm(hidden, pendingDelta, await weights.norm(`${prefix}.input_layernorm`), `${prefix}.input_layernorm`);
    const qWeight = await weights.linear(layer, 'self_attn.q_proj');
    const kWeight = await weights.linear(layer, 'self_attn.k_proj');
    const vWeight = await weights.linear(layer, 'self_attn.v_proj');
    const fusion = options.fuseProjections ?? defaultProjectionFusion;
    const qkvWeight = (fusion === 'all' || fusion === 'attention') && concatenateOutputs(`${prefix}.self_attn.qkv_proj`, [qWeight, kWeight, vWeight]);
    let merged: string;
    if (qkvWeight && groupQueryExternal) {
      merged = cachedAttention(linear(normed, qkvWeight), '', '', pastKey, pastValue, layer)[0];
    } else if (qkvWeight && fused) {
      // Packed QKV straight into GroupQueryAttention (key and value inputs omitted).
      merged = groupQueryAttention(linear(normed, qkvWeight), '', '', pastKey, pastValue, layer)[0]!;
    } else {
      const [query, key, value] = qkvWeight
        ? splitLast(linear(normed, qkvWeight), [qSize, kvSize, kvSize])
        : [linear(normed, qWeight), linear(normed, kWeight), linear(normed, vWeight)];
      merged = groupQueryExternal
        ? cachedAttention(query!, key!, value!, pastKey, pastValue, layer)[0]
        : fused
          ? groupQueryAttention(query!, key!, value!, pastKey, pastValue, layer)[0]!
          : plainAttention(query!, key!, value!, pastKey, pastValue, layer);
    }
    const attentionOutput = linear(merged, await weights.linear(layer, 'self_attn.o_proj'));

    let postNormed: string;
    [postNormed, hidden] = addAndNorm(hidden, attentionOutput, await weights.norm(`${prefix}.post_attention_layernorm`), `${prefix}.post_attention_layernorm`);
    let gateWeight = await weights.linear(layer, 'mlp.gate_proj');
    let upWeight = await weights.linear(layer, 'mlp.up_proj');
    let downWeight = await weights.linear(layer, 'mlp.down_proj');
    if (downWeight.permutation) {
      // down_proj's act-order Gather moves into gate and up's output order (see fuse-linears.ts).
      gateWeight = permuteOutputs(gateWeight, downWeight.permutation);
      upWeight = permuteOutputs(upWeight, downWeight.permutation);
      downWeight = { ...downWeight, permutation: null };
    }
    const gateUpWeight = (fusion === 'all' || fusion === 'mlp') && concatenateOutputs(`${prefix}.mlp.gate_up_proj`, [gateWeight, upWeight]);
    const [gate, up] = gateUpWeight
      ? splitLast(linear(postNormed, gateUpWeight), [gateWeight.N, upWeight.N])
      : [linear(postNormed, gateWeight), linear(postNormed, upWeight)];
    const activated = builder.op('Mul', [builder.op('Mul', [gate, builder.op('Sigmoid', [gate])]), up]);
    pendingDelta = linear(activated, downWeight);
  }

  // ---- head
  const [finalNormed] = addAndNorm(hidden, pendingDelta, await weights.norm('model.norm'), 'model.norm');
  const wanted = builder.op('Gather', [finalNormed, logitsPositions], { axis: 1 }); // [1, wanted, hidden]
  const lmHead = (await weights.lmHead()) ?? embedding ?? (await weights.embedding());
  let logits: string;
  if (quantizedHead) {
    // Fast mode: the lm_head (the largest single matrix read per token) as 8-bit blocks of 32.
    const quantized = quantizeRowsInt8(lmHead, vocabSize, hiddenSize, 32);
    logits = builder.op(
      'MatMulNBits',
      [
        wanted,
        builder.initializer('lm_head.B', 'uint8', [vocabSize, hiddenSize / 32, 32], quantized.packed),
        builder.floats('lm_head.scales', [quantized.scales.length], quantized.scales),
      ],
      { K: hiddenSize, N: vocabSize, bits: 8, block_size: 32, accuracy_level: options.accuracyLevel },
      'com.microsoft',
    );
  } else {
    const headTable = lmHead === embedding && embeddingTable ? embeddingTable : builder.floats('lm_head.weight', [vocabSize, hiddenSize], lmHead);
    const flat = builder.op('Reshape', [wanted, builder.int64s('flat_shape', [2], [-1, hiddenSize])]);
    logits = builder.op('Gemm', [flat, headTable], { transB: 1 });
  }
  builder.node('Reshape', [logits, builder.int64s('logits_shape', [3], [1, -1, vocabSize])], {}, { outputs: ['logits'] });
  builder.output('logits', 'float', [1, 'wanted', vocabSize]);
}

/**
 * Symmetric 8-bit quantization of a [rows, columns] matrix in blocks of `block` columns (zero
 * point 128, the MatMulNBits default): `w ≈ scale * (q - 128)`, `scale = max|w| / 127`.
 */
export function quantizeRowsInt8(matrix: Float32Array, rows: number, columns: number, block: number): { packed: Uint8Array; scales: Float32Array } {
  const blocks = columns / block;
  const packed = new Uint8Array(rows * columns);
  const scales = new Float32Array(rows * blocks);
  for (let row = 0; row < rows; row++) {
    for (let index = 0; index < blocks; index++) {
      const start = row * columns + index * block;
      let max = 0;
      for (let column = 0; column < block; column++) max = Math.max(max, Math.abs(matrix[start + column]));
      const scale = max / 127 || 1;
      scales[row * blocks + index] = scale;
      for (let column = 0; column < block; column++) packed[start + column] = Math.round(matrix[start + column] / scale) + 128;
    }
  }
  return { packed, scales };
}

/** `values` as float16 bytes if every value is exactly representable, else null. */
function exactFloat16(values: Float32Array): Uint8Array | null {
  const encoded = encodeFloat16(values);
  const chunk = 1 << 16; // check in slices so no second full-size float32 copy exists
  for (let start = 0; start < values.length; start += chunk) {
    const end = Math.min(start + chunk, values.length);
    const decoded = decodeFloat16(encoded.subarray(start * 2, end * 2));
    for (let index = start; index < end; index++) if (decoded[index - start] !== values[index]) return null;
  }
  return encoded;
}

/** The first half of each row of a [maxPositions, headDim] table (the two halves are equal). */
function halfTable(table: Float32Array, shape: LlamaShape): Float32Array {
  const half = shape.headDim / 2;
  const result = new Float32Array(shape.maxPositions * half);
  for (let position = 0; position < shape.maxPositions; position++) {
    result.set(table.subarray(position * shape.headDim, position * shape.headDim + half), position * half);
  }
  return result;
}

function sameValues(first: Int32Array, second: Int32Array): boolean {
  if (first.length !== second.length) return false;
  for (let index = 0; index < first.length; index++) if (first[index] !== second[index]) return false;
  return true;
}
