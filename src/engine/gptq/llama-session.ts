/**
 * Runs a converted Llama graph: `forward(tokens) → logits`, keeping the KV cache between calls.
 * The first call is the prefill (the prompt in runs of at most PREFILL_CHUNK tokens); later calls
 * usually pass one token.
 *
 * The cache depends on the graph's attention variant (llama-graph.ts): with `group-query` (the
 * default) it is one pair of buffers per layer owned here ([kvHeads, capacity, headDim] each),
 * passed as read-only inputs; each run returns only the new positions' keys and values, which are
 * written into the buffers. With the other variants the cache is the graph's `present_*` outputs
 * fed back as `past_*` inputs.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSession, Tensor, type OnnxSession, type OnnxTensor, type SessionOptions } from '../onnx/runtime.ts';
import type { LlamaShape } from './checkpoint-config.ts';

/**
 * A copy of the cache's first `tokens.length` positions (external-cache graph), to resume that
 * sequence later without running it again (prompt-state-cache.ts).
 */
export type SessionState = {
  tokens: readonly number[];
  /** [layers] of [kvHeads, tokens.length, headDim] */
  keys: Float32Array[];
  values: Float32Array[];
  bytes: number;
};

export type ForwardOptions = {
  /** Return logits for every new position (tests); default: only the last one. */
  allPositions?: boolean;
};

/**
 * Longest run of the external-cache graph: onnxruntime's CPU attention holds the probabilities
 * [heads, run, past + run] in float32, so a 2,000-token prompt in one run would need ~0.5 GB per
 * layer for them (TinyLlama's 32 heads). Runs of 512 cost no prefill speed (bench/engine).
 */
const PREFILL_CHUNK = 512;
/**
 * Room the external cache keeps beyond its filled positions. Each run attends over the whole
 * buffer (unused positions masked), so it is kept tight: it grows to `filled + CACHE_HEADROOM`
 * when full, which copies the cache once per CACHE_HEADROOM tokens.
 */
const CACHE_HEADROOM = 64;

export class LlamaSession {
  readonly shape: LlamaShape;
  readonly #session: OnnxSession;
  /** [layers] of [1, kvHeads, past, headDim] */
  #pastKeys: OnnxTensor[] = [];
  #pastValues: OnnxTensor[] = [];
  #length = 0;
  /**
   * The `group-query-shared-buffer` graph: one preallocated buffer per layer, [1, kvHeads,
   * capacity, headDim], bound as both `past_*` input and `present_*` output; the kernel appends in
   * place, but onnxruntime-node copies every returned output, so the whole cache is copied per step.
   */
  readonly #sharedBuffer: boolean;
  /**
   * Whether single decode steps take the graph's decode branch (true) or GroupQueryAttention like
   * prompts (false); a switch for bench/engine's A/B comparison.
   */
  decodeBranch = true;
  /** The cache lives in the buffers below; a run returns only the new positions. */
  readonly #externalCache: boolean;
  /** [layers] of keys and of values, [kvHeads, capacity, headDim] each (external cache). */
  #keyBuffers: Float32Array[] = [];
  #valueBuffers: Float32Array[] = [];
  #capacity = 0;
  /** The token ids whose keys and values the cache holds, in order. */
  #tokens: number[] = [];

  private constructor(session: OnnxSession, shape: LlamaShape) {
    this.#session = session;
    this.shape = shape;
    this.#externalCache = session.inputNames.includes('new_start');
    this.#sharedBuffer = !this.#externalCache && session.inputNames.includes('seqlens_k');
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
    options: { threads?: number; spinning?: boolean; profileFilePrefix?: string } & Pick<SessionOptions, 'graphOptimizationLevel' | 'executionMode'> = {},
  ): Promise<LlamaSession> {
    const session = await createSession(modelPath, {
      intraOpThreads: options.threads,
      spinning: options.spinning ?? false,
      profileFilePrefix: options.profileFilePrefix,
      graphOptimizationLevel: options.graphOptimizationLevel,
      executionMode: options.executionMode,
    });
    return new LlamaSession(session, shape);
  }

  /** Number of tokens in the cache. */
  get length(): number {
    return this.#length;
  }

  /**
   * Forgets the cache, to start a new sequence. `capacity` is how many tokens to make room for
   * up front (prompt + new tokens); the cache grows by doubling if more come. The external cache
   * ignores it and stays tight (see CACHE_HEADROOM).
   */
  reset(capacity = 256): void {
    this.#disposeCache();
    this.#tokens = [];
    this.#capacity = Math.min(this.#externalCache ? CACHE_HEADROOM : capacity, this.shape.maxPositions);
    this.#length = 0;
    if (this.#externalCache) {
      const size = this.shape.kvHeads * this.#capacity * this.shape.headDim;
      this.#keyBuffers = Array.from({ length: this.shape.layers }, () => new Float32Array(size));
      this.#valueBuffers = Array.from({ length: this.shape.layers }, () => new Float32Array(size));
      return;
    }
    const length = this.#sharedBuffer ? this.#capacity : 0;
    const dims = [1, this.shape.kvHeads, length, this.shape.headDim];
    const make = () => new Tensor('float32', new Float32Array(this.shape.kvHeads * length * this.shape.headDim), dims);
    this.#pastKeys = Array.from({ length: this.shape.layers }, make);
    this.#pastValues = Array.from({ length: this.shape.layers }, make);
    this.#length = 0;
  }

