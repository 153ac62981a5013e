/**
 * The answer service (`Answerer`): retrieve → build the grounded prompt → generate with the quote
 * constraint → parse → verify every quote against the stored text → the Answer contract.
 *
 * Every dependency is injected (retrieval, prompt building, stored texts, engines), so the API
 * and CLI wire real ones and tests wire small fakes; this file imports no storage or HTTP code.
 *
 * Streaming: `text-delta` parts carry the engine's raw text as it is generated and are provisional;
 * the verdict follows as `citation` parts (verified) or one `declined` part, then `finish` with the
 * complete Answer. A quote that cannot be verified is never sent as a citation.
 */
import { BelegError, CancelledError, EngineUnavailableError, ValidationError } from '../errors.ts';
import { describeFirstIssue, userMessage } from '../messages/index.ts';
import type { StoredChunk } from '../store/chunk-store.ts';
import type { Assessment, GenerateOptions, GenerateResult, LanguageModel, QuoteConstraint, SamplingOptions, StreamPart, Usage } from '../engine/language-model.ts';
import {
  REFUSAL,
  askRequestSchema,
  type Answer,
  type AnswerStreamPart,
  type Answerer,
  type AskRequest,
  type Candidate,
  type DeclineReason,
  type Source,
} from './answer-contract.ts';
import { isOffTopic, missingFocus } from './focus-check.ts';
import { resolveAnswer, resolveCandidates, type AnswerPrompt, type AnswerPromptSource, type CitedDocument, type PageLookup, type Resolution } from './resolve-answer.ts';

/** A chunk found for the question, with its document and why it was found. */
export type AnswerChunk = {
  chunk: StoredChunk;
  document: CitedDocument;
  score: number;
  /** 1-based rank in each retriever. */
  ranks?: Partial<Record<string, number>>;
};

export type AnswerServiceOptions = {
  /** Finds chunks for a question, best first, only in ready documents. */
  retrieve(question: string, options: { topK: number; documentIds?: readonly string[]; collectionIds?: readonly string[]; signal?: AbortSignal }): Promise<AnswerChunk[]>;
  /**
   * Which of these documents are still ready and in one of `collectionIds`, checked at the end: a
   * document moved out of the asked collections or deleted while the answer was generated is
   * never cited. Without it, nothing is checked again.
   */
  visibleAmong?(documentIds: readonly string[], collectionIds: readonly string[]): Promise<Set<string>>;
  /**
   * Builds the grounded prompt (src/retrieve/build-prompt.ts's buildGroundedPrompt, wired by the
   * caller) for the named engine, whose prompt budget may differ (lean prompts for local engines).
   */
  buildPrompt(question: string, chunks: readonly AnswerChunk[], engine: string): AnswerPrompt;
  /** The stored text of a document (what offsets index). */
  getText(documentId: string): Promise<string>;
  /**
   * The stored PDF page spans of a document, null when it is not paged. With it, a citation names
   * the page its quote starts on; without it, the page its chunk starts on (which can be earlier).
   */
  getPages?: PageLookup;
  /** Configured engines by name; `defaultEngine` answers when a request names none. */
  engines: Readonly<Record<string, LanguageModel>>;
  defaultEngine: string;
  /** Chunks retrieved when the request does not say. Default 6. */
  topK?: number;
  /** Longest answer in tokens. Default 384. */
  maxNewTokens?: number;
  /** Default greedy: the model still chooses source, start and end, but reproducibly. */
  sampling?: SamplingOptions;
  /**
   * A quote is presented as the answer only when the engine's confidence reaches this (0..1);
   * below it the answer is declined (`below_threshold`) with the quote among `candidates`.
   * Requests may override it (`minConfidence`). Engines that cannot estimate confidence are not
   * held to it. Default 0.
   */
  minConfidence?: number;
};

/** How answers ended, for metrics. */
export type AnswerCounters = {
  answered: number;
  declined: Record<DeclineReason, number>;
  /** Quotes the model attributed to the wrong source, attributed to the right one instead. */
  citationsCorrected: number;
  /** Citations found only after normalisation (quote marks, whitespace, dashes…). */
  normalizedMatches: number;
};

/** Everything known before generation starts. */
type Prepared = {
  request: AskRequest;
  engine: LanguageModel;
  started: number;
  retrieveMs: number;
  sources: Source[];
  prompt: AnswerPrompt | null;
};

