/**
 * Runs an evaluation: ingests the dataset's corpus (idempotent: identical content maps to the
 * existing document), asks every selected case through the Answerer, judges each answer against
 * the evaluator's own copy of the stored texts, and builds the report.
 *
 * Ingestion and answering are injected (`Ingestion`, `Answerer`), so the runner is tested with
 * fakes and wired to the real services by the CLI.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Answerer, AskRequest } from '../answer/answer-contract.ts';
import { BelegError } from '../errors.ts';
import type { DocumentInput, Ingestion, PageSpan } from '../ingest/types.ts';
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap.ts';
import type { CorpusEntry, Dataset, EvalCase, EvalSplit } from './dataset.ts';
import { userMessage } from '../messages/index.ts';
import { InvalidDatasetError } from './invalid-dataset-error.ts';
import { headlineMetrics, judgeCase, resultsBySplit, summarizeResults, type CaseResult } from './metrics.ts';
import { REPORT_SCHEMA_VERSION, type EvalReport, type IngestionFailure, type ReportCase, type TextWindow } from './report.ts';
import { casesOfSplit, selectCases } from './select-cases.ts';

/** Progress of a run, reported after each document and each case. */
export type EvalProgress =
  | { phase: 'ingest'; done: number; total: number; corpusId: string }
  | { phase: 'ask'; done: number; total: number; caseId: string; failed: boolean };

export type RunEvalOptions = {
  /** Engine to ask (`extractive`, `gptq`, …); the Answerer's default when omitted. */
  engine?: AskRequest['engine'];
  /** Run only the cases of this split (`tune` or `test`); all cases when omitted. */
  split?: EvalSplit;
  /** Run at most this many cases (of the split, when given), chosen evenly (see ./select-cases.ts). */
  limit?: number;
  /** Sent as `minConfidence` on every request: the threshold below which quotes are declined. */
  minConfidence?: number;
  /** Sources per answer (default 10, so recall@10 is measurable). */
  topK?: number;
  onProgress?: (progress: EvalProgress) => void;
  bootstrap?: BootstrapOptions;
  /** Documents ingested at once (default 4). */
  ingestConcurrency?: number;
  /** Characters of context shown around quotes and gold answers in the report (default 240). */
  contextChars?: number;
  /**
   * Loads a file again to learn its page spans, so citations' page numbers can be checked. The
   * spans are used only when the loaded text equals the stored text. Without it, pages go unchecked.
   */
  loadPages?: (input: DocumentInput) => Promise<{ text: string; pages?: readonly PageSpan[] }>;
  signal?: AbortSignal;
};

/** The documented limit of `documentIds` in an ask request (see answer-contract.ts). */
const maxDocumentIdsPerRequest = 1000;

/** The corpus as ingested: id mappings both ways and the evaluator's copy of every stored text. */
type IngestedCorpus = {
  belegIdOf: Map<string, string>;
  corpusIdsOf: Map<string, string[]>;
  texts: Map<string, string>;
  /** Page spans of paged documents whose re-loaded text matched the stored text. */
  pages: Map<string, readonly PageSpan[]>;
  failures: IngestionFailure[];
};

function toDocumentInput(entry: CorpusEntry, bytes: Uint8Array | null): DocumentInput {
  // Corpus ids may hold slashes (`Super_Bowl_50/0`); a file name must not.
  if (entry.text !== undefined) return { kind: 'text', title: entry.title, fileName: `${entry.id.replace(/[^\p{L}\p{N}._-]+/gu, '-')}.txt`, text: entry.text };
  if (entry.url !== undefined) return { kind: 'url', url: entry.url };
  return { kind: 'file', fileName: path.basename(entry.file!), bytes: bytes! };
}

