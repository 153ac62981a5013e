/**
 * A plain TypeScript Llama forward pass in float64 over the dequantized GPTQ weights, written
 * like run.c: no cache, no tricks, the whole sequence recomputed. It is the oracle the ONNX
 * engine is checked against on random checkpoints of every supported setting; keep it simple
 * rather than fast (tests use tiny shapes).
 */
import { SafetensorsCheckpoint } from '../safetensors/safetensors-checkpoint.ts';
import { readCheckpointConfig, type LlamaShape } from './checkpoint-config.ts';
import { layerProjections, type LayerProjection } from './llama-graph.ts';
import { readGptqLinear, toFloat32 } from './read-gptq-linear.ts';
import { dequantize } from './repack-matmul-nbits.ts';

/** Dequantized weights: Linear weights are [in, out]. */
export type ReferenceWeights = {
  embedding: Float32Array; // [vocab, hidden]
  lmHead: Float32Array; // [vocab, hidden]
  finalNorm: Float32Array;
  layers: Array<{
    inputNorm: Float32Array;
    postAttentionNorm: Float32Array;
    linear: Record<LayerProjection, { weight: Float32Array; inFeatures: number; outFeatures: number; bias?: Float32Array }>;
  }>;
};

/** Loads and dequantizes every weight of a (small) GPTQ checkpoint. */
export async function loadReferenceWeights(directory: string): Promise<{ shape: LlamaShape; weights: ReferenceWeights }> {
  const config = readCheckpointConfig(directory);
  const { shape } = config;
  const checkpoint = await SafetensorsCheckpoint.open(directory);
  try {
    const dimensions: Record<LayerProjection, [number, number]> = {
      'self_attn.q_proj': [shape.hiddenSize, shape.heads * shape.headDim],
      'self_attn.k_proj': [shape.hiddenSize, shape.kvHeads * shape.headDim],
      'self_attn.v_proj': [shape.hiddenSize, shape.kvHeads * shape.headDim],
      'self_attn.o_proj': [shape.heads * shape.headDim, shape.hiddenSize],
      'mlp.gate_proj': [shape.hiddenSize, shape.intermediateSize],
      'mlp.up_proj': [shape.hiddenSize, shape.intermediateSize],
      'mlp.down_proj': [shape.intermediateSize, shape.hiddenSize],
    };
    const floats = async (name: string) => new Float32Array(toFloat32(await checkpoint.read(name)));
    const embedding = await floats('model.embed_tokens.weight');
    const layers: ReferenceWeights['layers'] = [];
    for (let layer = 0; layer < shape.layers; layer++) {
      const prefix = `model.layers.${layer}`;
      const linear = {} as ReferenceWeights['layers'][number]['linear'];
      for (const projection of layerProjections) {
        const [inFeatures, outFeatures] = dimensions[projection];
        const gptq = await readGptqLinear(checkpoint, `${prefix}.${projection}`, inFeatures, outFeatures, config.quantization);
        linear[projection] = { weight: dequantize(gptq), inFeatures, outFeatures, bias: gptq.bias };
      }
      layers.push({
        inputNorm: await floats(`${prefix}.input_layernorm.weight`),
        postAttentionNorm: await floats(`${prefix}.post_attention_layernorm.weight`),
        linear,
      });
    }
    const lmHead = checkpoint.has('lm_head.weight') && !shape.tieWordEmbeddings ? await floats('lm_head.weight') : embedding;
    return { shape, weights: { embedding, lmHead, finalNorm: await floats('model.norm.weight'), layers } };
  } finally {
    await checkpoint.dispose();
  }
}

function rmsNorm(x: Float64Array, weight: Float32Array, eps: number): Float64Array {
  let sum = 0;
  for (const value of x) sum += value * value;
  const inverse = 1 / Math.sqrt(sum / x.length + eps);
  return x.map((value, index) => value * inverse * weight[index]);
}

