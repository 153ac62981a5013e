/**
 * Writes a random-weight Llama model as a GGUF file (version 3) with Q4_0 weights, for the
 * llama.cpp side of bench/engine. Format: "GGUF", version, tensor count, metadata count,
 * metadata key/values, tensor infos (name, dims innermost first, type, offset), then the tensor
 * data aligned to 32 bytes. Q4_0 stores blocks of 32 weights as a float16 scale and 16 bytes of
 * 4-bit values (`(q - 8) * scale`; byte j holds weights j and j + 16).
 *
 * The vocabulary is Llama-2's (assets/llama-2-tokenizer/tokenizer.json) with tokenizer model
 * "llama", so llama.cpp loads it like any Llama-2 GGUF. Weights are random: speed, not text.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { encodeFloat16 } from '../../src/engine/safetensors/float16.ts';

export type GgufLlamaShape = {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  contextLength: number;
};

const valueType = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;
const tensorType = { float32: 0, q4_0: 2 } as const;
const alignment = 32;
const q4BlockBytes = 18;

type MetadataValue =
  | { type: 'uint32' | 'int32' | 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; element: 'string'; values: string[] }
  | { type: 'array'; element: 'float32' | 'int32'; values: number[] };

/** Growable little-endian byte writer for the header. */
class ByteWriter {
  #buffer = Buffer.alloc(1 << 20);
  #length = 0;
  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const larger = Buffer.alloc(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(larger, 0, 0, this.#length);
    this.#buffer = larger;
  }
  uint32(value: number): void {
    this.#reserve(4);
    this.#length = this.#buffer.writeUInt32LE(value, this.#length);
  }
  uint8(value: number): void {
    this.#reserve(1);
    this.#length = this.#buffer.writeUInt8(value, this.#length);
  }
  int32(value: number): void {
    this.#reserve(4);
    this.#length = this.#buffer.writeInt32LE(value, this.#length);
  }
  uint64(value: number): void {
    this.#reserve(8);
    this.#length = this.#buffer.writeBigUInt64LE(BigInt(value), this.#length);
  }
  float32(value: number): void {
    this.#reserve(4);
    this.#length = this.#buffer.writeFloatLE(value, this.#length);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.uint64(bytes.length);
    this.#reserve(bytes.length);
    this.#length += bytes.copy(this.#buffer, this.#length);
  }
  pad(to: number): void {
    const padding = (to - (this.#length % to)) % to;
    this.#reserve(padding);
    this.#buffer.fill(0, this.#length, this.#length + padding);
    this.#length += padding;
  }
  get bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }
}

const tokenizerSchema = z.object({
  model: z.object({ vocab: z.record(z.string(), z.number().int()) }),
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string(), special: z.boolean() })),
});

/** Llama-2 vocabulary as GGUF arrays: tokens, scores (minus the id, like SentencePiece's ranks) and token types. */
function llamaVocabulary(tokenizerPath: string, vocabSize: number): { tokens: string[]; scores: number[]; types: number[] } {
  const tokenizer = tokenizerSchema.parse(JSON.parse(readFileSync(tokenizerPath, 'utf8')));
  const tokens = Array.from({ length: vocabSize }, (_, id) => `<unused${id}>`);
  for (const [token, id] of Object.entries(tokenizer.model.vocab)) if (id < vocabSize) tokens[id] = token;
  const special = new Set(tokenizer.added_tokens.filter((token) => token.special).map((token) => token.id));
  const types = tokens.map((token, id) => (id === 0 ? 2 : special.has(id) ? 3 : /^<0x[0-9A-F]{2}>$/.test(token) ? 6 : 1)); // unknown, control, byte, normal
  const scores = tokens.map((_, id) => (special.has(id) || types[id] === 6 ? 0 : -id));
  return { tokens, scores, types };
}

/** Random Q4_0 blocks for `count` weights (a multiple of 32), scale about 1/sqrt(fan-in). */
function randomQ4(count: number, fanIn: number): Buffer {
  const blocks = count / 32;
  const data = Buffer.alloc(blocks * q4BlockBytes);
  randomFillSync(data);
  const scale = Buffer.from(encodeFloat16(Float32Array.of(0.5 / Math.sqrt(fanIn))).buffer);
  for (let block = 0; block < blocks; block++) scale.copy(data, block * q4BlockBytes);
  return data;
}

