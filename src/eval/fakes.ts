/**
 * In-memory stand-ins for the `Ingestion` and `Answerer` contracts, so the evaluation runner can
 * be tested end to end without storage, models or other people's services. The fake answerer is a
 * crude but honest extractive system: it quotes the sentence that shares the most words with the
 * question, with exact offsets, or declines when no sentence shares enough.
 */
import { createHash } from 'node:crypto';
import type { Answer, Answerer, AskRequest, Citation, Source } from '../answer/answer-contract.ts';
import { REFUSAL } from '../answer/answer-contract.ts';
import { NotFoundError } from '../errors.ts';
import type { DocumentInput, DocumentRecord, Ingestion } from '../ingest/types.ts';
import { normalizedTokens } from './normalize-answer.ts';

type StoredDocument = { record: DocumentRecord; text: string };

/** An Ingestion that keeps documents in memory; identical text gives the identical document. */
export class InMemoryIngestion implements Ingestion {
  readonly documents = new Map<string, StoredDocument>();
  /** How many times `ingest` was called, to check idempotency. */
  ingestCalls = 0;

  constructor(private readonly options: { failFileNames?: readonly string[] } = {}) {}

  async submit(input: DocumentInput): Promise<DocumentRecord> {
    return this.ingest(input);
  }

  async ingest(input: DocumentInput): Promise<DocumentRecord> {
    this.ingestCalls++;
    const text = input.kind === 'text' ? input.text : input.kind === 'file' ? new TextDecoder().decode(input.bytes) : `Seite ${input.url}`;
    const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const existing = this.documents.get(id);
    if (existing) return existing.record;
    const fileName = input.kind === 'url' ? null : (input.fileName ?? null);
    const failed = fileName !== null && (this.options.failFileNames ?? []).includes(fileName);
    const now = new Date(0).toISOString();
    const record: DocumentRecord = {
      id,
      sourceKind: input.kind,
      fileName,
      url: input.kind === 'url' ? input.url : null,
      finalUrl: null,
      title: input.kind === 'text' ? (input.title ?? null) : null,
      mimeType: 'text/plain',
      sha256: id,
      byteSize: text.length,
      pageCount: null,
      language: 'de',
      status: failed ? 'failed' : 'ready',
      errorCode: failed ? 'empty_document' : null,
      errorMessage: failed ? 'The document has no text.' : null,
      chunkCount: failed ? 0 : 1,
      createdAt: now,
      updatedAt: now,
    };
    this.documents.set(id, { record, text });
    return record;
  }

  async get(id: string): Promise<DocumentRecord> {
    const document = this.documents.get(id);
    if (!document) throw new NotFoundError('document', id);
    return document.record;
  }

  async list(): Promise<{ documents: DocumentRecord[]; total: number }> {
    const documents = [...this.documents.values()].map((document) => document.record);
    return { documents, total: documents.length };
  }

  async remove(id: string): Promise<void> {
    this.documents.delete(id);
  }

  /** Collections are not modelled here: the document is simply recorded in `collectionId`. */
  async move(id: string, collectionId: string): Promise<DocumentRecord> {
    const document = this.documents.get(id);
    if (!document) throw new NotFoundError('document', id);
    document.record = { ...document.record, collectionIds: [collectionId] };
    return document.record;
  }

  async text(id: string): Promise<string> {
    const document = this.documents.get(id);
    if (!document || document.record.status !== 'ready') throw new NotFoundError('document', id);
    return document.text;
  }

  queueDepth(): number {
    return 0;
  }

  async close(): Promise<void> {}
}

/** Sentence spans of a text: split after `.`, `!` or `?` followed by whitespace (good enough for the fakes). */
function sentencesOf(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const match of text.matchAll(/\S(?:.*?)(?:[.!?](?=\s|$)|$)/gsu)) {
    const trimmed = match[0].trimEnd();
    if (trimmed.length > 0) spans.push({ start: match.index, end: match.index + trimmed.length });
  }
  return spans;
}

/**
 * An Answerer over an InMemoryIngestion: ranks documents by shared words with the question and
 * quotes the best sentence. `tamper` may rewrite an honest answer, to simulate a lying system.
 * With `estimateConfidence`, its confidence is the share of the question's words the sentence
 * shares (of one more than their number, so never 1), and a quote below the request's
 * `minConfidence` is declined and listed as a candidate, as the answer service does.
 */
export class SentenceQuotingAnswerer implements Answerer {
  /** Requests received, to check what the runner asked. */
  readonly requests: AskRequest[] = [];

  constructor(
    private readonly ingestion: InMemoryIngestion,
    private readonly options: { minimumSharedWords?: number; estimateConfidence?: boolean; tamper?: (answer: Answer, request: AskRequest) => Answer } = {},
  ) {}

  engines() {
    return [{ name: 'fake', model: 'sentence-overlap', ready: true }];
  }