function matmul(x: Float64Array, linear: { weight: Float32Array; inFeatures: number; outFeatures: number; bias?: Float32Array }): Float64Array {
  const out = new Float64Array(linear.outFeatures);
  for (let k = 0; k < linear.inFeatures; k++) {
    const value = x[k];
    const row = k * linear.outFeatures;
    for (let n = 0; n < linear.outFeatures; n++) out[n] += value * linear.weight[row + n];
  }
  if (linear.bias) for (let n = 0; n < linear.outFeatures; n++) out[n] += linear.bias[n];
  return out;
}

/** Applies RoPE (rotate_half convention) in place to every head of `vector` at `position`. */
function rotate(vector: Float64Array, headCount: number, headDim: number, position: number, theta: number): void {
  const half = headDim / 2;
  for (let head = 0; head < headCount; head++) {
    const base = head * headDim;
    for (let index = 0; index < half; index++) {
      const angle = position / theta ** ((2 * index) / headDim);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const first = vector[base + index];
      const second = vector[base + index + half];
      vector[base + index] = first * cos - second * sin;
      vector[base + index + half] = second * cos + first * sin;
    }
  }
}

/** Logits [positions][vocab] for every position of `tokens`. */
export function referenceForward(shape: LlamaShape, weights: ReferenceWeights, tokens: readonly number[]): Float64Array[] {
  const { hiddenSize, heads, kvHeads, headDim, vocabSize, rmsNormEps: eps } = shape;
  const group = heads / kvHeads;
  let hidden = tokens.map((token) => Float64Array.from(weights.embedding.subarray(token * hiddenSize, (token + 1) * hiddenSize)));
  for (const layer of weights.layers) {
    const keys: Float64Array[] = [];
    const values: Float64Array[] = [];
    const queries: Float64Array[] = [];
    hidden.forEach((x, position) => {
      const normed = rmsNorm(x, layer.inputNorm, eps);
      const query = matmul(normed, layer.linear['self_attn.q_proj']);
      const key = matmul(normed, layer.linear['self_attn.k_proj']);
      rotate(query, heads, headDim, position, shape.ropeTheta);
      rotate(key, kvHeads, headDim, position, shape.ropeTheta);
      queries.push(query);
      keys.push(key);
      values.push(matmul(normed, layer.linear['self_attn.v_proj']));
    });
    hidden = hidden.map((x, position) => {
      const context = new Float64Array(heads * headDim);
      for (let head = 0; head < heads; head++) {
        const kvHead = Math.floor(head / group);
        const scores = new Float64Array(position + 1);
        for (let past = 0; past <= position; past++) {
          let dot = 0;
          for (let index = 0; index < headDim; index++) dot += queries[position][head * headDim + index] * keys[past][kvHead * headDim + index];
          scores[past] = dot / Math.sqrt(headDim);
        }
        const max = Math.max(...scores);
        let sum = 0;
        for (let past = 0; past <= position; past++) sum += scores[past] = Math.exp(scores[past] - max);
        for (let past = 0; past <= position; past++) {
          for (let index = 0; index < headDim; index++) context[head * headDim + index] += (scores[past] / sum) * values[past][kvHead * headDim + index];
        }
      }
      const attended = matmul(context, layer.linear['self_attn.o_proj']);
      const afterAttention = x.map((value, index) => value + attended[index]);
      const normed = rmsNorm(afterAttention, layer.postAttentionNorm, eps);
      const gate = matmul(normed, layer.linear['mlp.gate_proj']);
      const up = matmul(normed, layer.linear['mlp.up_proj']);
      const activated = gate.map((value, index) => (value / (1 + Math.exp(-value))) * up[index]);
      const down = matmul(activated, layer.linear['mlp.down_proj']);
      return afterAttention.map((value, index) => value + down[index]);
    });
  }
  return hidden.map((x) => {
    const normed = rmsNorm(x, weights.finalNorm, eps);
    const logits = new Float64Array(vocabSize);
    for (let token = 0; token < vocabSize; token++) {
      let dot = 0;
      for (let index = 0; index < hiddenSize; index++) dot += normed[index] * weights.lmHead[token * hiddenSize + index];
      logits[token] = dot;
    }
    return logits;
  });
}
