/**
 * The prefix cache of the GPTQ engine: a generation whose prompt starts like the previous one
 * keeps the cached keys and values of the shared head. What it generates matches a fresh
 * session's, while the shared tokens are not run again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { GptqLanguageModel } from '../src/engine/gptq/gptq-language-model.ts';
import { REFUSAL } from '../src/engine/language-model.ts';
import { promptOf } from './helpers/quote-prompts.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');

describe('prefix cache on the tiny GPTQ model', () => {
  let cacheDir: string;
  let model: GptqLanguageModel;
  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-prefix-cache-'));
    model = await GptqLanguageModel.load({ modelDir: FIXTURE, cacheDir, threads: 1, createTokenMask: createQuoteMask });
  }, 120_000);
  afterAll(async () => {
    await model?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('reuses the shared head of consecutive prompts and generates what a fresh session generates', async () => {
    let reused = 0;
    for (let index = 0; index < 12; index += 1) {
      const prompt = promptOf(index);
      const run = (prefixCache: boolean) =>
        model.generateTokens({
          promptIds: model.tokenizer.encode(prompt.text),
          maxNewTokens: 48,
          sampling: index % 3 === 2 ? { kind: 'sample', temperature: 1.2, topP: 1, topK: 40, repetitionPenalty: 1, seed: 90 + index } : { kind: 'greedy' },
          mask: createQuoteMask(prompt, { kind: 'quote-or-refusal', refusal: REFUSAL }, model.tokenizer),
          prefixCache,
        });
      const cached = await run(true);
      const fresh = await run(false);
      expect(fresh.reusedPromptTokens).toBe(0);
      expect(cached.tokens).toEqual(fresh.tokens);
      // Every prompt after the first starts with the same system text, so its head is kept.
      if (index > 0) expect(cached.reusedPromptTokens).toBeGreaterThan(5);
      reused += cached.reusedPromptTokens;
      // The same prompt again: all of it but the last token is kept.
      const again = await run(true);
      expect(again.reusedPromptTokens).toBe(model.tokenizer.encode(prompt.text).length - 1);
      expect(again.tokens).toEqual(fresh.tokens);
    }
    expect(reused).toBeGreaterThan(0);
  }, 300_000);
});
