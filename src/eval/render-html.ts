/**
 * Renders an evaluation report as one self-contained HTML page (report.html): the leading metrics
 * per split, metrics with 95% intervals, inline-SVG charts (recall@k curve, refusal bars, latency
 * histogram, precision/recall over the confidence threshold, reliability diagram) and a per-case
 * table, failures first, that shows each quote highlighted inside its source text with the gold
 * answer marked. No scripts and no external assets.
 */
import { describeReasons, formatMilliseconds, formatValue, leadingMetrics, metricLabels } from './metric-labels.ts';
import { firstGoldRank, recallAtK, type HeadlineMetricName } from './metrics.ts';
import type { EvalReport, ReportCase, TextWindow } from './report.ts';
import { describeConfidence, describeSplitSelection, splitColumns, thresholdRows, valueWithInterval, type SplitColumn } from './report-sections.ts';
import { barChart, curveChart, escapeHtml, histogram, lineChart, reliabilityChart } from './svg-charts.ts';

/** Ranges `[start, end)` of every case-insensitive occurrence of the gold answers in `text`. */
function goldRanges(text: string, goldAnswers: readonly string[]): Array<[number, number]> {
  const lower = text.toLocaleLowerCase('de-DE');
  const ranges: Array<[number, number]> = [];
  for (const gold of goldAnswers) {
    const needle = gold.toLocaleLowerCase('de-DE');
    if (needle.length === 0 || needle.length !== gold.length) continue;
    for (let position = lower.indexOf(needle); position >= 0; position = lower.indexOf(needle, position + 1)) {
      ranges.push([position, position + needle.length]);
    }
  }
  return ranges;
}

/** A window of source text with the span marked as the quote and gold answers marked inside. */
function renderWindow(window: TextWindow, goldAnswers: readonly string[], spanClass: 'quote' | 'gold'): string {
  const text = window.before + window.span + window.after;
  const spanStart = window.before.length;
  const spanEnd = spanStart + window.span.length;
  const gold = goldRanges(text, goldAnswers);
  const boundaries = new Set<number>([0, text.length, spanStart, spanEnd, ...gold.flat()]);
  const points = [...boundaries].filter((point) => point >= 0 && point <= text.length).sort((a, b) => a - b);
  let html = window.before.length > 0 ? '…' : '';
  for (let index = 0; index + 1 < points.length; index++) {
    const [from, to] = [points[index]!, points[index + 1]!];
    const piece = escapeHtml(text.slice(from, to));
    const classes: string[] = [];
    if (from >= spanStart && to <= spanEnd && spanEnd > spanStart) classes.push(spanClass);
    if (gold.some(([start, end]) => from >= start && to <= end)) classes.push('gold');
    html += classes.length > 0 ? `<mark class="${[...new Set(classes)].join(' ')}">${piece}</mark>` : piece;
  }
  return `<div class="window">${html}${window.after.length > 0 ? '…' : ''}</div>`;
}

/** A declined case's best candidate: the quote a lower threshold would have presented. */
function renderCandidate(result: ReportCase): string {
  const candidate = result.bestCandidate;
  if (candidate === null || candidate === undefined) return '';
  const verdict = candidate.verdict === 'ok' ? '' : ` · <span class="bad">${escapeHtml(candidate.verdict.replace(/_/g, ' '))}</span>`;
  const gold = candidate.answerContained === true ? ' · <span class="ok">holds the gold answer</span>' : '';
  return `<div class="citation"><div class="meta">best candidate, confidence ${formatValue(candidate.confidence)}: ${escapeHtml(candidate.corpusIds.join(', ') || candidate.documentId)} [${candidate.charStart}, ${candidate.charEnd})${verdict}${gold}</div><div class="window">${escapeHtml(candidate.quote)}</div></div>`;
}

