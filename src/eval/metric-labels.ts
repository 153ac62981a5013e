/**
 * Human-readable names and explanations of the report's metrics, shared by the Markdown and HTML
 * reports so both say the same thing.
 */
import type { EvalSplit } from './dataset.ts';
import type { HeadlineMetricName } from './metrics.ts';

export const metricLabels: Record<HeadlineMetricName, { label: string; meaning: string; higherIsBetter: boolean }> = {
  citationPrecision: { label: 'Citation precision', meaning: 'answered cases whose every quote is verbatim at its offsets (must be 1.000)', higherIsBetter: true },
  offsetsValidRate: { label: 'Offsets valid', meaning: 'citations whose offsets lie inside the cited document', higherIsBetter: true },
  pageAccuracy: { label: 'Page accuracy', meaning: 'citations into PDFs that name the page the quote starts on', higherIsBetter: true },
  sourceAccuracy: { label: 'Source accuracy', meaning: 'answered cases that cite a gold document', higherIsBetter: true },
  recallAt1: { label: 'Recall@1', meaning: 'gold documents among the first source document', higherIsBetter: true },
  recallAt5: { label: 'Recall@5', meaning: 'gold documents among the first 5 source documents', higherIsBetter: true },
  recallAt10: { label: 'Recall@10', meaning: 'gold documents among the first 10 source documents', higherIsBetter: true },
  mrrAt10: { label: 'MRR@10', meaning: 'mean reciprocal rank of the first gold document', higherIsBetter: true },
  answerRecall: { label: 'Answer recall', meaning: 'answerable cases with a gold answer inside a verified quote (refusal = 0)', higherIsBetter: true },
  answerPrecision: { label: 'Answer precision', meaning: 'answered cases with a gold answer inside the verified quote (an answered unanswerable case counts as wrong)', higherIsBetter: true },
  quoteF1: { label: 'Quote token F1', meaning: 'token F1 of the verified quotes against the gold answer (refusal = 0)', higherIsBetter: true },
  refusalPrecision: { label: 'Refusal precision', meaning: 'refusals that were for unanswerable questions', higherIsBetter: true },
  refusalRecall: { label: 'Refusal recall', meaning: 'unanswerable questions that were refused', higherIsBetter: true },
  refusalF1: { label: 'Refusal F1', meaning: 'harmonic mean of refusal precision and recall', higherIsBetter: true },
  falseRefusalRate: { label: 'False-refusal rate', meaning: 'answerable questions that were refused', higherIsBetter: false },
  errorRate: { label: 'Error rate', meaning: 'cases where asking failed with an error', higherIsBetter: false },
  expectedCalibrationError: {
    label: 'Expected calibration error',
    meaning: 'gap between confidence and share correct, averaged over 10 equal-width confidence bins weighted by count (answers and best candidates with a confidence)',
    higherIsBetter: false,
  },
};

/** The metrics the reports put first, beside each other and per split. */
export const leadingMetrics: HeadlineMetricName[] = ['answerPrecision', 'answerRecall', 'refusalRecall', 'falseRefusalRate', 'expectedCalibrationError'];

/** How the reports name each split: SQuAD datasets split by article parity (src/eval/convert-squad.ts). */
export const splitLabels: Record<EvalSplit, string> = {
  tune: 'tuned on (even articles)',
  test: 'held out (odd articles)',
};

/** Formats a rate or number for reports: three decimals, `—` when not measured. */
export function formatValue(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined) return '—';
  return value.toFixed(digits);
}

/** Formats milliseconds for reports. */
export function formatMilliseconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** `model_declined 3, below_threshold 2`. */
export function describeReasons(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}
