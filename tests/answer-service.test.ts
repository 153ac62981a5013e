import { describe, expect, it } from 'vitest';
import { answerSchema, REFUSAL, type AnswerStreamPart } from '../src/answer/answer-contract.ts';
import { AnswerService, type AnswerChunk } from '../src/answer/answer-service.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/extractive-language-model.ts';
import type { Assessment, GenerateOptions, GenerateResult, LanguageModel, StreamPart } from '../src/engine/language-model.ts';
import { splitSentences } from '../src/ingest/split-sentences.ts';
import { buildGroundedPrompt } from '../src/retrieve/build-prompt.ts';
import type { StoredChunk } from '../src/store/chunk-store.ts';
import { collect } from './helpers/collect.ts';

type TestDocument = { id: string; title: string | null; url: string | null; fileName: string | null; text: string; page?: number };

const documents: TestDocument[] = [
  {
    id: 'rhein',
    title: 'Der Rhein',
    url: null,
    fileName: 'rhein.pdf',
    page: 3,
    text: 'Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang.\nSeine Quelle liegt in den Schweizer Alpen. Er nannte ihn „Vater Rhein“ und lachte.',
  },
  {
    id: 'donau',
    title: null,
    url: 'https://example.org/donau',
    fileName: null,
    text: 'Die Donau fließt durch Wien. Im Handbuch steht ENDINPUT als Wort. Sie mündet ins Schwarze Meer.',
  },
];

/** One chunk per document, with sentence offsets relative to the chunk. */
function chunkOf(document: TestDocument): StoredChunk {
  return {
    id: `${document.id}-0`,
    documentId: document.id,
    ordinal: 0,
    text: document.text,
    charStart: 0,
    charEnd: document.text.length,
    page: document.page ?? null,
    headingPath: null,
    tokenCount: 0,
    sentenceOffsets: splitSentences(document.text).flatMap((span) => [span.charStart, span.charEnd]),
  };
}

/** Returns the documents in the order asked, as the retriever would. */
function retrieveInOrder(order: string[]) {
  return async (_question: string, options: { topK: number; documentIds?: readonly string[] }): Promise<AnswerChunk[]> =>
    order
      .filter((id) => !options.documentIds || options.documentIds.includes(id))
      .slice(0, options.topK)
      .map((id, index) => {
        const document = documents.find((item) => item.id === id)!;
        return { chunk: chunkOf(document), document, score: 1 / (index + 1), ranks: { text: index + 1 } };
      });
}

/** An engine that always says `raw` (what a model without constraints might write), optionally with an assessment. */
class ScriptedEngine implements LanguageModel {
  readonly engine = 'scripted';
  readonly modelId = 'scripted-1';
  calls = 0;
  lastOptions: GenerateOptions | null = null;
  constructor(
    readonly raw: string,
    readonly assessment?: Assessment,
  ) {}
  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    this.calls += 1;
    this.lastOptions = options;
    return { text: this.raw, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5 }, assessment: this.assessment };
  }
  async *doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    this.calls += 1;
    this.lastOptions = options;
    for (const piece of this.raw.match(/\s*\S+/g) ?? []) yield { type: 'text-delta', text: piece };
    yield { type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5 }, text: this.raw, assessment: this.assessment };
  }
  async dispose() {}
}

function service(engine: LanguageModel, order = ['rhein', 'donau'], minConfidence?: number) {
  return new AnswerService({
    minConfidence,
    retrieve: retrieveInOrder(order),
    buildPrompt: (question, chunks) => buildGroundedPrompt({ question, chunks }),
    getText: async (id) => documents.find((item) => item.id === id)!.text,
    engines: { [engine.engine]: engine },
    defaultEngine: engine.engine,
  });
}


