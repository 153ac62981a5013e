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
import { REFUSAL, type GroundedPrompt, type PromptSource } from '../src/engine/language-model.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');

const SENTENCES = [
  'Die Straße führt nach Köln.',
  'Größere Flüsse münden ins Meer.',
  'ENDINPUT ist hier nur ein Wort.',
  'Er nannte es „das Werk“.',
  'Süß!',
  'Der Preis beträgt 5,6 %.',
  'Ärzte trafen sich in Jena.',
];

function source(citation: string, sentences: string[]): PromptSource {
  const text = sentences.join(' ');
  let cursor = 0;
  const spans = sentences.map((sentence) => {
    const start = text.indexOf(sentence, cursor);
    cursor = start + sentence.length;
    return { start, end: cursor };
  });
  return { text, metadata: citation, citation, sentences: spans };
}

function promptOf(index: number): GroundedPrompt {
  const pick = (offset: number) => SENTENCES[(index * 3 + offset) % SENTENCES.length]!;
  const first = source(`Titel: Quelle A${index}`, index % 4 === 0 ? [pick(0)] : [pick(0), pick(1)]);
  // Every third prompt repeats a sentence of the first source in the second.
  const second = source(`Url: https://example.org/${index}`, index % 3 === 0 ? [pick(0), pick(2)] : [pick(2)]);
  // Odd prompts put a block boundary between the first source's sentences; every sixth makes the
  // second source's first sentence a heading.
  if (index % 2 === 1 && first.sentences.length > 1) first.sentences = first.sentences.map((sentence, position) => (position === 1 ? { ...sentence, blockStart: true } : sentence));
  if (index % 6 === 5) second.sentences = second.sentences.map((sentence, position) => (position === 0 ? { ...sentence, heading: true, blockStart: true } : sentence));
  const sources = [first, second];
  const body = sources.map((item) => `BEGININPUT\nBEGINCONTEXT\n${item.metadata}\nENDCONTEXT\n${item.text}\nENDINPUT`).join('\n');
  const question = 'Was steht in den Quellen?';
  return { text: `Du bist ein hilfreicher Assistent. ${body}\nBEGININSTRUCTION ${question} ENDINSTRUCTION ASSISTANT:`, question, sources };
}

/** The refusal, or a run of whole sentences of one source within one block and without a heading, with that source's citation. */
function isValidAnswer(text: string, prompt: GroundedPrompt): boolean {
  if (text === REFUSAL) return true;
  return prompt.sources.some((item) =>
    item.sentences.some((first, i) => {
      for (let j = i; j < item.sentences.length; j += 1) {
        const last = item.sentences[j]!;
        if (last.heading || (j > i && last.blockStart)) return false;
        if (text === `${item.text.slice(first.start, last.end)} (Quelle: ${item.citation})`) return true;
      }
      return false;
    }),
  );
}

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
    for (const question of ['Wie lang ist der Rhein?', 'Wohin mündet die Donau?', 'Was steht im Handbuch?', 'Wer baute Wien?']) {
      const answer = await answerer.answer({ question });
      if (answer.declined) {
        // The model refused, or the answer layer declined by the focus rules; never an unverifiable quote.
        expect(['model_declined', 'focus_not_found', 'off_topic']).toContain(answer.reason);
        continue;
      }
      for (const citation of answer.citations) expect(stored.get(citation.documentId)!.slice(citation.charStart, citation.charEnd)).toBe(citation.quote);
    }
    expect(answerer.counters().declined.unverifiable_quote).toBe(0);
    expect(answerer.counters().answered).toBeGreaterThan(0);
  }, 120_000);
});