function renderOutcome(result: ReportCase): string {
  if (result.error !== null) return `<div class="error">Error: ${escapeHtml(result.error)}</div>`;
  const confidence = result.confidence !== null && result.confidence !== undefined ? ` (confidence ${formatValue(result.confidence)})` : '';
  if (result.declined) {
    return `<div class="declined">Declined (${escapeHtml(result.reason ?? 'no reason')})${confidence}: ${escapeHtml(result.answer)}</div>${renderCandidate(result)}`;
  }
  if (result.citations.length === 0) return `<div class="error">Answered without any citation: ${escapeHtml(result.answer)}</div>`;
  return result.citations
    .map((citation, index) => {
      const where = `${escapeHtml(citation.corpusIds.join(', ') || citation.documentId)} [${citation.charStart}, ${citation.charEnd})${citation.page !== null ? `, page ${citation.page}` : ''}${citation.pageCorrect === false ? ` <span class="bad">(the quote is on page ${citation.expectedPage})</span>` : ''}`;
      const verdict = citation.verdict === 'ok' ? '<span class="ok">verbatim</span>' : `<span class="bad">${escapeHtml(citation.verdict.replace(/_/g, ' '))}</span>`;
      const window = result.citationWindows[index];
      const body =
        window === null || window === undefined
          ? `<div class="window"><del>${escapeHtml(citation.quote)}</del></div>`
          : renderWindow(window, result.goldAnswers, 'quote');
      return `<div class="citation"><div class="meta">${where} · ${verdict}${citation.claimedVerified && citation.verdict !== 'ok' ? ' · <span class="bad">system claimed verified</span>' : ''}${index === 0 ? confidence : ''}</div>${body}</div>`;
    })
    .join('');
}

function renderCase(result: ReportCase): string {
  const status = result.failed ? `<span class="bad">${escapeHtml(result.problems.join(', '))}</span>` : '<span class="ok">ok</span>';
  const rank = firstGoldRank(result.retrievedDocumentIds, result.goldDocumentIds);
  const retrieved = result.error !== null || result.goldDocumentIds.length === 0 ? '' : rank === null ? ' (not retrieved)' : ` (retrieved at rank ${rank})`;
  const expected = result.answerable
    ? `answerable; gold: ${escapeHtml(result.goldAnswers.join(' / ') || '—')}${result.goldDocumentIds.length > 0 ? ` in ${escapeHtml(result.goldDocumentIds.join(', '))}${retrieved}` : ''}`
    : `unanswerable${result.excludeDocumentIds.length > 0 ? ` (left out: ${escapeHtml(result.excludeDocumentIds.join(', '))})` : ''}`;
  const gold =
    result.goldWindow !== null
      ? `<div class="citation"><div class="meta">where the gold answer is: ${escapeHtml(result.goldWindow.documentId)}</div>${renderWindow(result.goldWindow, result.goldAnswers, 'gold')}</div>`
      : '';
  const tags = result.tags.length > 0 ? ` · ${escapeHtml(result.tags.join(', '))}` : '';
  const note = result.note !== null || tags ? `<div class="note">${escapeHtml(result.note ?? '')}${tags}</div>` : '';
  return (
    `<tr class="${result.failed ? 'failed' : 'passed'}"><td><code>${escapeHtml(result.id)}</code><br>${status}</td>` +
    `<td>${escapeHtml(result.question)}<div class="expected">${expected}</div>${note}</td>` +
    `<td>${renderOutcome(result)}${gold}</td></tr>`
  );
}