const CONSTRAINT: QuoteConstraint = { kind: 'quote-or-refusal', refusal: REFUSAL };

function declinedFor(reason: DeclineReason): Resolution {
  return { declined: true, reason, answer: REFUSAL, citations: [], citationCorrected: false };
}

function toSource(item: AnswerChunk): Source {
  const ranks: Record<string, number> = {};
  for (const [name, rank] of Object.entries(item.ranks ?? {})) if (typeof rank === 'number') ranks[name] = rank;
  return {
    chunkId: item.chunk.id,
    documentId: item.chunk.documentId,
    title: item.document.title,
    url: item.document.url,
    fileName: item.document.fileName,
    page: item.chunk.page,
    headingPath: item.chunk.headingPath,
    charStart: item.chunk.charStart,
    charEnd: item.chunk.charEnd,
    text: item.chunk.text,
    score: item.score,
    ranks,
  };
}

/**
 * An engine's failure as users see it: its own BelegError (engine unavailable, overloaded, …), or
 * `engine_failed` for anything unexpected, whether the answer was streamed or not.
 */
function engineFailure(error: unknown): BelegError {
  if (error instanceof BelegError) return error;
  return new BelegError(userMessage('engine_failed', { reason: error instanceof Error ? error.message : String(error) }), { cause: error });
}

