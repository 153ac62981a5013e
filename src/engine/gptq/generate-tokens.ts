/**
 * The generation loop: prefill the prompt in one run, then one token per run, connecting
 * `forward` (llama-session.ts) and `sample` (sampling/sample-token.ts). It knows tokens only;
 * text, stop strings and streaming live in gptq-language-model.ts.
 *
 * Jump-forward (`jumpForward`): where the mask says which tokens must come next whatever the
 * model prefers (the rest of a quoted sentence, the citation tail), they are appended in ONE
 * batched run (the prompt path) instead of one run each, and the model is asked only where the
 * answer can branch; when only end of sequence can follow, no run is made at all. The forced text
 * is tokenised canonically, so the model's own segmentation of it (which a free-running model
 * may choose differently) is not used: the answer text is the same, and the model's later
 * choices can differ from token-by-token decoding only because its context was segmented
 * differently (tests/constrain-jump-forward.test.ts measures how often).
 */
import { CancelledError, ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { FinishReason, SamplingOptions } from '../language-model.ts';
import { applyMask, TokenSampler } from '../sampling/sample-token.ts';
import type { TokenMask } from '../token-mask.ts';
import type { LlamaSession } from './llama-session.ts';
import type { PromptStateCache } from './prompt-state-cache.ts';

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
  /** Append the mask's forced tokens in one run each (see the file comment). */
  jumpForward?: boolean;
  /**
   * Reuse the cached keys and values of the prompt's head that the previous generation on this
   * session shared (LlamaSession.keepPrefix): the fixed system text of every prompt, or a whole
   * prompt asked again. Default true.
   */
  prefixCache?: boolean;
  /**
   * Prompt states kept beyond the previous generation (prompt-state-cache.ts): a prompt that
   * shares a longer head with one asked earlier resumes from its state. Used with `prefixCache`.
   */
  promptStates?: PromptStateCache;
};

export type GenerateTokensResult = {
  tokens: number[];
  finishReason: FinishReason;
  prefillMs: number;
  decodeMs: number;
  /** Runs of the model: the prompt, each decode step, each jump. */
  forwardPasses: number;
  /** Tokens appended by jump-forward without the model choosing them. */
  forcedTokens: number;
  /** Prompt tokens whose keys and values came from an earlier generation (not run again). */
  reusedPromptTokens: number;
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

  const capacity = options.promptIds.length + limit;
  const prefillStart = performance.now();
  let reusedPromptTokens = 0;
  if (options.prefixCache === false) session.reset(capacity);
  else if (options.promptStates) reusedPromptTokens = options.promptStates.resume(session, options.promptIds, capacity);
  else reusedPromptTokens = session.keepPrefix(options.promptIds, capacity);
  throwIfAborted();
  let logits = await session.forward(options.promptIds.slice(reusedPromptTokens));
  options.promptStates?.prefilled(options.promptIds);
  const prefillMs = performance.now() - prefillStart;
  const decodeStart = performance.now();
  let forwardPasses = 1;
  let forcedTokens = 0;
  const result = (finishReason: FinishReason): GenerateTokensResult => ({
    tokens: generated,
    finishReason,
    prefillMs,
    decodeMs: performance.now() - decodeStart,
    forwardPasses,
    forcedTokens,
    reusedPromptTokens,
  });

  let step = 0;
  while (step < limit) {
    if (options.signal?.aborted) return result('cancelled');
    const forced = options.jumpForward && options.mask?.forcedTokens ? options.mask.forcedTokens(generated).slice(0, limit - step) : [];
    if (forced.length > 0) {
      for (const token of forced) {
        generated.push(token);
        sequence.push(token);
        step += 1;
        forcedTokens += 1;
        if (options.onToken?.(token, generated) === false) return result('stop');
      }
      if (step === limit) break;
      // Only the end of sequence (or nothing) can follow: done, without running the model.
      const next = options.mask!.allowed(generated);
      if (next && (next.length === 0 || (next.length === 1 && stopIds.has(next[0]!)))) return result('stop');
      logits = await session.forward(forced);
      forwardPasses += 1;
      continue;
    }
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
    step += 1;
    if (options.onToken?.(token, generated) === false) return result('stop');
    if (step === limit) break;
    logits = await session.forward([token]);
    forwardPasses += 1;
  }
  return result('length');
}
