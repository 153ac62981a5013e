import { describe, expect, it } from 'vitest';
import type { Answer } from '../answer/answer-contract.ts';
import { Metrics } from './metrics.ts';

describe('Metrics', () => {
  it('adds up what local engines report per answer: runs, forced tokens and prompt tokens not read again', () => {
    const metrics = new Metrics();
    const answer = (forwardPasses: number, forcedTokens: number, cachedPromptTokens: number) =>
      ({
        engine: 'gptq',
        declined: false,
        timings: { retrieveMs: 1, generateMs: 1000, totalMs: 1001, prefillMs: 800, decodeMs: 200, forwardPasses, forcedTokens, cachedPromptTokens },
        usage: { promptTokens: 700, completionTokens: 40 },
      }) as unknown as Answer;
    metrics.observeAnswer(answer(8, 30, 0));
    metrics.observeAnswer(answer(6, 34, 650));
    const text = metrics.render({ ingestionQueueDepth: 0, generationsActive: 0, generationsQueued: 0 });
    expect(text).toContain('beleg_model_forward_passes_total 14');
    expect(text).toContain('beleg_forced_tokens_total 64');
    expect(text).toContain('beleg_cached_prompt_tokens_total 650');
    expect(text).toContain('beleg_prefill_seconds_total 1.6');
  });
});