  async answer(request: AskRequest): Promise<Answer> {
    this.requests.push(request);
    const questionWords = new Set(normalizedTokens(request.question).filter((word) => word.length > 3));
    const allowed = request.documentIds ? new Set(request.documentIds) : null;
    const scored: Array<{ id: string; text: string; sentence: { start: number; end: number }; score: number }> = [];
    for (const [id, document] of this.ingestion.documents) {
      if (document.record.status !== 'ready' || (allowed && !allowed.has(id))) continue;
      for (const sentence of sentencesOf(document.text)) {
        const words = normalizedTokens(document.text.slice(sentence.start, sentence.end));
        const score = new Set(words.filter((word) => questionWords.has(word))).size;
        scored.push({ id, text: document.text, sentence, score });
      }
    }
    scored.sort((a, b) => b.score - a.score);
    const sources: Source[] = [];
    for (const hit of scored) {
      if (sources.length >= (request.topK ?? 5)) break;
      if (sources.some((source) => source.documentId === hit.id) || hit.score === 0) continue;
      sources.push({
        chunkId: `${hit.id}:0`,
        documentId: hit.id,
        title: null,
        url: null,
        fileName: null,
        page: null,
        headingPath: null,
        charStart: 0,
        charEnd: hit.text.length,
        text: hit.text,
        score: hit.score,
        ranks: { text: sources.length + 1 },
      });
    }
    const best = scored[0];
    const base = {
      question: request.question,
      sources,
      engine: request.engine ?? 'fake',
      model: 'sentence-overlap',
      timings: { retrieveMs: 2, generateMs: 8, totalMs: 10 },
      usage: { promptTokens: 100, completionTokens: 20 },
      confidence: null,
      candidates: [],
    };
    const confidence = this.options.estimateConfidence && best ? best.score / (questionWords.size + 1) : null;
    let answer: Answer;
    if (!best || best.score < (this.options.minimumSharedWords ?? 2)) {
      answer = { ...base, declined: true, answer: REFUSAL, reason: 'below_threshold', citations: [], debug: { rawOutput: REFUSAL } };
    } else {
      const quote = best.text.slice(best.sentence.start, best.sentence.end);
      const citation: Citation = {
        quote,
        documentId: best.id,
        title: null,
        url: null,
        fileName: null,
        page: null,
        charStart: best.sentence.start,
        charEnd: best.sentence.end,
        chunkId: `${best.id}:0`,
        verified: true,
        match: 'exact',
      };
      answer = { ...base, declined: false, answer: quote, reason: null, citations: [citation], debug: { rawOutput: quote } };
      if (confidence !== null) {
        answer.confidence = confidence;
        if (confidence < (request.minConfidence ?? 0)) {
          answer = { ...answer, declined: true, answer: REFUSAL, reason: 'below_threshold', citations: [], candidates: [{ ...citation, confidence }] };
        }
      }
    }
    return this.options.tamper ? this.options.tamper(answer, request) : answer;
  }

  async *stream(request: AskRequest) {
    const answer = await this.answer(request);
    yield { type: 'finish' as const, answer };
  }
}

/**
 * Builds an Answer for tests: declined when no citations are given, else an answer made of the
 * citations' quotes. Citations need only quote, document and offsets; the rest is filled in.
 */
export function buildAnswer(options: {
  question?: string;
  citations?: Array<Pick<Citation, 'quote' | 'documentId' | 'charStart' | 'charEnd'> & Partial<Citation>>;
  sourceDocumentIds?: string[];
  declined?: boolean;
  confidence?: number | null;
  candidates?: Answer['candidates'];
  timings?: Answer['timings'];
  usage?: Answer['usage'];
}): Answer {
  const citations: Citation[] = (options.citations ?? []).map((citation) => ({
    title: null,
    url: null,
    fileName: null,
    page: null,
    chunkId: `${citation.documentId}:0`,
    verified: true,
    match: 'exact',
    ...citation,
  }));
  const declined = options.declined ?? citations.length === 0;
  return {
    question: options.question ?? 'Frage?',
    declined,
    answer: declined ? REFUSAL : citations.map((citation) => citation.quote).join(' '),
    reason: declined ? 'model_declined' : null,
    confidence: options.confidence ?? null,
    citations: declined ? [] : citations,
    candidates: options.candidates ?? [],
    sources: (options.sourceDocumentIds ?? []).map((documentId, index) => ({
      chunkId: `${documentId}:0`,
      documentId,
      title: null,
      url: null,
      fileName: null,
      page: null,
      headingPath: null,
      charStart: 0,
      charEnd: 0,
      text: '',
      score: 1 / (index + 1),
      ranks: { text: index + 1 },
    })),
    engine: 'fake',
    model: 'hand-made',
    timings: options.timings ?? { retrieveMs: 1, generateMs: 1, totalMs: 2 },
    usage: options.usage ?? { promptTokens: 10, completionTokens: 5 },
    debug: { rawOutput: '' },
  };
}
