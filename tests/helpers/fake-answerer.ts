/**
 * An `Answerer` for API and web tests that behaves like the extractive engine in miniature: it
 * picks the sentence of a ready document sharing the most words with the question and cites it
 * with exact offsets, or refuses. Tests can hold answers mid-way (`hold`) to fill generation
 * slots or disconnect, make it fail (`failWith`), give its quotes a chosen confidence (`judgeWith`)
 * and see which calls were cancelled.
 */
import type { Answer, AnswerStreamPart, Answerer, AskRequest, Candidate, Citation, Source } from '../../src/answer/answer-contract.ts';
import { REFUSAL } from '../../src/answer/answer-contract.ts';
import { CancelledError } from '../../src/errors.ts';
import type { Ingestion } from '../../src/ingest/types.ts';

const stopWords = new Set(['der', 'die', 'das', 'und', 'ist', 'was', 'wie', 'wer', 'wo', 'wann', 'ein', 'eine', 'in', 'im', 'von', 'zu', 'mit', 'den', 'dem', 'des']);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length > 2 && !stopWords.has(word));
}

function sentencesOf(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const match of text.matchAll(/[^.!?\n\f]+[.!?]?/g)) {
    const leading = match[0].length - match[0].trimStart().length;
    const trimmed = match[0].trim();
    if (trimmed.length === 0) continue;
    const start = match.index + leading;
    spans.push({ start, end: start + trimmed.length });
  }
  return spans;
}

type Hold = { promise: Promise<void>; release: () => void };

/** How the fake judges its best sentence, as the answer service would with an engine's assessment. */
export type FakeJudgement = {
  /** The sentence's confidence; null: the engine cannot estimate it (the threshold does not apply). */
  confidence: number | null;
  /** When declined below the threshold: list the sentence under `candidates` (default true). */
  listCandidates?: boolean;
};

export type FakeAnswererOptions = {
  /** The server's threshold; a request's `minConfidence` overrides it. Default 0. */
  minConfidence?: number;
};

export class FakeAnswerer implements Answerer {
  readonly #ingestion: Ingestion;
  readonly #minConfidence: number;
  #judgement: FakeJudgement = { confidence: null };
  #hold: Hold | null = null;
  #failure: Error | null = null;
  #startedListeners: Array<() => void> = [];
  /** How many answers or streams began. */
  started = 0;
  /** How many ended because their signal was aborted. */
  cancelled = 0;
  /** Requests as received. */
  readonly requests: AskRequest[] = [];

  /** Reads ready documents through the `Ingestion` contract, so it works with the fake and the real one. */
  constructor(ingestion: Ingestion, options: FakeAnswererOptions = {}) {
    this.#ingestion = ingestion;
    this.#minConfidence = options.minConfidence ?? 0;
  }

  /** From now on, the best sentence gets this confidence; below the threshold it is declined. */
  judgeWith(judgement: FakeJudgement): void {
    this.#judgement = judgement;
  }

  /** From now on, answers stop after retrieval until `release()` (or their signal aborts). */
  hold(): { release: () => void } {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.#hold = { promise, release: () => { this.#hold = null; release(); } };
    return { release: this.#hold.release };
  }

  /** From now on, answers throw `error` before producing anything. */
  failWith(error: Error | null): void {
    this.#failure = error;
  }

  /** Resolves once `count` answers have started in total. */
  waitForStarted(count: number): Promise<void> {
    if (this.started >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.started >= count) resolve();
        else this.#startedListeners.push(check);
      };
      this.#startedListeners.push(check);
    });
  }

  engines(): Array<{ name: string; model: string; ready: boolean }> {
    return [{ name: 'extractive', model: 'fake-extractive', ready: true }];
  }

  async answer(request: AskRequest, signal?: AbortSignal): Promise<Answer> {
    let finished: Answer | undefined;
    for await (const part of this.stream(request, signal)) if (part.type === 'finish') finished = part.answer;
    return finished!;
  }

  async *stream(request: AskRequest, signal?: AbortSignal): AsyncGenerator<AnswerStreamPart> {
    this.requests.push(request);
    if (this.#failure) throw this.#failure;
    this.started += 1;
    const listeners = this.#startedListeners;
    this.#startedListeners = [];
    for (const listener of listeners) listener();

    const startedAt = performance.now();
    const best = await this.#bestSentence(request);
    const sources: Source[] = best ? [best.source] : [];
    yield { type: 'sources', sources };

    if (this.#hold) await this.#waitOrAbort(this.#hold.promise, signal);
    if (signal?.aborted) {
      this.cancelled += 1;
      throw new CancelledError();
    }

    const { confidence, listCandidates = true } = this.#judgement;
    const threshold = request.minConfidence ?? this.#minConfidence;
    const belowThreshold = best !== null && confidence !== null && confidence < threshold;
    const answered = best !== null && !belowThreshold;
    const reason = !best ? 'no_sources' : belowThreshold ? 'below_threshold' : null;
    if (best) {
      // The engine's provisional text streams first, as with a real engine, whatever the verdict.
      for (const piece of best.citation.quote.match(/\S+\s*/g) ?? []) yield { type: 'text-delta', text: piece };
    }
    if (answered) yield { type: 'citation', citation: best.citation };
    else yield { type: 'declined', answer: REFUSAL, reason, confidence: best ? confidence : null };
    const candidates: Candidate[] = belowThreshold && listCandidates ? [{ ...best.citation, confidence: confidence! }] : [];
    const totalMs = performance.now() - startedAt;
    const answer: Answer = {
      question: request.question,
      declined: !answered,
      answer: answered ? best.citation.quote : REFUSAL,
      reason,
      confidence: best ? confidence : null,
      citations: answered ? [best.citation] : [],
      candidates,
      sources,
      engine: 'extractive',
      model: 'fake-extractive',
      timings: { retrieveMs: 0, generateMs: totalMs, totalMs },
      usage: { promptTokens: 100, completionTokens: best ? words(best.citation.quote).length + 5 : 12 },
      debug: { rawOutput: best ? `${best.citation.quote} (Quelle: ${best.citation.title})` : REFUSAL },
    };
    yield { type: 'finish', answer };
  }

  async #waitOrAbort(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
    if (!signal) return promise;
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => resolve(), { once: true });
      promise.then(resolve);
    });
  }

  async #bestSentence(request: AskRequest): Promise<{ citation: Citation; source: Source } | null> {
    const questionWords = new Set(words(request.question));
    let best: { score: number; citation: Citation; source: Source } | null = null;
    const { documents } = await this.#ingestion.list({ status: 'ready', limit: 1000 });
    for (const document of documents) {
      if (request.documentIds && !request.documentIds.includes(document.id)) continue;
      const text = await this.#ingestion.text(document.id);
      for (const span of sentencesOf(text)) {
        const quote = text.slice(span.start, span.end);
        const score = words(quote).filter((word) => questionWords.has(word)).length;
        if (score === 0 || (best && best.score >= score)) continue;
        const chunkId = `${document.id}-chunk-0`;
        const page = text.includes('\f') ? text.slice(0, span.start).split('\f').length : null;
        const common = { documentId: document.id, title: document.title, url: document.url, fileName: document.fileName, page, chunkId };
        best = {
          score,
          citation: { ...common, quote, charStart: span.start, charEnd: span.end, verified: true, match: 'exact' },
          source: { ...common, headingPath: null, charStart: 0, charEnd: text.length, text, score, ranks: { text: 1 } },
        };
      }
    }
    return best && { citation: best.citation, source: best.source };
  }
}
