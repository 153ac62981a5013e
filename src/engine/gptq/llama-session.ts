/**
 * Runs a converted Llama graph: `forward(tokens) → logits`, keeping the KV cache between calls.
 * The first call is the prefill (the whole prompt in one run); later calls usually pass one
 * token. The cache is the graph's `present_*` outputs fed back as `past_*` inputs.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSession, Tensor, type OnnxSession, type OnnxTensor } from '../onnx/runtime.ts';
import type { LlamaShape } from './checkpoint-config.ts';

export type ForwardOptions = {
  /** Return logits for every new position (tests); default: only the last one. */
  allPositions?: boolean;
};

export class LlamaSession {
  readonly shape: LlamaShape;
  readonly #session: OnnxSession;
  /** [layers] of [1, kvHeads, past, headDim] */
  #pastKeys: OnnxTensor[] = [];
  #pastValues: OnnxTensor[] = [];
  #length = 0;
  /**
   * With the fused GroupQueryAttention graph the cache is one preallocated buffer per layer,
   * [1, kvHeads, capacity, headDim], bound as both `past_*` input and `present_*` output: the
   * kernel appends the new keys and values in place, so nothing is copied per step.
   */
  readonly #sharedBuffer: boolean;
  #capacity = 0;

  private constructor(session: OnnxSession, shape: LlamaShape) {
    this.#session = session;
    this.shape = shape;
    this.#sharedBuffer = session.inputNames.includes('seqlens_k');
    this.reset(16);
  }

  /**
   * Opens a converted model (`model.onnx` with its external data). Idle threads do not spin by
   * default: beleg shares the CPU with its HTTP server and ingestion, and on a busy 2-core
   * machine spinning made decoding ~1.4–1.9x slower (bench/engine).
   */
  static async open(
    modelPath: string,
    shape: LlamaShape,
    options: { threads?: number; spinning?: boolean; profileFilePrefix?: string } = {},
  ): Promise<LlamaSession> {
    const session = await createSession(modelPath, {
      intraOpThreads: options.threads,
      spinning: options.spinning ?? false,
      profileFilePrefix: options.profileFilePrefix,
    });
    return new LlamaSession(session, shape);
  }

  /** Number of tokens in the cache. */
  get length(): number {
    return this.#length;
  }

  /**
   * Forgets the cache, to start a new sequence. `capacity` is how many tokens to make room for
   * up front (prompt + new tokens); the cache grows by doubling if more come.
   */
  reset(capacity = 256): void {
    this.#disposeCache();
    this.#capacity = Math.min(capacity, this.shape.maxPositions);
    const length = this.#sharedBuffer ? this.#capacity : 0;
    const dims = [1, this.shape.kvHeads, length, this.shape.headDim];
    const make = () => new Tensor('float32', new Float32Array(this.shape.kvHeads * length * this.shape.headDim), dims);
    this.#pastKeys = Array.from({ length: this.shape.layers }, make);
    this.#pastValues = Array.from({ length: this.shape.layers }, make);
    this.#length = 0;
  }