export class AnswerService implements Answerer {
  readonly #options: AnswerServiceOptions;
  readonly #counters: AnswerCounters = {
    answered: 0,
    declined: { no_sources: 0, model_declined: 0, unverifiable_quote: 0, below_threshold: 0, focus_not_found: 0, off_topic: 0 },
    citationsCorrected: 0,
    normalizedMatches: 0,
  };

  constructor(options: AnswerServiceOptions) {
    if (!options.engines[options.defaultEngine]) {
      throw new ValidationError(
        userMessage('validation_failed.default_engine', { engine: options.defaultEngine, configured: Object.keys(options.engines).join(', ') || '-' }),
      );
    }
    this.#options = options;
  }

  /** A snapshot of how answers ended since start. */
  counters(): AnswerCounters {
    return structuredClone(this.#counters);
  }

  engines(): Array<{ name: string; model: string; ready: boolean }> {
    return Object.entries(this.#options.engines).map(([name, engine]) => ({ name, model: engine.modelId, ready: true }));
  }

  #engine(name: string | undefined): LanguageModel {
    const chosen = name ?? this.#options.defaultEngine;
    const engine = this.#options.engines[chosen];
    if (!engine) {
      throw new EngineUnavailableError(userMessage('engine_unavailable', { engine: chosen, configured: Object.keys(this.#options.engines).join(', ') }), {
        details: { engine: chosen },
      });
    }
    return engine;
  }

  /** Validation, retrieval and prompt building: everything before generation. */
  async #prepare(input: AskRequest, signal: AbortSignal | undefined): Promise<Prepared> {
    const parsed = askRequestSchema.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError(userMessage('validation_failed.question', { problem: describeFirstIssue(askRequestSchema, input, parsed.error).problem }));
    }
    const request = parsed.data;
    const engine = this.#engine(request.engine);
    const started = performance.now();
    if (signal?.aborted) throw new CancelledError();
    const chunks = await this.#options.retrieve(request.question, {
      topK: request.topK ?? this.#options.topK ?? 6,
      documentIds: request.documentIds,
      collectionIds: request.collectionIds,
      signal,
    });
    const retrieveMs = performance.now() - started;
    const prompt = chunks.length > 0 ? this.#options.buildPrompt(request.question, chunks, request.engine ?? this.#options.defaultEngine) : null;
    return { request, engine, started, retrieveMs, sources: chunks.map(toSource), prompt };
  }

  #minConfidence(request: AskRequest): number {
    return request.minConfidence ?? this.#options.minConfidence ?? 0;
  }

  #generateOptions(prepared: Prepared, prompt: AnswerPrompt, signal: AbortSignal | undefined): GenerateOptions {
    return {
      prompt,
      maxNewTokens: this.#options.maxNewTokens ?? 384,
      sampling: this.#options.sampling ?? { kind: 'greedy' },
      constraint: CONSTRAINT,
      minConfidence: this.#minConfidence(prepared.request),
      signal,
    };
  }

  /**
   * Applies the confidence threshold to a resolved answer: a verified quote below it is declined
   * and kept as a candidate; a refusal lists the engine's best candidates, verified.
   */
  async #assess(prepared: Prepared, resolution: Resolution, assessment: Assessment | undefined): Promise<{ resolution: Resolution; confidence: number | null; candidates: Candidate[] }> {
    const confidence = assessment?.confidence ?? null;
    if (!resolution.declined) {
      if (prepared.prompt && this.#offTopic(prepared, resolution)) return { resolution: declinedFor('off_topic'), confidence, candidates: [] };
      if (confidence === null || confidence >= this.#minConfidence(prepared.request)) return { resolution, confidence, candidates: [] };
      return {
        resolution: declinedFor(this.#focusMissing(prepared) ? 'focus_not_found' : 'below_threshold'),
        confidence,
        candidates: resolution.citations.map((citation) => ({ ...citation, confidence })),
      };
    }
    // A calibrated engine declines when its best quote is below the threshold; the reason says
    // why when the question's focus is in no source.
    if (resolution.reason === 'model_declined' && prepared.engine.calibrated) {
      resolution = { ...resolution, reason: this.#focusMissing(prepared) ? 'focus_not_found' : 'below_threshold' };
    }
    if (!prepared.prompt || !assessment || assessment.candidates.length === 0 || resolution.reason === 'unverifiable_quote') {
      return { resolution, confidence, candidates: [] };
    }
    const candidates = await resolveCandidates(assessment.candidates, prepared.prompt, this.#options.getText, this.#options.getPages);
    return { resolution, confidence, candidates };
  }

  /** True when the passages the quote comes from share none of the question's focus terms. */
  #offTopic(prepared: Prepared, resolution: Resolution): boolean {
    const sources: readonly AnswerPromptSource[] = prepared.prompt!.sources;
    const passages = resolution.citations.map((citation) => {
      const source = sources.find((item) => item.documentId === citation.documentId && item.charStart <= citation.charStart && citation.charEnd <= item.charEnd);
      return source?.text ?? citation.quote;
    });
    return passages.length > 0 && passages.every((passage) => isOffTopic(prepared.request.question, passage));
  }

  async #finish(
    prepared: Prepared,
    resolved: Resolution,
    generateMs: number,
    usage: Usage,
    rawOutput: string,
    assessment?: Assessment,
    engineTimings?: GenerateResult['timings'],
  ): Promise<Answer> {
    const assessed = await this.#assess(prepared, resolved, assessment);
    const { resolution, confidence, candidates } = await this.#withoutWithdrawn(prepared, assessed);
    if (resolution.declined) this.#counters.declined[resolution.reason ?? 'model_declined'] += 1;
    else this.#counters.answered += 1;
    if (resolution.citationCorrected) this.#counters.citationsCorrected += 1;
    this.#counters.normalizedMatches += resolution.citations.filter((citation) => citation.match === 'normalized').length;
    return {
      question: prepared.request.question,
      declined: resolution.declined,
      answer: resolution.answer,
      reason: resolution.reason,
      confidence,
      citations: resolution.citations,
      candidates,
      sources: prepared.sources,
      engine: prepared.engine.engine,
      model: prepared.engine.modelId,
      timings: {
        retrieveMs: prepared.retrieveMs,
        generateMs,
        totalMs: performance.now() - prepared.started,
        ...(engineTimings?.forwardPasses !== undefined
          ? { prefillMs: engineTimings.prefillMs, decodeMs: engineTimings.decodeMs, forwardPasses: engineTimings.forwardPasses, forcedTokens: engineTimings.forcedTokens ?? 0, cachedPromptTokens: engineTimings.cachedPromptTokens ?? 0 }
          : {}),
      },
      usage,
      debug: { rawOutput },
    };
  }

  /**
   * Drops what a document moved out of the asked collections (or deleted) while the question ran
   * would contribute: an answer citing it becomes a `no_sources` refusal, candidates from it go.
   */
  async #withoutWithdrawn(
    prepared: Prepared,
    assessed: { resolution: Resolution; confidence: number | null; candidates: Candidate[] },
  ): Promise<{ resolution: Resolution; confidence: number | null; candidates: Candidate[] }> {
    const collectionIds = prepared.request.collectionIds;
    if (!this.#options.visibleAmong || collectionIds === undefined) return assessed;
    const ids = [...assessed.resolution.citations, ...assessed.candidates].map((item) => item.documentId);
    if (ids.length === 0) return assessed;
    const visible = await this.#options.visibleAmong(ids, collectionIds);
    const candidates = assessed.candidates.filter((candidate) => visible.has(candidate.documentId));
    if (assessed.resolution.citations.every((citation) => visible.has(citation.documentId))) return { ...assessed, candidates };
    return { resolution: declinedFor('no_sources'), confidence: null, candidates };
  }

  #noSources(prepared: Prepared): Promise<Answer> {
    return this.#finish(prepared, declinedFor('no_sources'), 0, { promptTokens: 0, completionTokens: 0 }, '');
  }

  /**
   * A decline before generation: nothing found; or, for an engine without calibrated confidence, a
   * focus term of the question that no source mentions (the model is not asked at all).
   */
  async #declineEarly(prepared: Prepared): Promise<Answer | null> {
    if (!prepared.prompt || prepared.prompt.sources.length === 0) return this.#noSources(prepared);
    if (prepared.engine.calibrated || !this.#focusMissing(prepared)) return null;
    return this.#finish(prepared, declinedFor('focus_not_found'), 0, { promptTokens: 0, completionTokens: 0 }, '');
  }

  /** True when a focus term of the question occurs in none of the prompt's sources. */
  #focusMissing(prepared: Prepared): boolean {
    return prepared.prompt !== null && missingFocus(prepared.request.question, prepared.prompt.sources.map((source) => source.text)).length > 0;
  }

  async answer(request: AskRequest, signal?: AbortSignal): Promise<Answer> {
    const prepared = await this.#prepare(request, signal);
    const early = await this.#declineEarly(prepared);
    if (early || !prepared.prompt) return early!;
    const generationStarted = performance.now();
    const result = await prepared.engine.doGenerate(this.#generateOptions(prepared, prepared.prompt, signal)).catch((error: unknown) => {
      throw engineFailure(error);
    });
    const generateMs = performance.now() - generationStarted;
    if (result.finishReason === 'cancelled' || signal?.aborted) throw new CancelledError();
    const resolution = await resolveAnswer(result.text, prepared.prompt, this.#options.getText, this.#options.getPages);
    return this.#finish(prepared, resolution, generateMs, result.usage, result.text, result.assessment, result.timings);
  }

  /**
   * Streams the answer. Failures before generation starts (bad request, retrieval, engine down
   * on its first part) are thrown, so callers can still answer with a status code.
   */
  async *stream(request: AskRequest, signal?: AbortSignal): AsyncIterable<AnswerStreamPart> {
    const prepared = await this.#prepare(request, signal);
    const prompt = prepared.prompt;
    const early = await this.#declineEarly(prepared);
    if (early || !prompt) {
      const answer = early!;
      yield { type: 'sources', sources: prepared.sources };
      yield { type: 'declined', answer: answer.answer, reason: answer.reason, confidence: answer.confidence };
      yield { type: 'finish', answer };
      return;
    }

    const generationStarted = performance.now();
    const parts = prepared.engine.doStream(this.#generateOptions(prepared, prompt, signal))[Symbol.asyncIterator]();
    let current: IteratorResult<StreamPart> = await parts.next();
    yield { type: 'sources', sources: prepared.sources };
    try {
      while (!current.done) {
        const part = current.value;
        if (part.type === 'text-delta') {
          yield { type: 'text-delta', text: part.text };
        } else if (part.type === 'error') {
          yield { type: 'error', error: engineFailure(part.error) };
          return;
        } else {
          if (part.finishReason === 'cancelled' || signal?.aborted) {
            yield { type: 'error', error: new CancelledError() };
            return;
          }
          const generateMs = performance.now() - generationStarted;
          const resolution = await resolveAnswer(part.text, prompt, this.#options.getText, this.#options.getPages);
          const answer = await this.#finish(prepared, resolution, generateMs, part.usage, part.text, part.assessment, part.timings);
          if (answer.declined) yield { type: 'declined', answer: answer.answer, reason: answer.reason, confidence: answer.confidence };
          for (const citation of answer.citations) yield { type: 'citation', citation };
          yield { type: 'finish', answer };
          return;
        }
        current = await parts.next();
      }
      yield { type: 'error', error: new BelegError(userMessage('engine_failed.no_finish')) };
    } finally {
      if (!current.done) await parts.return?.();
    }
  }
}
