/**
 * Renders an evaluation report as Markdown (report.md): the leading metrics per split, all metrics
 * with 95% intervals, the confidence analysis, cost, failures.
 */
import { describeReasons, formatMilliseconds, formatValue, leadingMetrics, metricLabels } from './metric-labels.ts';
import type { HeadlineMetricName } from './metrics.ts';
import type { EvalReport, ReportCase } from './report.ts';
import { describeConfidence, describeSplitSelection, splitColumns, thresholdRows, valueWithInterval, type SplitColumn } from './report-sections.ts';

const failuresShown = 50;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function shorten(text: string, length = 160): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function describeCase(result: ReportCase): string {
  const quote = result.error ?? (result.declined ? `(declined: ${result.reason ?? 'no reason'})` : result.citations.map((citation) => citation.quote).join(' … '));
  const gold = result.answerable ? result.goldAnswers.join(' / ') || '—' : '(unanswerable)';
  return `| ${cell(result.id)} | ${cell(shorten(result.question))} | ${cell(result.problems.join(', '))} | ${cell(shorten(quote))} | ${cell(shorten(gold, 80))} |`;
}

/** A table of metrics (rows) by split (columns), each value with its interval. */
function splitTable(names: readonly HeadlineMetricName[], columns: readonly SplitColumn[]): string[] {
  return [
    `| metric | ${columns.map((column) => `${column.label} · ${column.cases} cases`).join(' | ')} |`,
    `| --- |${columns.map(() => ' ---: |').join('')}`,
    ...names.map((name) => `| ${metricLabels[name].label} | ${columns.map((column) => valueWithInterval(column.value(name), column.interval(name))).join(' | ')} |`),
  ];
}

function confidenceSection(report: EvalReport): string[] {
  const analysis = report.metrics.confidenceAnalysis;
  const lines = ['## Confidence', '', ...describeConfidence(report).flatMap((sentence) => [sentence, '']).slice(0, -1), ''];
  if (analysis.scoredCases === 0) return lines;
  lines.push('| threshold | presented | correct | precision | recall |', '| ---: | ---: | ---: | ---: | ---: |');
  for (const row of thresholdRows(report)) {
    const threshold = row.isTarget ? `**${formatValue(row.threshold)}** (precision ≥ ${analysis.precisionTarget})` : formatValue(row.threshold, 1);
    lines.push(`| ${threshold} | ${row.presented} | ${row.correct} | ${formatValue(row.precision)} | ${formatValue(row.recall)} |`);
  }
  lines.push('', 'Reliability (predicted confidence against the share correct):', '', '| confidence | quotes | mean confidence | share correct | gap |', '| --- | ---: | ---: | ---: | ---: |');
  for (const bin of analysis.reliability) {
    const gap = bin.meanConfidence !== null && bin.observed !== null ? formatValue(Math.abs(bin.meanConfidence - bin.observed)) : '—';
    lines.push(`| ${bin.low.toFixed(1)}–${bin.high.toFixed(1)} | ${bin.count} | ${formatValue(bin.meanConfidence)} | ${formatValue(bin.observed)} | ${gap} |`);
  }
  lines.push('');
  return lines;
}