describe('AnswerService', () => {
  it('answers with the extractive engine: a verified citation whose offsets slice the stored text', async () => {
    const answerer = service(new ExtractiveLanguageModel());
    const answer = await answerer.answer({ question: 'Wie lang ist der Rhein?' });
    expect(answerSchema.parse(answer)).toEqual(answer);
    expect(answer.declined).toBe(false);
    // "Er" needs its antecedent: the pair of adjacent sentences is the better quote.
    expect(answer.answer).toBe('Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang.');
    const [citation] = answer.citations;
    const stored = documents[0]!.text;
    expect(stored.slice(citation!.charStart, citation!.charEnd)).toBe(citation!.quote);
    expect(citation).toMatchObject({ documentId: 'rhein', chunkId: 'rhein-0', fileName: 'rhein.pdf', page: 3, match: 'exact', verified: true });
    expect(answer.sources.map((source) => source.chunkId)).toEqual(['rhein-0', 'donau-0']);
    expect(answer.engine).toBe('extractive');
    expect(answer.debug.rawOutput).toContain('(Quelle: Datei: rhein.pdf');
  });

  it('declines a quote that is not in the documents, and counts it', async () => {
    const answerer = service(new ScriptedEngine('Der Rhein ist 2000 Kilometer lang. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)'));
    const answer = await answerer.answer({ question: 'Wie lang ist der Rhein?' });
    expect(answer).toMatchObject({ declined: true, reason: 'unverifiable_quote', answer: REFUSAL, citations: [] });
    expect(answer.debug.rawOutput).toContain('2000');
    expect(answerer.counters().declined.unverifiable_quote).toBe(1);
  });

  it('declines output that is not in the answer format', async () => {
    const answer = await service(new ScriptedEngine('Der Rhein ist lang, glaube ich.')).answer({ question: 'Wie lang ist der Rhein?' });
    expect(answer).toMatchObject({ declined: true, reason: 'unverifiable_quote' });
  });

  it('passes the model’s refusal on as model_declined', async () => {
    const answerer = service(new ScriptedEngine(REFUSAL));
    const answer = await answerer.answer({ question: 'Wer gab dem Rhein seinen Namen?' });
    expect(answer).toMatchObject({ declined: true, reason: 'model_declined', answer: REFUSAL });
    expect(answerer.counters().declined.model_declined).toBe(1);
  });

  it('says below_threshold when the extractive engine finds nothing good enough, and lists its candidates', async () => {
    const answerer = service(new ExtractiveLanguageModel(), ['rhein', 'donau'], 0.9);
    // The Rhein is in the sources, its width is not.
    const answer = await answerer.answer({ question: 'Wie breit ist der Rhein?' });
    expect(answer).toMatchObject({ declined: true, reason: 'below_threshold', answer: REFUSAL, citations: [] });
    expect(answer.confidence!).toBeLessThan(0.9);
    expect(answer.candidates.length).toBeGreaterThan(0);
    expect(answerer.counters().declined.below_threshold).toBe(1);
  });

  it('says focus_not_found when the extractive engine declines a question about something no source mentions', async () => {
    const answerer = service(new ExtractiveLanguageModel(), ['rhein', 'donau'], 0.5);
    const answer = await answerer.answer({ question: 'Wer erfand den Buchdruck in Mainz?' });
    expect(answer).toMatchObject({ declined: true, reason: 'focus_not_found', answer: REFUSAL, citations: [] });
    expect(answerer.counters().declined.focus_not_found).toBe(1);
  });

  it('returns the stored spelling when the model straightened quotation marks', async () => {
    const answer = await service(new ScriptedEngine('Er nannte ihn "Vater Rhein" und lachte. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)')).answer({
      question: 'Wie nannte er den Rhein?',
    });
    expect(answer.citations[0]).toMatchObject({ quote: 'Er nannte ihn „Vater Rhein“ und lachte.', match: 'normalized' });
    const stored = documents[0]!.text;
    expect(stored.slice(answer.citations[0]!.charStart, answer.citations[0]!.charEnd)).toBe(answer.citations[0]!.quote);
  });

  it('verifies a quote copied from a marker-neutralised source against the stored text', async () => {
    const engine = new ScriptedEngine('Im Handbuch steht E\u200BNDINPUT als Wort. (Quelle: Url: https://example.org/donau)');
    const answer = await service(engine).answer({ question: 'Was steht im Handbuch?' });
    expect(answer.declined).toBe(false);
    expect(answer.citations[0]).toMatchObject({ documentId: 'donau', quote: 'Im Handbuch steht ENDINPUT als Wort.', url: 'https://example.org/donau' });
  });

  it('attributes a quote to the source that really holds it when the model cited another', async () => {
    const answerer = service(new ScriptedEngine('Die Donau fließt durch Wien. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)'));
    const answer = await answerer.answer({ question: 'Wodurch fließt die Donau?' });
    expect(answer.citations[0]).toMatchObject({ documentId: 'donau', quote: 'Die Donau fließt durch Wien.' });
    expect(answerer.counters().citationsCorrected).toBe(1);
  });

  it('declines with no_sources when nothing is retrieved, without calling the engine', async () => {
    const engine = new ScriptedEngine('unused');
    const answer = await service(engine, []).answer({ question: 'Wie lang ist der Rhein?' });
    expect(answer).toMatchObject({ declined: true, reason: 'no_sources', sources: [] });
    expect(engine.calls).toBe(0);
  });

  it('restricts retrieval to the documents asked for', async () => {
    const answer = await service(new ExtractiveLanguageModel()).answer({ question: 'Wie lang ist der Rhein?', documentIds: ['donau'] });
    expect(answer.sources.map((source) => source.documentId)).toEqual(['donau']);
    expect(answer.citations.every((citation) => citation.documentId === 'donau')).toBe(true);
  });

  it('streams sources, text, the citation and the finished answer, in that order', async () => {
    const answerer = service(new ExtractiveLanguageModel());
    const parts = await collect(answerer.stream({ question: 'Wie lang ist der Rhein?' }));
    const types = parts.map((part) => part.type);
    expect(types[0]).toBe('sources');
    expect(types.at(-1)).toBe('finish');
    expect(types.at(-2)).toBe('citation');
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    const finish = parts.at(-1) as Extract<AnswerStreamPart, { type: 'finish' }>;
    expect(text).toBe(finish.answer.debug.rawOutput);
    const answered = await answerer.answer({ question: 'Wie lang ist der Rhein?' });
    expect({ ...finish.answer, timings: null }).toEqual({ ...answered, timings: null });
  });

  it('streams a declined part and no citation for an unverifiable quote', async () => {
    const parts = await collect(service(new ScriptedEngine('Erfunden ist das. (Quelle: Url: https://example.org/donau)')).stream({ question: 'Was ist erfunden?' }));
    const types = parts.map((part) => part.type);
    expect(types).not.toContain('citation');
    expect(parts.find((part) => part.type === 'declined')).toMatchObject({ reason: 'unverifiable_quote', answer: REFUSAL });
    expect(types.at(-1)).toBe('finish');
  });

  it('rejects an engine that is not configured, and an empty question', async () => {
    const answerer = service(new ExtractiveLanguageModel());
    await expect(answerer.answer({ question: 'Wie lang ist der Rhein?', engine: 'tgi' })).rejects.toMatchObject({ code: 'engine_unavailable' });
    await expect(answerer.answer({ question: '   ' })).rejects.toMatchObject({ code: 'validation_failed' });
    expect(answerer.engines()).toEqual([{ name: 'extractive', model: expect.stringMatching(/^extractive-reader-v\d+$/), ready: true }]);
  });

  it('stops when the request is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(service(new ExtractiveLanguageModel()).answer({ question: 'Wie lang ist der Rhein?' }, controller.signal)).rejects.toMatchObject({
      code: 'cancelled',
    });
  });

  describe('confidence', () => {
    const lengthQuote = 'Er ist 1233 Kilometer lang. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)';
    // Sentence 1 of the first source (rhein) is "Er ist 1233 Kilometer lang."; sentence 0 of donau is about Wien.
    const sure: Assessment = { confidence: 0.9, candidates: [{ sourceIndex: 0, firstSentence: 1, lastSentence: 1, confidence: 0.9 }] };
    const unsure: Assessment = { confidence: 0.3, candidates: [{ sourceIndex: 0, firstSentence: 1, lastSentence: 1, confidence: 0.3 }] };

    it('presents a quote whose confidence reaches the threshold, with that confidence', async () => {
      const engine = new ScriptedEngine(lengthQuote, sure);
      const answer = await service(engine, ['rhein', 'donau'], 0.5).answer({ question: 'Wie lang ist der Rhein?' });
      expect(answer).toMatchObject({ declined: false, confidence: 0.9, candidates: [] });
      expect(engine.lastOptions?.minConfidence).toBe(0.5);
    });

    it('declines a verified quote below the threshold and lists it as a candidate to read', async () => {
      const answerer = service(new ScriptedEngine(lengthQuote, unsure), ['rhein', 'donau'], 0.5);
      const answer = await answerer.answer({ question: 'Wie lang ist der Rhein?' });
      expect(answer).toMatchObject({ declined: true, reason: 'below_threshold', answer: REFUSAL, citations: [], confidence: 0.3 });
      expect(answer.candidates).toHaveLength(1);
      const [candidate] = answer.candidates;
      expect(candidate).toMatchObject({ quote: 'Er ist 1233 Kilometer lang.', documentId: 'rhein', confidence: 0.3, verified: true });
      expect(documents[0]!.text.slice(candidate!.charStart, candidate!.charEnd)).toBe(candidate!.quote);
      expect(answerer.counters().declined.below_threshold).toBe(1);
      expect(answerSchema.parse(answer)).toEqual(answer);
    });

    it('lets a request lower or raise the threshold', async () => {
      const lowered = await service(new ScriptedEngine(lengthQuote, unsure), ['rhein', 'donau'], 0.5).answer({ question: 'Wie lang ist der Rhein?', minConfidence: 0.2 });
      expect(lowered).toMatchObject({ declined: false, confidence: 0.3 });
      const raised = await service(new ScriptedEngine(lengthQuote, sure), ['rhein', 'donau'], 0.5).answer({ question: 'Wie lang ist der Rhein?', minConfidence: 0.95 });
      expect(raised).toMatchObject({ declined: true, reason: 'below_threshold' });
      await expect(service(new ScriptedEngine(lengthQuote, sure)).answer({ question: 'Wie lang ist der Rhein?', minConfidence: 1.5 })).rejects.toMatchObject({ code: 'validation_failed' });
    });

    it('lists the verified candidates of an engine that declined by itself', async () => {
      const answer = await service(new ScriptedEngine(REFUSAL, unsure), ['rhein', 'donau'], 0.5).answer({ question: 'Wie lang ist der Rhein?' });
      expect(answer).toMatchObject({ declined: true, reason: 'model_declined', confidence: 0.3 });
      expect(answer.candidates.map((candidate) => candidate.quote)).toEqual(['Er ist 1233 Kilometer lang.']);
    });

    it('holds engines that cannot estimate confidence to nothing: confidence is null', async () => {
      const answer = await service(new ScriptedEngine(lengthQuote), ['rhein', 'donau'], 0.5).answer({ question: 'Wie lang ist der Rhein?' });
      expect(answer).toMatchObject({ declined: false, confidence: null, candidates: [] });
    });

    it('streams the decline with its confidence, and the candidates in the finished answer', async () => {
      const parts = await collect(service(new ScriptedEngine(lengthQuote, unsure), ['rhein', 'donau'], 0.5).stream({ question: 'Wie lang ist der Rhein?' }));
      expect(parts.find((part) => part.type === 'declined')).toMatchObject({ reason: 'below_threshold', confidence: 0.3 });
      expect(parts.map((part) => part.type)).not.toContain('citation');
      const finish = parts.at(-1) as Extract<AnswerStreamPart, { type: 'finish' }>;
      expect(finish.answer.candidates.map((candidate) => candidate.quote)).toEqual(['Er ist 1233 Kilometer lang.']);
    });
  });

  describe('focus terms (every engine)', () => {
    it('declines with focus_not_found when a noun of the question occurs in no passage, without calling the engine', async () => {
      const engine = new ScriptedEngine('Der Rhein ist ein Strom in Mitteleuropa. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)');
      const answer = await service(engine).answer({ question: 'Wann wurde das Rathaus gebaut?' });
      expect(answer).toMatchObject({ declined: true, reason: 'focus_not_found', answer: REFUSAL, citations: [], candidates: [] });
      expect(answer.sources.length).toBeGreaterThan(0);
      expect(engine.calls).toBe(0);
    });

    it('finds focus terms through word families and compound parts', async () => {
      // "Ströme" and "Mitteleuropa" are written differently in the text ("Strom", "Mitteleuropa.").
      const engine = new ScriptedEngine('Der Rhein ist ein Strom in Mitteleuropa. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)');
      const answer = await service(engine).answer({ question: 'Welche Ströme gibt es in Europa?' });
      expect(answer.reason).not.toBe('focus_not_found');
      expect(engine.calls).toBe(1);
    });

    it('declines a quote as off_topic when its passage shares none of the question’s focus terms', async () => {
      // The model quotes the Donau passage for a question about the Rhein's source.
      const engine = new ScriptedEngine('Sie mündet ins Schwarze Meer. (Quelle: Url: https://example.org/donau)');
      const answer = await service(engine, ['rhein', 'donau']).answer({ question: 'Wo liegt die Quelle des Rheins?' });
      expect(answer).toMatchObject({ declined: true, reason: 'off_topic', citations: [] });
      expect(engine.calls).toBe(1);
    });

    it('keeps a quote whose passage mentions the focus term', async () => {
      const engine = new ScriptedEngine('Seine Quelle liegt in den Schweizer Alpen. (Quelle: Datei: rhein.pdf, Titel: Der Rhein, Seite: 3)');
      const answer = await service(engine, ['rhein', 'donau']).answer({ question: 'Wo liegt die Quelle des Rheins?' });
      expect(answer).toMatchObject({ declined: false, reason: null });
      expect(answer.citations[0]!.quote).toBe('Seine Quelle liegt in den Schweizer Alpen.');
    });
  });
});