async function ingestCorpus(
  ingestion: Ingestion,
  dataset: Dataset,
  options: Pick<RunEvalOptions, 'onProgress' | 'ingestConcurrency' | 'signal' | 'loadPages'>,
): Promise<IngestedCorpus> {
  const corpus: IngestedCorpus = { belegIdOf: new Map(), corpusIdsOf: new Map(), texts: new Map(), pages: new Map(), failures: [] };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < dataset.corpus.length) {
      options.signal?.throwIfAborted();
      const entry = dataset.corpus[next++]!;
      try {
        const bytes = entry.file !== undefined ? new Uint8Array(await readFile(path.resolve(dataset.directory, entry.file))) : null;
        const input = toDocumentInput(entry, bytes);
        const record = await ingestion.ingest(input);
        if (record.status === 'ready') {
          corpus.belegIdOf.set(entry.id, record.id);
          corpus.corpusIdsOf.set(record.id, [...(corpus.corpusIdsOf.get(record.id) ?? []), entry.id]);
          if (!corpus.texts.has(record.id)) corpus.texts.set(record.id, await ingestion.text(record.id));
          if (entry.file !== undefined && options.loadPages) {
            const loaded = await options.loadPages(input).catch(() => null);
            if (loaded?.pages && loaded.pages.length > 0 && loaded.text === corpus.texts.get(record.id)) corpus.pages.set(record.id, loaded.pages);
          }
        } else {
          corpus.failures.push({
            corpusId: entry.id,
            code: record.errorCode ?? record.status,
            message: record.errorMessage ?? `The document ended in status '${record.status}'.`,
          });
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        corpus.failures.push({
          corpusId: entry.id,
          code: error instanceof BelegError ? error.code : 'error',
          message: error instanceof Error ? error.message : String(error),
        });
      }
      done++;
      options.onProgress?.({ phase: 'ingest', done, total: dataset.corpus.length, corpusId: entry.id });
    }
  };
  const workers = Math.max(1, Math.min(options.ingestConcurrency ?? 4, dataset.corpus.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return corpus;
}

function windowAround(text: string, start: number, end: number, contextChars: number): TextWindow {
  return {
    before: text.slice(Math.max(0, start - contextChars), start),
    span: text.slice(start, end),
    after: text.slice(end, end + contextChars),
  };
}

/** Finds a gold answer in a gold document (exact first, then ignoring case) to show where it was. */
function goldWindow(result: CaseResult, corpus: IngestedCorpus, contextChars: number): ReportCase['goldWindow'] {
  for (const corpusId of result.goldDocumentIds) {
    const documentId = corpus.belegIdOf.get(corpusId);
    const text = documentId === undefined ? undefined : corpus.texts.get(documentId);
    if (text === undefined) continue;
    for (const goldAnswer of result.goldAnswers) {
      let position = text.indexOf(goldAnswer);
      if (position < 0) position = text.toLocaleLowerCase('de-DE').indexOf(goldAnswer.toLocaleLowerCase('de-DE'));
      if (position >= 0) return { documentId: corpusId, ...windowAround(text, position, position + goldAnswer.length, contextChars) };
    }
  }
  return null;
}

/** The folder relative to the working directory when it lies inside it (reports get committed). */
function displayPath(directory: string): string {
  const relative = path.relative(process.cwd(), directory);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? directory : relative;
}

function describeError(error: unknown): string {
  if (error instanceof BelegError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Runs the dataset through ingestion and the answerer and returns the full report. */
export async function runEval(
  services: { ingestion: Ingestion; answerer: Answerer },
  dataset: Dataset,
  options: RunEvalOptions = {},
): Promise<EvalReport> {
  const startedAt = new Date();
  const started = performance.now();
  const topK = options.topK ?? 10;
  const contextChars = options.contextChars ?? 240;
  if (dataset.corpus.length > maxDocumentIdsPerRequest) {
    throw new InvalidDatasetError(userMessage('invalid_dataset.too_many_documents', { count: dataset.corpus.length, limit: maxDocumentIdsPerRequest }));
  }
  const inSplit = casesOfSplit(dataset.cases, options.split);
  const corpus = await ingestCorpus(services.ingestion, dataset, options);
  const ingestMs = performance.now() - started;

  const selected = selectCases(inSplit, options.limit);
  const results: ReportCase[] = [];
  let engine = options.engine ?? 'default';
  let model = 'unknown';
  for (const evalCase of selected) {
    options.signal?.throwIfAborted();
    const result = await askCase(services.answerer, evalCase, corpus, { engine: options.engine, topK, minConfidence: options.minConfidence, signal: options.signal });
    if ('answer' in result.outcome) {
      engine = result.outcome.answer.engine;
      model = result.outcome.answer.model;
    }
    const judged = judgeCase(evalCase, result.outcome, {
      getText: (documentId) => corpus.texts.get(documentId),
      corpusIdsOf: (documentId) => corpus.corpusIdsOf.get(documentId) ?? [],
      pagesOf: (documentId) => corpus.pages.get(documentId),
    });
    results.push({
      ...judged,
      citationWindows: judged.citations.map((citation) => {
        const text = corpus.texts.get(citation.documentId);
        const start = citation.verdict === 'ok' ? citation.charStart : citation.foundAt;
        if (text === undefined || start === null) return null;
        return windowAround(text, start, start + citation.quote.length, contextChars);
      }),
      goldWindow: judged.failed ? goldWindow(judged, corpus, contextChars) : null,
    });
    options.onProgress?.({ phase: 'ask', done: results.length, total: selected.length, caseId: evalCase.id, failed: judged.failed });
  }

  const bootstrap = { resamples: options.bootstrap?.resamples ?? 1000, seed: options.bootstrap?.seed ?? 1, level: options.bootstrap?.level ?? 0.95 };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    dataset: {
      name: dataset.name,
      directory: displayPath(dataset.directory),
      documents: dataset.corpus.length,
      cases: dataset.cases.length,
      selectedCases: selected.length,
    },
    run: {
      engine,
      model,
      topK,
      limit: options.limit ?? null,
      split: options.split ?? null,
      minConfidence: options.minConfidence ?? null,
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - started,
      ingestMs,
      ingestionFailures: corpus.failures,
      pagedDocuments: corpus.pages.size,
      bootstrap,
    },
    metrics: summarizeResults(results, { ingestionFailures: corpus.failures.length }),
    confidence: bootstrapIntervals(results, headlineMetrics, bootstrap),
    splitConfidence: Object.fromEntries(
      Object.entries(resultsBySplit(results)).map(([split, members]) => [split, bootstrapIntervals(members, headlineMetrics, bootstrap)]),
    ),
    // Failure cases first, then the rest, each group in dataset order.
    cases: [...results.filter((result) => result.failed), ...results.filter((result) => !result.failed)],
  };
}

async function askCase(
  answerer: Answerer,
  evalCase: EvalCase,
  corpus: IngestedCorpus,
  options: { engine?: AskRequest['engine']; topK: number; minConfidence?: number; signal?: AbortSignal },
): Promise<{ outcome: Parameters<typeof judgeCase>[1] }> {
  const excluded = new Set((evalCase.excludeDocumentIds ?? []).map((id) => corpus.belegIdOf.get(id)).filter((id) => id !== undefined));
  const documentIds = [...corpus.corpusIdsOf.keys()].filter((id) => !excluded.has(id));
  if (documentIds.length === 0) return { outcome: { error: 'no ingested document is left to search for this case' } };
  const request: AskRequest = { question: evalCase.question, topK: options.topK, documentIds };
  if (options.engine !== undefined) request.engine = options.engine;
  if (options.minConfidence !== undefined) request.minConfidence = options.minConfidence;
  try {
    return { outcome: { answer: await answerer.answer(request, options.signal) } };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { outcome: { error: describeError(error) } };
  }
}