const styles = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
td.number{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0;max-width:380px}.charts figcaption{font-size:12px;color:#555}
mark.quote{background:#cfe3ff}mark.gold{background:#ffe08a;outline:1px solid #d9a400}mark.quote.gold{background:#b7e4a1}
.window{font-family:Georgia,serif;background:#fafafa;border-left:3px solid #ccc;padding:4px 8px;margin:2px 0;white-space:pre-wrap}
.meta,.expected,.note{font-size:12px;color:#555}.ok{color:#207a20;font-weight:600}.bad{color:#b00020;font-weight:600}
.declined{color:#6b4b00}.error{color:#b00020}tr.failed td:first-child{border-left:4px solid #b00020}
.legend mark{padding:0 4px}tr.target td{background:#fff4e0}
`;

/** A table of metrics (rows) by split (columns), each value with its interval. */
function splitTable(names: readonly HeadlineMetricName[], columns: readonly SplitColumn[]): string {
  const header = columns.map((column) => `<th>${escapeHtml(column.label)} · ${column.cases} cases</th>`).join('');
  const rows = names
    .map((name) => `<tr><td>${escapeHtml(metricLabels[name].label)}</td>${columns.map((column) => `<td class="number">${valueWithInterval(column.value(name), column.interval(name))}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr><th>metric</th>${header}</tr></thead><tbody>${rows}</tbody></table>`;
}

function confidenceSection(report: EvalReport): string {
  const analysis = report.metrics.confidenceAnalysis;
  const sentences = describeConfidence(report).map((sentence) => `<p>${escapeHtml(sentence)}</p>`).join('');
  if (analysis.scoredCases === 0) return `<h2>Confidence</h2>${sentences}`;
  const points = analysis.curve;
  const curve = curveChart(
    'Precision and recall over the confidence threshold',
    [
      { name: 'precision', color: '#1f5fa8', points: points.map((point) => ({ x: point.threshold, y: point.precision ?? 0 })) },
      { name: 'recall', color: '#5a8f3d', points: points.map((point) => ({ x: point.threshold, y: point.recall ?? 0 })) },
    ],
    'confidence threshold (quotes at or above it are presented)',
    analysis.atTarget === null ? undefined : { x: analysis.atTarget.threshold, label: `precision ≥ ${analysis.precisionTarget}` },
  );
  const rows = thresholdRows(report)
    .map(
      (row) =>
        `<tr${row.isTarget ? ' class="target"' : ''}><td class="number">${row.isTarget ? `<strong>${formatValue(row.threshold)}</strong> (precision ≥ ${analysis.precisionTarget})` : formatValue(row.threshold, 1)}</td><td class="number">${row.presented}</td><td class="number">${row.correct}</td><td class="number">${formatValue(row.precision)}</td><td class="number">${formatValue(row.recall)}</td></tr>`,
    )
    .join('');
  const bins = analysis.reliability
    .map(
      (bin) =>
        `<tr><td>${bin.low.toFixed(1)}–${bin.high.toFixed(1)}</td><td class="number">${bin.count}</td><td class="number">${formatValue(bin.meanConfidence)}</td><td class="number">${formatValue(bin.observed)}</td></tr>`,
    )
    .join('');
  return (
    `<h2>Confidence</h2>${sentences}<div class="charts">` +
    `<figure>${curve}<figcaption>Precision (correct / presented) and recall (correct / answerable) if quotes below the threshold were declined</figcaption></figure>` +
    `<figure>${reliabilityChart('Reliability diagram', analysis.reliability)}<figcaption>Share correct per confidence bin (bars, count on top), mean confidence (dots); the diagonal is perfect calibration</figcaption></figure></div>` +
    `<table><thead><tr><th>threshold</th><th>presented</th><th>correct</th><th>precision</th><th>recall</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<h3>Reliability</h3><table><thead><tr><th>confidence</th><th>quotes</th><th>mean confidence</th><th>share correct</th></tr></thead><tbody>${bins}</tbody></table>`
  );
}

/** The report as one HTML page. */
export function renderHtml(report: EvalReport): string {
  const { metrics, run, dataset } = report;
  const retrievalCases = report.cases.filter((result) => result.error === null && result.answerable && result.goldDocumentIds.length > 0);
  const recallCurve = Array.from({ length: 10 }, (_, index) => ({
    label: String(index + 1),
    value:
      retrievalCases.length === 0
        ? null
        : retrievalCases.reduce((sum, result) => sum + recallAtK(result.retrievedDocumentIds, result.goldDocumentIds, index + 1), 0) / retrievalCases.length,
  }));
  const latencies = report.cases.filter((result) => result.timings !== null).map((result) => result.timings!.totalMs);
  const metricRows = (Object.keys(metricLabels) as HeadlineMetricName[])
    .map((name) => {
      const interval = report.confidence[name];
      return `<tr><td>${escapeHtml(metricLabels[name].label)}</td><td class="number">${formatValue(metrics[name])}</td><td class="number">${interval ? `${formatValue(interval.low)}–${formatValue(interval.high)}` : '—'}</td><td>${escapeHtml(metricLabels[name].meaning)}</td></tr>`;
    })
    .join('');
  const costRows = (['retrieveMs', 'generateMs', 'totalMs'] as const)
    .map((stage) => `<tr><td>${stage.replace('Ms', '')}</td><td class="number">${formatMilliseconds(metrics.latency[stage].p50)}</td><td class="number">${formatMilliseconds(metrics.latency[stage].p95)}</td><td class="number">${formatMilliseconds(metrics.latency[stage].mean)}</td></tr>`)
    .join('');
  const failures = run.ingestionFailures.length
    ? `<h2>Documents that failed to ingest</h2><ul>${run.ingestionFailures.map((failure) => `<li><code>${escapeHtml(failure.corpusId)}</code>: ${escapeHtml(failure.code)}: ${escapeHtml(failure.message)}</li>`).join('')}</ul>`
    : '';
  const counts = metrics.counts;
  const tagRows = Object.entries(metrics.byTag)
    .map(
      ([tag, summary]) =>
        `<tr><td>${escapeHtml(tag)}</td><td class="number">${summary.cases}</td><td class="number">${formatValue(summary.citationPrecision)}</td><td class="number">${formatValue(summary.sourceAccuracy)}</td><td class="number">${formatValue(summary.answerRecall)}</td><td class="number">${formatValue(summary.falseRefusalRate)}</td><td class="number">${formatValue(summary.refusalRecall)}</td></tr>`,
    )
    .join('');
  const tagTable = tagRows
    ? `<h2>By tag</h2><table><thead><tr><th>tag</th><th>cases</th><th>citation precision</th><th>source accuracy</th><th>answer recall</th><th>false refusals</th><th>refusal recall</th></tr></thead><tbody>${tagRows}</tbody></table>`
    : '';
  const columns = splitColumns(report);
  const selection = describeSplitSelection(report);
  const requestNote = run.minConfidence !== null ? ` Every request carried minConfidence ${run.minConfidence}.` : '';
  const reasons = counts.declined > 0 ? ` Refusal reasons: ${escapeHtml(describeReasons(counts.declineReasons))}.` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>beleg evaluation: ${escapeHtml(dataset.name)} · ${escapeHtml(run.engine)}</title><style>${styles}</style></head>
<body>
<h1>beleg evaluation: ${escapeHtml(dataset.name)}</h1>
<p>Engine <strong>${escapeHtml(run.engine)}</strong> (${escapeHtml(run.model)}), top-k ${run.topK}, ${dataset.selectedCases} of ${dataset.cases} cases${run.limit !== null ? ` (limit ${run.limit})` : ''}, ${dataset.documents} documents. Started ${escapeHtml(run.startedAt)}, took ${formatMilliseconds(run.durationMs)} (ingestion ${formatMilliseconds(run.ingestMs)}).</p>
<p>${counts.answerable} answerable and ${counts.unanswerable} unanswerable cases: ${counts.answered} answered, ${counts.declined} declined, ${counts.errors} errors; <strong>${counts.failedCases} failed</strong>.${reasons}</p>
${selection !== null || requestNote ? `<p>${escapeHtml(selection ?? '')}${escapeHtml(requestNote)}</p>` : ''}
<h2>Headline</h2>
${splitTable(leadingMetrics, columns)}
<h2>Quality</h2>
<table><thead><tr><th>metric</th><th>value</th><th>95% CI</th><th>meaning</th></tr></thead><tbody>${metricRows}
<tr><td>Mean quote length</td><td class="number">${formatValue(metrics.meanQuoteChars, 0)}</td><td></td><td>characters per answered case (${formatValue(metrics.meanQuoteWords, 1)} words)</td></tr></tbody></table>
<p class="meta">Percentile bootstrap over cases: ${run.bootstrap.resamples} resamples, seed ${run.bootstrap.seed}. The evaluator re-checks every quote against its own copy of the stored text and ignores the system's <code>verified</code> flag.</p>
${columns.length > 1 ? `<h2>By split</h2>${splitTable(Object.keys(metricLabels) as HeadlineMetricName[], columns)}` : ''}
${confidenceSection(report)}
${tagTable}
<div class="charts">
<figure>${lineChart('Recall@k of gold documents', recallCurve, 'k (source documents)')}<figcaption>Recall@k, k = 1…10 (${retrievalCases.length} cases)</figcaption></figure>
<figure>${barChart('Refusals', [
    { label: 'precision', value: metrics.refusalPrecision },
    { label: 'recall', value: metrics.refusalRecall },
    { label: 'F1', value: metrics.refusalF1 },
    { label: 'false refusals', value: metrics.falseRefusalRate, color: '#b00020' },
  ])}<figcaption>Refusal precision, recall, F1 and false-refusal rate</figcaption></figure>
<figure>${histogram('Latency per question', latencies, 'total ms per question')}<figcaption>Total latency per question</figcaption></figure>
</div>
<h2>Cost</h2>
<table><thead><tr><th>stage</th><th>p50</th><th>p95</th><th>mean</th></tr></thead><tbody>${costRows}</tbody></table>
<p>Tokens: ${metrics.tokens.promptTokens} in, ${metrics.tokens.completionTokens} out; ${formatValue(metrics.tokens.completionTokensPerSecond, 1)} tokens/s generated.</p>
${failures}
<h2>Cases (failures first)</h2>
<p class="legend"><mark class="quote">quote</mark> <mark class="gold">gold answer</mark> <mark class="quote gold">gold answer inside the quote</mark></p>
<table><thead><tr><th>case</th><th>question</th><th>answer in its source</th></tr></thead><tbody>
${report.cases.map(renderCase).join('\n')}
</tbody></table>
</body></html>
`;
}
