/**
 * What report.md and report.html both say about splits and confidence, as data and sentences,
 * so the two reports cannot drift apart. Pure functions of the report.
 */
import type { ConfidenceInterval } from './bootstrap.ts';
import { curveAt, type ThresholdPoint } from './confidence-analysis.ts';
import { evalSplits } from './dataset.ts';
import { formatValue, splitLabels } from './metric-labels.ts';
import type { HeadlineMetricName } from './metrics.ts';
import type { EvalReport } from './report.ts';

/** One column of a per-split table: all cases, or the cases of one split. */
export type SplitColumn = {
  label: string;
  cases: number;
  value: (name: HeadlineMetricName) => number | null;
  interval: (name: HeadlineMetricName) => ConfidenceInterval | null;
  atTarget: ThresholdPoint | null;
};

/** Columns for the per-split tables: all cases first, then each split present (none without splits). */
export function splitColumns(report: EvalReport): SplitColumn[] {
  const { metrics } = report;
  const columns: SplitColumn[] = [
    {
      label: 'all',
      cases: metrics.counts.cases,
      value: (name) => metrics[name],
      interval: (name) => report.confidence[name] ?? null,
      atTarget: metrics.confidenceAnalysis.atTarget,
    },
  ];
  for (const split of evalSplits) {
    const summary = metrics.bySplit[split];
    if (summary === undefined) continue;
    columns.push({
      label: splitLabels[split],
      cases: summary.cases,
      value: (name) => summary[name],
      interval: (name) => report.splitConfidence[split]?.[name] ?? null,
      atTarget: summary.atTarget,
    });
  }
  return columns;
}

/** `0.812 (0.780–0.841)`, or the value alone without an interval. */
export function valueWithInterval(value: number | null, interval: ConfidenceInterval | null): string {
  return interval ? `${formatValue(value)} (${formatValue(interval.low)}–${formatValue(interval.high)})` : formatValue(value);
}

/** Thresholds shown in the report's threshold table: 0, 0.1, …, 0.9 and the precision-target one. */
export function thresholdRows(report: EvalReport): Array<ThresholdPoint & { isTarget: boolean }> {
  const analysis = report.metrics.confidenceAnalysis;
  const grid = Array.from({ length: 10 }, (_, index) => index / 10);
  const rows = grid
    .filter((threshold) => threshold !== analysis.atTarget?.threshold)
    .map((threshold) => ({ ...curveAt(analysis.curve, threshold, analysis.answerableCases), isTarget: false }));
  if (analysis.atTarget !== null) rows.push({ ...analysis.atTarget, isTarget: true });
  return rows.sort((a, b) => a.threshold - b.threshold || Number(a.isTarget) - Number(b.isTarget));
}

/** What the precision target's threshold is and keeps, in one sentence; else the best precision reached. */
export function describeAtTarget(point: ThresholdPoint | null, highest: ThresholdPoint | null, target: number, where = ''): string {
  if (point === null) {
    const best = highest === null ? '' : ` The highest is ${formatValue(highest.precision)}, from threshold ${formatValue(highest.threshold)} (recall ${formatValue(highest.recall)}, ${highest.correct} of ${highest.presented} correct).`;
    return `Precision never reaches ${target.toFixed(2)}${where} at any threshold.${best}`;
  }
  return (
    `Precision first reaches ${target.toFixed(2)}${where} at threshold ${formatValue(point.threshold)}: ` +
    `precision ${formatValue(point.precision)}, recall ${formatValue(point.recall)} (${point.correct} of ${point.presented} presented quotes correct).`
  );
}

/** Sentences about the confidence analysis: what was scored, calibration, thresholds per split. */
export function describeConfidence(report: EvalReport): string[] {
  const analysis = report.metrics.confidenceAnalysis;
  if (analysis.scoredCases === 0) {
    return ['No answer carried a confidence with a quote (the engine cannot estimate one, or nothing was found): there is nothing to analyse.'];
  }
  const sentences = [
    `${analysis.scoredCases} cases have a confidence and a quote: ${analysis.fromAnswers} answered, ${analysis.fromCandidates} declined and judged by their best candidate. ` +
      `Precision = correct / presented quotes at a threshold; recall = correct / ${analysis.answerableCases} answerable cases with gold answers (all of the run's, so cases without a confidence count as misses).`,
    `Expected calibration error ${formatValue(analysis.expectedCalibrationError)} (${analysis.binCount} equal-width bins of confidence over [0, 1], each |mean confidence − share correct| weighted by its count).`,
    describeAtTarget(analysis.atTarget, analysis.highestPrecision, analysis.precisionTarget),
  ];
  for (const split of evalSplits) {
    const summary = report.metrics.bySplit[split];
    if (summary !== undefined && Object.keys(report.metrics.bySplit).length > 1) {
      sentences.push(describeAtTarget(summary.atTarget, summary.highestPrecision, analysis.precisionTarget, ` on the cases ${splitLabels[split]}`));
    }
  }
  const heldOut = analysis.heldOutAtTunedThreshold;
  if (heldOut !== null) {
    sentences.push(
      `The threshold fitted on the tuning half (${formatValue(heldOut.threshold)}) gives on the held-out half: precision ${formatValue(heldOut.precision)}, ` +
        `recall ${formatValue(heldOut.recall)} (${heldOut.correct} of ${heldOut.presented}).`,
    );
  }
  if (report.run.minConfidence !== null) {
    sentences.push(`Every request carried minConfidence ${report.run.minConfidence}; quotes below it appear here through the declined cases' candidates.`);
  }
  return sentences;
}

/** One line on how the run selected its cases by split, or null when it did not. */
export function describeSplitSelection(report: EvalReport): string | null {
  if (report.run.split === null) return null;
  return `Only the cases ${splitLabels[report.run.split]} were run (--split ${report.run.split}).`;
}