/** Writes `shape` with random Q4_0 weights (float32 norms of ones) to `filePath`; returns its size in bytes. */
export function writeRandomQ4Gguf(filePath: string, shape: GgufLlamaShape, tokenizerPath: string): number {
  const { vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads } = shape;
  const headDim = hiddenSize / heads;
  const vocabulary = llamaVocabulary(tokenizerPath, vocabSize);
  const metadata: Array<[string, MetadataValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'beleg random q4_0 llama' }],
    ['general.alignment', { type: 'uint32', value: alignment }],
    ['general.file_type', { type: 'uint32', value: 2 }], // MOSTLY_Q4_0
    ['llama.context_length', { type: 'uint32', value: shape.contextLength }],
    ['llama.embedding_length', { type: 'uint32', value: hiddenSize }],
    ['llama.block_count', { type: 'uint32', value: layers }],
    ['llama.feed_forward_length', { type: 'uint32', value: intermediateSize }],
    ['llama.rope.dimension_count', { type: 'uint32', value: headDim }],
    ['llama.attention.head_count', { type: 'uint32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'uint32', value: kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['llama.rope.freq_base', { type: 'float32', value: 10000 }],
    ['llama.vocab_size', { type: 'uint32', value: vocabSize }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', element: 'string', values: vocabulary.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', element: 'float32', values: vocabulary.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', element: 'int32', values: vocabulary.types }],
    ['tokenizer.ggml.bos_token_id', { type: 'uint32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'uint32', value: 2 }],
    ['tokenizer.ggml.unknown_token_id', { type: 'uint32', value: 0 }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
  ];
  // [name, dims (innermost first), type, fan-in]
  const tensors: Array<{ name: string; dims: number[]; type: 'float32' | 'q4_0' }> = [
    { name: 'token_embd.weight', dims: [hiddenSize, vocabSize], type: 'q4_0' },
  ];
  for (let layer = 0; layer < layers; layer++) {
    const block = `blk.${layer}`;
    tensors.push(
      { name: `${block}.attn_norm.weight`, dims: [hiddenSize], type: 'float32' },
      { name: `${block}.attn_q.weight`, dims: [hiddenSize, hiddenSize], type: 'q4_0' },
      { name: `${block}.attn_k.weight`, dims: [hiddenSize, kvHeads * headDim], type: 'q4_0' },
      { name: `${block}.attn_v.weight`, dims: [hiddenSize, kvHeads * headDim], type: 'q4_0' },
      { name: `${block}.attn_output.weight`, dims: [hiddenSize, hiddenSize], type: 'q4_0' },
      { name: `${block}.ffn_norm.weight`, dims: [hiddenSize], type: 'float32' },
      { name: `${block}.ffn_gate.weight`, dims: [hiddenSize, intermediateSize], type: 'q4_0' },
      { name: `${block}.ffn_up.weight`, dims: [hiddenSize, intermediateSize], type: 'q4_0' },
      { name: `${block}.ffn_down.weight`, dims: [intermediateSize, hiddenSize], type: 'q4_0' },
    );
  }
  tensors.push({ name: 'output_norm.weight', dims: [hiddenSize], type: 'float32' }, { name: 'output.weight', dims: [hiddenSize, vocabSize], type: 'q4_0' });

  const header = new ByteWriter();
  header.uint32(0x46554747); // "GGUF"
  header.uint32(3);
  header.uint64(tensors.length);
  header.uint64(metadata.length);
  for (const [key, entry] of metadata) {
    header.string(key);
    header.uint32(valueType[entry.type]);
    if (entry.type === 'string') header.string(entry.value);
    else if (entry.type === 'array') {
      header.uint32(valueType[entry.element]);
      header.uint64(entry.values.length);
      for (const value of entry.values) {
        if (entry.element === 'string') header.string(value as string);
        else if (entry.element === 'float32') header.float32(value as number);
        else header.int32(value as number);
      }
    } else if (entry.type === 'bool') header.uint8(entry.value ? 1 : 0);
    else if (entry.type === 'float32') header.float32(entry.value);
    else if (entry.type === 'int32') header.int32(entry.value);
    else header.uint32(entry.value);
  }
  const sizes = tensors.map((tensor) => {
    const count = tensor.dims.reduce((product, dim) => product * dim, 1);
    return tensor.type === 'q4_0' ? (count / 32) * q4BlockBytes : count * 4;
  });
  let offset = 0;
  const offsets = sizes.map((size) => {
    const start = offset;
    offset += Math.ceil(size / alignment) * alignment;
    return start;
  });
  tensors.forEach((tensor, index) => {
    header.string(tensor.name);
    header.uint32(tensor.dims.length);
    for (const dim of tensor.dims) header.uint64(dim);
    header.uint32(tensorType[tensor.type]);
    header.uint64(offsets[index]);
  });
  header.pad(alignment);

  const file = openSync(filePath, 'w');
  try {
    let position = writeSync(file, header.bytes);
    const dataStart = position;
    tensors.forEach((tensor, index) => {
      const count = tensor.dims.reduce((product, dim) => product * dim, 1);
      const data = tensor.type === 'q4_0' ? randomQ4(count, tensor.dims[0]) : Buffer.from(new Float32Array(count).fill(1).buffer);
      const target = dataStart + offsets[index];
      if (position < target) position += writeSync(file, Buffer.alloc(target - position), 0, target - position, position);
      position += writeSync(file, data, 0, data.length, position);
    });
    return position;
  } finally {
    closeSync(file);
  }
}
