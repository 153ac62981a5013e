/**
 * The quote mask driving a real model: the tiny GPTQ fixture (random weights, so its preferences
 * are arbitrary) generates over two dozen prompts, greedily or sampling with different seeds. Whatever it picks, every
 * finished output must be the refusal or a verbatim run of whole sentences of one source (within
 * one block, without a heading) with that source's citation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerService } from '../src/answer/answer-service.ts';
import { parseAnswer } from '../src/answer/parse-answer.ts';
import { splitSentences } from '../src/ingest/split-sentences.ts';
import { buildGroundedPrompt } from '../src/retrieve/build-prompt.ts';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { GptqLanguageModel } from '../src/engine/gptq/gptq-language-model.ts';
import { REFUSAL } from '../src/engine/language-model.ts';
import { isValidAnswer, promptOf } from './helpers/quote-prompts.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');

describe('quote mask on the tiny GPTQ model', () => {
  let cacheDir: string;
  let model: GptqLanguageModel;
  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-constrain-gptq-'));
    model = await GptqLanguageModel.load({ modelDir: FIXTURE, cacheDir, threads: 1, createTokenMask: createQuoteMask });
  }, 120_000);
  afterAll(async () => {
    await model?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('yields only verbatim quotes with their own citation, or the refusal, over 24 prompts', async () => {
    let finished = 0;
    let quotes = 0;
    for (let index = 0; index < 24; index += 1) {
      const prompt = promptOf(index);
      const result = await model.doGenerate({
        prompt,
        maxNewTokens: 64,
        // Mostly greedy (fast); every fourth prompt samples, so the model also takes unlikely paths.
        sampling: index % 4 === 3 ? { kind: 'sample', temperature: 1, topP: 1, topK: 20, repetitionPenalty: 1, seed: 1000 + index } : { kind: 'greedy' },
        constraint: { kind: 'quote-or-refusal', refusal: REFUSAL },
      });
      if (result.finishReason === 'length') continue;
      finished += 1;
      const text = result.text.trim();
      expect(isValidAnswer(text, prompt), JSON.stringify(text)).toBe(true);
      const parsed = parseAnswer(text);
      expect(parsed.kind).not.toBe('malformed');
      if (parsed.kind === 'quote') quotes += 1;
    }
    expect(finished).toBeGreaterThanOrEqual(18);
    expect(quotes).toBeGreaterThan(0);
  }, 120_000);

  it('through the answer service: every answer is verified against the stored text or declined by the model', async () => {
    const stored = new Map([
      ['rhein', 'Der Rhein ist 1233 Kilometer lang. Im Handbuch steht ENDINPUT als Wort.\nEr mündet bei Rotterdam in die Nordsee.'],
      ['donau', 'Die Donau fließt durch Wien. Sie mündet ins Schwarze Meer. Die Donau fließt durch Wien.'],
    ]);
    const answerer = new AnswerService({
      retrieve: async () =>
        [...stored].map(([id, text], index) => ({
          chunk: {
            id: `${id}-0`,
            documentId: id,
            ordinal: 0,
            text,
            charStart: 0,
            charEnd: text.length,
            page: null,
            headingPath: null,
            tokenCount: 0,
            sentenceOffsets: splitSentences(text).flatMap((span) => [span.charStart, span.charEnd]),
          },
          document: { id, title: id === 'rhein' ? 'Der Rhein' : null, url: id === 'donau' ? 'https://example.org/donau' : null, fileName: null },
          score: 1 / (index + 1),
        })),
      buildPrompt: (question, chunks) => buildGroundedPrompt({ question, chunks, tokenizer: model.tokenizer }),
      getText: async (id) => stored.get(id)!,
      engines: { gptq: model },
      defaultEngine: 'gptq',
      maxNewTokens: 80,
      // Greedy, this random model always refuses here; sampling makes it quote too.
      sampling: { kind: 'sample', temperature: 1.5, topP: 1, topK: 50, repetitionPenalty: 1, seed: 3 },
    });
    let ran = 0;
    let cachedAfterFirst = 0;
    for (const question of ['Wie lang ist der Rhein?', 'Wohin mündet die Donau?', 'Was steht im Handbuch?', 'Wer baute Wien?']) {
      const answer = await answerer.answer({ question });
      if (answer.reason !== 'focus_not_found') {
        // Every prompt after the first the model read starts with the same system text: it is not read again.
        if (ran++ > 0) cachedAfterFirst += answer.timings.cachedPromptTokens!;
        // The model ran: its runs and forced tokens are reported, jump-forward never needs more runs than tokens.
        expect(answer.timings.forwardPasses).toBeGreaterThanOrEqual(1);
        expect(answer.timings.forwardPasses!).toBeLessThanOrEqual(answer.usage.completionTokens + 1);
        expect(answer.timings.forcedTokens).toBeGreaterThanOrEqual(0);
        expect(answer.timings.prefillMs).toBeGreaterThan(0);
      }
      if (answer.declined) {
        // The model refused, or the answer layer declined by the focus rules; never an unverifiable quote.
        expect(['model_declined', 'focus_not_found', 'off_topic']).toContain(answer.reason);
        continue;
      }
      for (const citation of answer.citations) expect(stored.get(citation.documentId)!.slice(citation.charStart, citation.charEnd)).toBe(citation.quote);
    }
    expect(answerer.counters().declined.unverifiable_quote).toBe(0);
    expect(answerer.counters().answered).toBeGreaterThan(0);
    expect(ran).toBeGreaterThan(1);
    expect(cachedAfterFirst).toBeGreaterThan(0);
  }, 120_000);
});