/** The report as Markdown text. */
export function renderMarkdown(report: EvalReport): string {
  const { metrics, run, dataset } = report;
  const lines: string[] = [];
  lines.push(`# beleg evaluation: ${dataset.name}`, '');
  lines.push(
    `Engine **${run.engine}** (${run.model}), top-k ${run.topK}, ${dataset.selectedCases} of ${dataset.cases} cases` +
      `${run.limit !== null ? ` (--limit ${run.limit})` : ''}, ${dataset.documents} documents. ` +
      `Started ${run.startedAt}, took ${formatMilliseconds(run.durationMs)} (ingestion ${formatMilliseconds(run.ingestMs)}).`,
    '',
  );
  const counts = metrics.counts;
  lines.push(
    `Cases: ${counts.answerable} answerable, ${counts.unanswerable} unanswerable; ${counts.answered} answered, ${counts.declined} declined, ` +
      `${counts.errors} errors; ${counts.failedCases} failed.` +
      `${counts.declined > 0 ? ` Refusal reasons: ${describeReasons(counts.declineReasons)}.` : ''}` +
      `${counts.normalizedMatches > 0 ? ` ${counts.normalizedMatches} citations claimed a normalised match.` : ''}`,
    '',
  );
  const selection = describeSplitSelection(report);
  if (selection !== null) lines.push(selection, '');
  if (run.minConfidence !== null) lines.push(`Every request carried minConfidence ${run.minConfidence} (--min-confidence).`, '');
  const columns = splitColumns(report);
  lines.push('## Headline', '', ...splitTable(leadingMetrics, columns), '');
  lines.push('## Quality', '', '| metric | value | 95% CI | meaning |', '| --- | ---: | --- | --- |');
  for (const name of Object.keys(metricLabels) as HeadlineMetricName[]) {
    const interval = report.confidence[name];
    const range = interval ? `${formatValue(interval.low)}–${formatValue(interval.high)}` : '—';
    lines.push(`| ${metricLabels[name].label} | ${formatValue(metrics[name])} | ${range} | ${metricLabels[name].meaning} |`);
  }
  lines.push(
    `| Answer recall when answered | ${formatValue(metrics.answerRecallWhenAnswered)} |  | answered answerable cases with the gold answer in the quote |`,
    `| Mean quote length | ${formatValue(metrics.meanQuoteChars, 0)} chars, ${formatValue(metrics.meanQuoteWords, 1)} words |  | over answered cases |`,
    '',
    `Intervals: percentile bootstrap, ${run.bootstrap.resamples} resamples of the cases, seed ${run.bootstrap.seed}.`,
    '',
  );
  if (columns.length > 1) {
    lines.push('## By split', '', ...splitTable(Object.keys(metricLabels) as HeadlineMetricName[], columns), '');
  }
  lines.push(...confidenceSection(report));
  const tags = Object.entries(metrics.byTag);
  if (tags.length > 0) {
    lines.push('## By tag', '', '| tag | cases | citation precision | source accuracy | answer recall | false refusals | refusal recall |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [tag, summary] of tags) {
      lines.push(
        `| ${cell(tag)} | ${summary.cases} | ${formatValue(summary.citationPrecision)} | ${formatValue(summary.sourceAccuracy)} | ${formatValue(summary.answerRecall)} | ${formatValue(summary.falseRefusalRate)} | ${formatValue(summary.refusalRecall)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Cost', '', '| stage | p50 | p95 | mean |', '| --- | ---: | ---: | ---: |');
  for (const stage of ['retrieveMs', 'generateMs', 'totalMs'] as const) {
    const summary = metrics.latency[stage];
    lines.push(`| ${stage.replace('Ms', '')} | ${formatMilliseconds(summary.p50)} | ${formatMilliseconds(summary.p95)} | ${formatMilliseconds(summary.mean)} |`);
  }
  const tokens = metrics.tokens;
  lines.push(
    '',
    `Tokens: ${tokens.promptTokens} in, ${tokens.completionTokens} out (mean ${formatValue(tokens.meanPromptTokens, 0)} in, ` +
      `${formatValue(tokens.meanCompletionTokens, 1)} out per case); ${formatValue(tokens.completionTokensPerSecond, 1)} tokens/s generated.`,
    '',
  );
  if (run.ingestionFailures.length > 0) {
    lines.push('## Documents that failed to ingest', '');
    for (const failure of run.ingestionFailures) lines.push(`- \`${failure.corpusId}\`: ${failure.code}: ${cell(failure.message)}`);
    lines.push('');
  }
  const failures = report.cases.filter((result) => result.failed);
  lines.push(`## Failed cases (${failures.length})`, '');
  if (failures.length === 0) {
    lines.push('None.');
  } else {
    lines.push('| case | question | problems | quote or outcome | gold answer |', '| --- | --- | --- | --- | --- |');
    for (const result of failures.slice(0, failuresShown)) lines.push(describeCase(result));
    if (failures.length > failuresShown) lines.push('', `… and ${failures.length - failuresShown} more; see report.html or report.json.`);
  }
  lines.push('');
  return lines.join('\n');
}