  /**
   * Starts a sequence that begins with `promptIds`, keeping what the cache already holds of it:
   * the positions the current sequence shares with `promptIds` from the start (the fixed head of
   * EM German's prompt, or a whole prompt asked again). Keys and values of a position depend only
   * on the tokens up to it, so kept positions are what a fresh run would compute (up to float
   * rounding of a differently batched run). Keeps at most `promptIds.length - 1` positions, so the
   * caller still runs the rest and gets logits. Only the external-cache graph can cut its cache
   * back; the others reset. Returns the number of positions kept.
   */
  keepPrefix(promptIds: readonly number[], capacity = 256): number {
    const shared = Math.min(this.commonPrefixLength(promptIds), promptIds.length - 1);
    if (!this.#externalCache || shared <= 0) {
      this.reset(capacity);
      return 0;
    }
    this.#length = shared;
    this.#tokens.length = shared;
    return shared;
  }

  /** How many leading positions of `tokens` the cache holds (filled, same token ids). */
  commonPrefixLength(tokens: readonly number[]): number {
    // Positions a failed run did not fill do not count (`#length` counts the filled ones).
    const limit = Math.min(this.#tokens.length, this.#length, tokens.length);
    let shared = 0;
    while (shared < limit && this.#tokens[shared] === tokens[shared]) shared += 1;
    return shared;
  }

  /** Whether the cache can be copied out and back (snapshot/restore): the external-cache graph only. */
  get canSnapshot(): boolean {
    return this.#externalCache;
  }

  /** Bytes a snapshot of `length` positions takes (keys and values of every layer, float32). */
  stateBytes(length: number): number {
    const { layers, kvHeads, headDim } = this.shape;
    return 2 * layers * kvHeads * length * headDim * Float32Array.BYTES_PER_ELEMENT;
  }

  /** Copies the first `length` positions of the cache (see SessionState). */
  snapshot(length: number): SessionState {
    if (!this.#externalCache) throw new Error('Only the external-cache graph can copy its cache.');
    if (length > this.#length) throw new RangeError(`The cache holds ${this.#length} positions, not ${length}.`);
    const { kvHeads, headDim } = this.shape;
    const capacity = this.#capacity;
    const copy = (buffer: Float32Array) => {
      const compact = new Float32Array(kvHeads * length * headDim);
      for (let head = 0; head < kvHeads; head++) compact.set(buffer.subarray(head * capacity * headDim, (head * capacity + length) * headDim), head * length * headDim);
      return compact;
    };
    return { tokens: this.#tokens.slice(0, length), keys: this.#keyBuffers.map(copy), values: this.#valueBuffers.map(copy), bytes: this.stateBytes(length) };
  }

  /**
   * Replaces the cache by a copy of `state`: the sequence continues after `state.tokens`. The
   * keys and values are the ones computed then, so what follows is what it would have been.
   */
  restore(state: SessionState): void {
    if (!this.#externalCache) throw new Error('Only the external-cache graph can restore its cache.');
    const { kvHeads, headDim, layers } = this.shape;
    const length = state.tokens.length;
    // Into the buffers the session has when they are large enough (on a 13B shape a new pair per
    // layer would be ~1.6 GB more until the old ones are collected), else into tight new ones.
    if (length > this.#capacity) {
      this.#disposeCache();
      this.#capacity = Math.min(this.shape.maxPositions, length + CACHE_HEADROOM);
      const size = kvHeads * this.#capacity * headDim;
      this.#keyBuffers = Array.from({ length: layers }, () => new Float32Array(size));
      this.#valueBuffers = Array.from({ length: layers }, () => new Float32Array(size));
    }
    const capacity = this.#capacity;
    const expand = (compact: Float32Array, buffer: Float32Array) => {
      for (let head = 0; head < kvHeads; head++) buffer.set(compact.subarray(head * length * headDim, (head + 1) * length * headDim), head * capacity * headDim);
    };
    for (let layer = 0; layer < layers; layer++) {
      expand(state.keys[layer]!, this.#keyBuffers[layer]!);
      expand(state.values[layer]!, this.#valueBuffers[layer]!);
    }
    this.#tokens = [...state.tokens];
    this.#length = length;
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
    this.#tokens.push(...tokens);
    if (this.#externalCache) {
      if (total > this.#capacity) this.#growBuffers(Math.min(this.shape.maxPositions, total + CACHE_HEADROOM));
      const pieces: Float32Array[] = [];
      for (let start = 0; start < count; start += PREFILL_CHUNK) {
        const piece = tokens.slice(start, start + PREFILL_CHUNK);
        const last = start + piece.length === count;
        if (!options.allPositions && !last) await this.#runExternal(piece, []);
        else pieces.push(await this.#runExternal(piece, options.allPositions ? piece.map((_, index) => index) : [piece.length - 1]));
      }
      if (pieces.length === 1) return pieces[0]!;
      const logits = new Float32Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
      let offset = 0;
      for (const piece of pieces) {
        logits.set(piece, offset);
        offset += piece.length;
      }
      return logits;
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

  /**
   * One run of the external-cache graph over `tokens` (appended after the cache); returns logits
   * for `wanted` positions of this run (none: the run only fills the cache).
   */
  async #runExternal(tokens: readonly number[], wanted: readonly number[]): Promise<Float32Array> {
    const { layers, kvHeads, headDim } = this.shape;
    const count = tokens.length;
    const past = this.#length;
    const capacity = this.#capacity;
    // An empty cache is passed as zero positions, so a first run does no work on unused room.
    const cacheLength = past === 0 ? 0 : capacity;
    const feeds: Record<string, OnnxTensor> = {
      input_ids: new Tensor('int64', BigInt64Array.from(tokens, (token) => BigInt(token)), [1, count]),
      logits_positions: new Tensor('int64', BigInt64Array.from(wanted.length > 0 ? wanted : [count - 1], (index) => BigInt(index)), [Math.max(1, wanted.length)]),
      seqlens_k: new Tensor('int32', Int32Array.from([past + count - 1]), [1]),
      total_sequence_length: new Tensor('int32', Int32Array.from([past + count]), []),
      new_start: new Tensor('int64', BigInt64Array.from([BigInt(past)]), [1]),
      new_end: new Tensor('int64', BigInt64Array.from([BigInt(past + count)]), [1]),
      position_ids: new Tensor('int64', BigInt64Array.from({ length: count }, (_, index) => BigInt(past + index)), [1, count]),
      // One token after a filled cache takes the graph's decode branch (llama-graph.ts).
      decode_step: new Tensor('bool', Uint8Array.from([this.decodeBranch && count === 1 && past > 0 ? 1 : 0]), []),
      cache_mask: new Tensor('float32', new Float32Array(cacheLength).fill(Number.NEGATIVE_INFINITY, past), [cacheLength]),
    };
    const empty = new Float32Array(0);
    const dims = [1, kvHeads, cacheLength, headDim];
    for (let layer = 0; layer < layers; layer++) {
      feeds[`past_key_${layer}`] = new Tensor('float32', cacheLength === 0 ? empty : this.#keyBuffers[layer]!, dims);
      feeds[`past_value_${layer}`] = new Tensor('float32', cacheLength === 0 ? empty : this.#valueBuffers[layer]!, dims);
    }
    const results = await this.#session.run(feeds);
    for (const tensor of Object.values(feeds)) tensor.dispose();
    // Append the new positions to each head's rows.
    for (let layer = 0; layer < layers; layer++) {
      for (const [name, buffer] of [[`new_key_${layer}`, this.#keyBuffers[layer]!], [`new_value_${layer}`, this.#valueBuffers[layer]!]] as const) {
        const output = results[name]!;
        const rows = output.data as Float32Array; // [kvHeads, count, headDim]
        for (let head = 0; head < kvHeads; head++) {
          buffer.set(rows.subarray(head * count * headDim, (head + 1) * count * headDim), (head * capacity + past) * headDim);
        }
        output.dispose();
      }
    }
    this.#length = past + count;
    return this.#takeLogits(results.logits!);
  }

  /** Moves the external cache into larger buffers, keeping the first `length` positions. */
  #growBuffers(capacity: number): void {
    const { kvHeads, headDim, layers } = this.shape;
    const old = this.#capacity;
    // Layer by layer, so only one layer's old buffers are alive next to their replacements.
    const grow = (buffer: Float32Array) => {
      const larger = new Float32Array(kvHeads * capacity * headDim);
      for (let head = 0; head < kvHeads; head++) larger.set(buffer.subarray(head * old * headDim, (head * old + this.#length) * headDim), head * capacity * headDim);
      return larger;
    };
    for (let layer = 0; layer < layers; layer++) {
      this.#keyBuffers[layer] = grow(this.#keyBuffers[layer]!);
      this.#valueBuffers[layer] = grow(this.#valueBuffers[layer]!);
    }
    this.#capacity = capacity;
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
    this.#keyBuffers = [];
    this.#valueBuffers = [];
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
