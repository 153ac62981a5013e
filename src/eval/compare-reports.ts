/**
 * `beleg eval --compare a/report.json b/report.json`: the metrics of two runs side by side with
 * their differences, and the cases that flipped between passing and failing.
 */
import { evalSplits } from './dataset.ts';
import { leadingMetrics } from './metric-labels.ts';
import { headlineMetrics, type HeadlineMetricName } from './metrics.ts';
import { metricValue, type EvalReport } from './report.ts';

/** Metrics compared, in display order: the headline rates, then cost. */
export const comparedMetrics: string[] = [
  ...(Object.keys(headlineMetrics) as HeadlineMetricName[]),
  'answerRecallWhenAnswered',
  'meanQuoteChars',
  'latency.retrieveMs.p50',
  'latency.generateMs.p50',
  'latency.totalMs.p50',
  'latency.totalMs.p95',
  'tokens.meanPromptTokens',
  'tokens.meanCompletionTokens',
  'tokens.completionTokensPerSecond',
];

/**
 * Compared too, but only where either report has them (runs with confidences, datasets with
 * splits): the precision-target threshold and its recall, and the leading metrics per split.
 */
export const optionalComparedMetrics: string[] = [
  'confidenceAnalysis.atTarget.threshold',
  'confidenceAnalysis.atTarget.recall',
  'confidenceAnalysis.heldOutAtTunedThreshold.precision',
  'confidenceAnalysis.heldOutAtTunedThreshold.recall',
  ...evalSplits.flatMap((split) => leadingMetrics.map((name) => `bySplit.${split}.${name}`)),
];

export type MetricDelta = { metric: string; before: number | null; after: number | null; delta: number | null };

export type ReportComparison = {
  deltas: MetricDelta[];
  /** Cases in both reports that passed in the first and failed in the second. */
  newFailures: string[];
  /** Cases in both reports that failed in the first and pass in the second. */
  fixed: string[];
  /** Cases present in only one report. */
  onlyInFirst: number;
  onlyInSecond: number;
};

/** Compares two reports metric by metric and case by case. */
export function compareReports(before: EvalReport, after: EvalReport): ReportComparison {
  const delta = (metric: string): MetricDelta => {
    const first = metricValue(before.metrics, metric) ?? null;
    const second = metricValue(after.metrics, metric) ?? null;
    return { metric, before: first, after: second, delta: first !== null && second !== null ? second - first : null };
  };
  const deltas = [
    ...comparedMetrics.map(delta),
    ...optionalComparedMetrics.map(delta).filter((row) => row.before !== null || row.after !== null),
  ];
  const beforeCases = new Map(before.cases.map((result) => [result.id, result.failed]));
  const afterCases = new Map(after.cases.map((result) => [result.id, result.failed]));
  const newFailures: string[] = [];
  const fixed: string[] = [];
  for (const [id, failedAfter] of afterCases) {
    const failedBefore = beforeCases.get(id);
    if (failedBefore === false && failedAfter) newFailures.push(id);
    if (failedBefore === true && !failedAfter) fixed.push(id);
  }
  return {
    deltas,
    newFailures,
    fixed,
    onlyInFirst: [...beforeCases.keys()].filter((id) => !afterCases.has(id)).length,
    onlyInSecond: [...afterCases.keys()].filter((id) => !beforeCases.has(id)).length,
  };
}

function formatNumber(value: number | null, signed = false): string {
  if (value === null) return '—';
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(3);
  return signed && value > 0 ? `+${text}` : text;
}

/** The comparison as a plain-text table for the terminal. */
export function formatComparison(comparison: ReportComparison, labels: [string, string]): string {
  const rows = comparison.deltas.map((delta) => [delta.metric, formatNumber(delta.before), formatNumber(delta.after), formatNumber(delta.delta, true)]);
  const header = ['metric', labels[0], labels[1], 'delta'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const list = (ids: string[]) => (ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, … (${ids.length} in all)` : ids.join(', '));
  return [
    line(header),
    ...rows.map(line),
    '',
    `newly failing cases: ${comparison.newFailures.length}${comparison.newFailures.length > 0 ? ` (${list(comparison.newFailures)})` : ''}`,
    `fixed cases: ${comparison.fixed.length}${comparison.fixed.length > 0 ? ` (${list(comparison.fixed)})` : ''}`,
    `cases only in the first report: ${comparison.onlyInFirst}, only in the second: ${comparison.onlyInSecond}`,
  ].join('\n');
}
