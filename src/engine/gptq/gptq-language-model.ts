/**
 * The local GPTQ engine: EM German's AutoGPTQ checkpoints run in-process on onnxruntime-node.
 * Implements the shared `LanguageModel` contract. One model holds one KV cache, so generations
 * run one at a time (queued in order of arrival); the service limits concurrency above this.
 */
import path from 'node:path';
import { CancelledError, EngineUnavailableError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import {
  DEFAULT_SAMPLING,
  type FinishReason,
  type GenerateOptions,
  type GenerateResult,
  type GroundedPrompt,
  type LanguageModel,
  type QuoteConstraint,
  type SamplingOptions,
  type StreamPart,
} from '../language-model.ts';
import type { TokenMask } from '../token-mask.ts';
import { LlamaTokenizer } from '../tokenizer/llama-tokenizer.ts';
import type { CheckpointConfig } from './checkpoint-config.ts';
import { convertCheckpoint } from './convert-checkpoint.ts';
import { generateTokens, type GenerateTokensResult } from './generate-tokens.ts';
import { LlamaSession } from './llama-session.ts';
import { PromptStateCache, type PromptStateCacheStats } from './prompt-state-cache.ts';
import { TextStream } from './text-stream.ts';

/** Builds the token mask for a quote constraint (supplied by the constrained-decoding module). */
export type CreateTokenMask = (prompt: GroundedPrompt, constraint: QuoteConstraint, tokenizer: LlamaTokenizer) => TokenMask;

export type GptqLanguageModelOptions = {
  /** The checkpoint directory (config.json, quantize_config.json, *.safetensors, tokenizer files). */
  modelDir: string;
  /** Where converted ONNX models are cached, e.g. `<dataDir>/models/converted`. */
  cacheDir: string;
  /** Threads for onnxruntime (default: all cores). */
  threads?: number;
  /** Let idle onnxruntime threads spin (default false; helps only on otherwise idle machines). */
  spinning?: boolean;
  /** MatMulNBits accuracy level: 0 (float32, default, matches transformers) or 4 (int8 activations, faster). */
  accuracyLevel?: number;
  createTokenMask?: CreateTokenMask;
  /**
   * Jump-forward decoding under a quote constraint (default true): text the constraint forces
   * (the rest of a quoted sentence, the citation) is appended in one model run instead of one run
   * per token; see generate-tokens.ts.
   */
  jumpForward?: boolean;
  /**
   * Bytes for prompt states kept beyond the last generation (prompt-state-cache.ts): a prompt asked
   * again, or a follow-up over the same sources, after somebody else's question resumes from its
   * state instead of running again. Default 0: only the session's own state is reused.
   */
  promptCacheBytes?: number;
  /** Shown as `modelId`; defaults to the directory name. */
  modelId?: string;
  onProgress?: (message: string) => void;
};

/** Options of the token-level API. */
export type TokenGenerationOptions = {
  promptIds: readonly number[];
  maxNewTokens: number;
  sampling?: SamplingOptions;
  mask?: TokenMask;
  signal?: AbortSignal;
  onToken?: (token: number, generated: readonly number[]) => boolean | void;
  /** Overrides the model's `jumpForward` setting for this call. */
  jumpForward?: boolean;
  /** False: compute the whole prompt again instead of keeping the head it shares with the previous generation. */
  prefixCache?: boolean;
};

export class GptqLanguageModel implements LanguageModel {
  readonly engine = 'gptq';
  readonly modelId: string;
  readonly tokenizer: LlamaTokenizer;
  readonly config: CheckpointConfig;
  readonly #session: LlamaSession;
  readonly #createTokenMask?: CreateTokenMask;
  readonly #jumpForward: boolean;
  readonly #promptStates: PromptStateCache | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  private constructor(session: LlamaSession, tokenizer: LlamaTokenizer, config: CheckpointConfig, options: GptqLanguageModelOptions) {
    this.#session = session;
    this.tokenizer = tokenizer;
    this.config = config;
    this.#createTokenMask = options.createTokenMask;
    this.#jumpForward = options.jumpForward ?? true;
    this.#promptStates = options.promptCacheBytes ? new PromptStateCache(options.promptCacheBytes) : undefined;
    this.modelId = options.modelId ?? path.basename(path.resolve(options.modelDir));
  }

  /** Loads a checkpoint: converts it to ONNX (or takes the cached conversion) and opens a session. */
  static async load(options: GptqLanguageModelOptions): Promise<GptqLanguageModel> {
    const tokenizer = LlamaTokenizer.fromDirectory(options.modelDir);
    const converted = await convertCheckpoint(options.modelDir, {
      cacheDir: options.cacheDir,
      accuracyLevel: options.accuracyLevel,
      onProgress: options.onProgress,
    });
    const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: options.threads, spinning: options.spinning });
    return new GptqLanguageModel(session, tokenizer, converted.config, options);
  }

  /** Generates token ids after `promptIds` (no text handling). Runs after earlier generations finish. */
  generateTokens(options: TokenGenerationOptions): Promise<GenerateTokensResult> {
    return this.#exclusive(() =>
      generateTokens(this.#session, {
        promptIds: options.promptIds,
        maxNewTokens: options.maxNewTokens,
        sampling: options.sampling ?? { kind: 'greedy' },
        mask: options.mask,
        signal: options.signal,
        stopIds: this.config.eosIds,
        onToken: options.onToken,
        jumpForward: options.jumpForward ?? this.#jumpForward,
        prefixCache: options.prefixCache,
        promptStates: this.#promptStates,
      }),
    );
  }

  /** What the kept prompt states hold (none when `promptCacheBytes` is 0). */
  promptCacheStats(): PromptStateCacheStats | undefined {
    return this.#promptStates?.stats();
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    let timings: GenerateResult['timings'];
    for await (const part of this.#stream(options, (measured) => (timings = measured))) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'finish') return { text: part.text, finishReason: part.finishReason, usage: part.usage, timings };
    }
    throw new EngineUnavailableError(userMessage('engine_unavailable.gptq_no_result'));
  }

  doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    return this.#stream(options, () => undefined);
  }

  async *#stream(options: GenerateOptions, onTimings: (timings: NonNullable<GenerateResult['timings']>) => void): AsyncGenerator<StreamPart> {
    const promptIds = this.tokenizer.encode(options.prompt.text);
    let mask: TokenMask | undefined;
    if (options.constraint) {
      if (!this.#createTokenMask) {
        yield {
          type: 'error',
          error: new EngineUnavailableError(userMessage('engine_unavailable.gptq_no_quote_mask')),
        };
        return;
      }
      mask = this.#createTokenMask(options.prompt, options.constraint, this.tokenizer);
    }
    const stream = new TextStream((ids) => this.tokenizer.decode(ids), options.stop ?? []);
    // Deltas produced by the loop wait here until the consumer pulls them.
    const pending: string[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    // Aborted when the caller's signal fires or the consumer stops reading the stream.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const generation = this.generateTokens({
      promptIds,
      maxNewTokens: options.maxNewTokens,
      sampling: options.sampling ?? DEFAULT_SAMPLING,
      mask,
      signal: controller.signal,
      onToken: (_token, generated) => {
        const delta = stream.update(generated);
        if (delta) pending.push(delta);
        wake?.();
        return !stream.stopped;
      },
    }).finally(() => {
      done = true;
      wake?.();
    });
    generation.catch(() => undefined);

    try {
      while (!done || pending.length > 0) {
        if (pending.length > 0) {
          yield { type: 'text-delta', text: pending.shift()! };
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (done || pending.length > 0) resolve();
        });
        wake = undefined;
      }
      let result: GenerateTokensResult;
      try {
        result = await generation;
      } catch (error) {
        if (error instanceof CancelledError) {
          yield { type: 'finish', finishReason: 'cancelled', usage: { promptTokens: promptIds.length, completionTokens: 0 }, text: '' };
        } else {
          yield { type: 'error', error: error as Error };
        }
        return;
      }
      const rest = stream.flush();
      if (rest) yield { type: 'text-delta', text: rest };
      const finishReason: FinishReason = stream.stopped ? 'stop' : result.finishReason;
      const timings = { prefillMs: result.prefillMs, decodeMs: result.decodeMs, forwardPasses: result.forwardPasses, forcedTokens: result.forcedTokens, cachedPromptTokens: result.reusedPromptTokens };
      onTimings(timings);
      yield {
        type: 'finish',
        finishReason,
        usage: { promptTokens: promptIds.length, completionTokens: result.tokens.length },
        text: stream.text,
        timings,
      };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  /** Runs `task` after every earlier task, so the single KV cache is never shared. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.#disposed) return Promise.reject(new EngineUnavailableError(userMessage('engine_unavailable.gptq_disposed')));
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for running generations, then releases the ONNX session. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue;
    await this.#session.dispose();
  }
}