  /**
   * Appends `tokens` to the sequence and returns logits: [positions, vocab] flattened, for the
   * last position only unless `allPositions`.
   */
  async forward(tokens: readonly number[], options: ForwardOptions = {}): Promise<Float32Array> {
    const count = tokens.length;
    if (count === 0) throw new Error('forward() needs at least one token.');
    const past = this.#length;
    const total = past + count;
    if (total > this.shape.maxPositions) {
      throw new RangeError(`The sequence would have ${total} tokens; the model allows ${this.shape.maxPositions}.`);
    }
    if (this.#sharedBuffer && total > this.#capacity) this.#grow(Math.min(this.shape.maxPositions, Math.max(total, 2 * this.#capacity)));
    const wanted = options.allPositions ? Array.from({ length: count }, (_, index) => index) : [count - 1];
    const available: Record<string, () => OnnxTensor> = {
      input_ids: () => new Tensor('int64', BigInt64Array.from(tokens, (token) => BigInt(token)), [1, count]),
      position_ids: () => new Tensor('int64', BigInt64Array.from({ length: count }, (_, index) => BigInt(past + index)), [1, count]),
      attention_mask: () => {
        const mask = new Float32Array(count * total); // [sequence, total], causal (plain attention only)
        for (let row = 0; row < count; row++) mask.fill(Number.NEGATIVE_INFINITY, row * total + past + row + 1, (row + 1) * total);
        return new Tensor('float32', mask, [count, total]);
      },
      logits_positions: () => new Tensor('int64', BigInt64Array.from(wanted, (index) => BigInt(index)), [wanted.length]),
      seqlens_k: () => new Tensor('int32', Int32Array.from([total - 1]), [1]),
      total_sequence_length: () => new Tensor('int32', Int32Array.from([total]), []),
    };
    const feeds: Record<string, OnnxTensor> = {};
    for (const name of this.#session.inputNames) if (available[name]) feeds[name] = available[name]();
    const scalarInputs = Object.keys(feeds);
    for (let layer = 0; layer < this.shape.layers; layer++) {
      feeds[`past_key_${layer}`] = this.#pastKeys[layer];
      feeds[`past_value_${layer}`] = this.#pastValues[layer];
    }
    if (this.#sharedBuffer) {
      const fetches: Record<string, OnnxTensor | null> = { logits: null };
      for (let layer = 0; layer < this.shape.layers; layer++) {
        fetches[`present_key_${layer}`] = this.#pastKeys[layer];
        fetches[`present_value_${layer}`] = this.#pastValues[layer];
      }
      const results = await this.#session.run(feeds, fetches);
      for (const name of scalarInputs) feeds[name].dispose();
      this.#length = total;
      return this.#takeLogits(results.logits);
    }
    const results = await this.#session.run(feeds);
    for (const name of scalarInputs) feeds[name].dispose();
    this.#disposeCache();
    this.#pastKeys = Array.from({ length: this.shape.layers }, (_, layer) => results[`present_key_${layer}`]);
    this.#pastValues = Array.from({ length: this.shape.layers }, (_, layer) => results[`present_value_${layer}`]);
    this.#length = total;
    return this.#takeLogits(results.logits);
  }

  /** Moves the shared cache into larger buffers, keeping the first `length` positions. */
  #grow(capacity: number): void {
    const { kvHeads, headDim } = this.shape;
    const move = (tensor: OnnxTensor) => {
      const old = tensor.data as Float32Array;
      const larger = new Float32Array(kvHeads * capacity * headDim);
      for (let head = 0; head < kvHeads; head++) {
        const from = head * this.#capacity * headDim;
        larger.set(old.subarray(from, from + this.#length * headDim), head * capacity * headDim);
      }
      tensor.dispose();
      return new Tensor('float32', larger, [1, kvHeads, capacity, headDim]);
    };
    this.#pastKeys = this.#pastKeys.map(move);
    this.#pastValues = this.#pastValues.map(move);
    this.#capacity = capacity;
  }

  #takeLogits(logits: OnnxTensor): Float32Array {
    const data = logits.data as Float32Array;
    const copy = new Float32Array(data);
    logits.dispose();
    return copy;
  }

  #disposeCache(): void {
    for (const tensor of [...this.#pastKeys, ...this.#pastValues]) tensor.dispose();
    this.#pastKeys = [];
    this.#pastValues = [];
  }

  /** Stops onnxruntime's profiler (opened with `profileFilePrefix`) and returns the profile's path. */
  endProfiling(prefix: string): string {
    this.#session.endProfiling();
    const directory = path.dirname(prefix);
    const newest = readdirSync(directory)
      .filter((name) => name.startsWith(path.basename(prefix)) && name.endsWith('.json'))
      .map((name) => path.join(directory, name))
      .sort((first, second) => statSync(second).mtimeMs - statSync(first).mtimeMs)[0];
    if (!newest) throw new Error(`onnxruntime wrote no profile next to ${prefix}.`);
    return newest;
  }

  /** Releases the cache and the ONNX session. */
  async dispose(): Promise<void> {
    this.#disposeCache();
    await this.#session.release();
  }
}
