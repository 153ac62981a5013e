/**
 * The evaluation report: what `report.json` holds, and what `report.md`, `report.html`,
 * `--compare` and `--gate` read. Per-case results are kept in full for inspection.
 */
import { z } from 'zod';
import type { ConfidenceInterval } from './bootstrap.ts';
import type { EvalSplit } from './dataset.ts';
import type { CaseResult, HeadlineMetricName, Metrics } from './metrics.ts';
import { userMessage } from '../messages/index.ts';
import { InvalidDatasetError, listProblems } from './invalid-dataset-error.ts';

/** Version of the report.json layout; bumped when fields change meaning. */
export const REPORT_SCHEMA_VERSION = 1;

/** Text around a span of a stored document, for showing a quote or gold answer in place. */
export type TextWindow = { before: string; span: string; after: string };

/** A case result with the text needed to show it in context. */
export type ReportCase = CaseResult & {
  /** One window per citation: the quote inside its cited document (null when the quote is not there). */
  citationWindows: Array<TextWindow | null>;
  /** Where a gold answer sits in a gold document (for cases the system got wrong), else null. */
  goldWindow: (TextWindow & { documentId: string }) | null;
};

export type IngestionFailure = { corpusId: string; code: string; message: string };

export type EvalReport = {
  schemaVersion: number;
  dataset: { name: string; directory: string; documents: number; cases: number; selectedCases: number };
  run: {
    engine: string;
    model: string;
    topK: number;
    limit: number | null;
    /** The split the run was restricted to (`--split`), or null for all cases. */
    split: EvalSplit | null;
    /** The `minConfidence` sent with every request (`--min-confidence`), or null for the server's. */
    minConfidence: number | null;
    startedAt: string;
    durationMs: number;
    ingestMs: number;
    ingestionFailures: IngestionFailure[];
    /** Documents whose page spans the evaluator knows, so their citations' pages were checked. */
    pagedDocuments: number;
    bootstrap: { resamples: number; seed: number; level: number };
  };
  metrics: Metrics;
  confidence: Record<HeadlineMetricName, ConfidenceInterval | null>;
  /** Bootstrap intervals of the headline rates within each split present (see metrics.bySplit). */
  splitConfidence: Partial<Record<EvalSplit, Record<HeadlineMetricName, ConfidenceInterval | null>>>;
  cases: ReportCase[];
};

const reportHeaderSchema = z.object({
  schemaVersion: z.number().int(),
  dataset: z.object({ name: z.string() }).passthrough(),
  run: z.object({ engine: z.string() }).passthrough(),
  metrics: z.record(z.string(), z.unknown()),
  cases: z.array(z.object({ id: z.string(), failed: z.boolean() }).passthrough()),
});

/** Parses report.json text; throws InvalidDatasetError when it is not a beleg evaluation report. */
export function parseReport(text: string, where: string): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidDatasetError(userMessage('invalid_dataset.not_json', { file: where, reason: (error as Error).message, hint: userMessage('fragment.report_hint') }));
  }
  const parsed = reportHeaderSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidDatasetError(userMessage('invalid_dataset.not_a_report', { file: where, problems: listProblems(problems) }), problems);
  }
  if (parsed.data.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new InvalidDatasetError(
      userMessage('invalid_dataset.report_version', { file: where, version: String(parsed.data.schemaVersion), expected: REPORT_SCHEMA_VERSION }),
    );
  }
  return value as EvalReport;
}

/**
 * Reads a metric by dotted name (`citationPrecision`, `latency.totalMs.p95`); undefined when the
 * name does not exist, null when it exists but could not be measured.
 */
export function metricValue(metrics: Metrics, name: string): number | null | undefined {
  let value: unknown = metrics;
  for (const part of name.split('.')) {
    // A part under a null object (`confidenceAnalysis.atTarget.recall` when no threshold reaches
    // the target) exists but was not measured.
    if (value === null) return null;
    if (typeof value !== 'object' || !(part in value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === null) return null;
  return typeof value === 'number' ? value : undefined;
}
