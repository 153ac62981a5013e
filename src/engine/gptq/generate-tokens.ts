/**
 * The generation loop: prefill the prompt in one run, then one token per run, connecting
 * `forward` (llama-session.ts) and `sample` (sampling/sample-token.ts). It knows tokens only;
 * text, stop strings and streaming live in gptq-language-model.ts.
 */
import { CancelledError, ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { FinishReason, SamplingOptions } from '../language-model.ts';
import { applyMask, TokenSampler } from '../sampling/sample-token.ts';
import type { TokenMask } from '../token-mask.ts';
import type { LlamaSession } from './llama-session.ts';

export type GenerateTokensOptions = {
  promptIds: readonly number[];
  maxNewTokens: number;
  sampling: SamplingOptions;
  /** Restricts each next token (constrained decoding); an empty allowed set ends generation. */
  mask?: TokenMask;
  /** Token ids that end generation (not included in the output). */
  stopIds?: readonly number[];
  signal?: AbortSignal;
  /** Called with each new token; return false to stop (e.g. a stop string appeared). */
  onToken?: (token: number, generated: readonly number[]) => boolean | void;
};

export type GenerateTokensResult = {
  tokens: number[];
  finishReason: FinishReason;
  prefillMs: number;
  decodeMs: number;
};

/** Generates up to `maxNewTokens` tokens after `promptIds` on a (reset) session. */
export async function generateTokens(session: LlamaSession, options: GenerateTokensOptions): Promise<GenerateTokensResult> {
  if (options.promptIds.length === 0) throw new ValidationError(userMessage('validation_failed.prompt_empty'));
  if (options.promptIds.length >= session.shape.maxPositions) {
    throw new ValidationError(userMessage('validation_failed.prompt_too_long', { promptTokens: options.promptIds.length, maxTokens: session.shape.maxPositions - 1 }), {
      promptTokens: options.promptIds.length,
      maxPositions: session.shape.maxPositions,
    });
  }
  const stopIds = new Set(options.stopIds ?? []);
  const sampler = new TokenSampler(options.sampling);
  const limit = Math.min(options.maxNewTokens, session.shape.maxPositions - options.promptIds.length);
  const generated: number[] = [];
  const sequence = [...options.promptIds];
  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new CancelledError(userMessage('cancelled.generation'));
  };

  session.reset(options.promptIds.length + limit);
  throwIfAborted();
  const prefillStart = performance.now();
  let logits = await session.forward(options.promptIds);
  const prefillMs = performance.now() - prefillStart;
  const decodeStart = performance.now();
  const result = (finishReason: FinishReason): GenerateTokensResult => ({
    tokens: generated,
    finishReason,
    prefillMs,
    decodeMs: performance.now() - decodeStart,
  });

  for (let step = 0; step < limit; step++) {
    if (options.signal?.aborted) return result('cancelled');
    if (options.mask) {
      const allowed = options.mask.allowed(generated);
      if (allowed) {
        if (allowed.length === 0) return result('stop');
        applyMask(logits, allowed);
      }
    }
    const token = sampler.sample(logits, sequence);
    if (stopIds.has(token)) return result('stop');
    generated.push(token);
    sequence.push(token);
    if (options.onToken?.(token, generated) === false) return result('stop');
    if (step + 1 === limit) break;
    logits = await session.forward([token]);
  }
  return result('length');
}
