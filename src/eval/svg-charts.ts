/**
 * Tiny inline-SVG charts for the HTML report: no scripts, no external assets, readable without
 * a network. Each function returns a complete `<svg>` element as a string.
 */

/** Escapes text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

const width = 360;
const height = 220;
const margin = { top: 16, right: 16, bottom: 40, left: 44 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

function frame(title: string, body: string, yTicks: Array<{ value: number; label: string }>, yMax: number): string {
  const y = (value: number) => margin.top + plotHeight - (value / yMax) * plotHeight;
  const ticks = yTicks
    .map(
      (tick) =>
        `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(tick.value)}" y2="${y(tick.value)}" stroke="#ddd"/>` +
        `<text x="${margin.left - 6}" y="${y(tick.value) + 4}" text-anchor="end" font-size="10">${escapeHtml(tick.label)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${ticks}${body}` +
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#333"/>` +
    `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#333"/></svg>`
  );
}

const rateTicks = [0, 0.25, 0.5, 0.75, 1].map((value) => ({ value, label: value.toFixed(2) }));

/** A line chart of rates (0..1) over labelled x positions, e.g. recall@k for k = 1..10. */
export function lineChart(title: string, points: ReadonlyArray<{ label: string; value: number | null }>, xTitle: string): string {
  const step = points.length > 1 ? plotWidth / (points.length - 1) : 0;
  const x = (index: number) => margin.left + index * step;
  const y = (value: number) => margin.top + plotHeight - value * plotHeight;
  const known = points.map((point, index) => ({ ...point, index })).filter((point) => point.value !== null);
  const path = known.map((point, order) => `${order === 0 ? 'M' : 'L'}${x(point.index).toFixed(1)},${y(point.value!).toFixed(1)}`).join(' ');
  const dots = known
    .map((point) => `<circle cx="${x(point.index).toFixed(1)}" cy="${y(point.value!).toFixed(1)}" r="3" fill="#1f5fa8"><title>${escapeHtml(`${point.label}: ${point.value!.toFixed(3)}`)}</title></circle>`)
    .join('');
  const labels = points
    .map((point, index) => `<text x="${x(index).toFixed(1)}" y="${margin.top + plotHeight + 14}" text-anchor="middle" font-size="10">${escapeHtml(point.label)}</text>`)
    .join('');
  const axis = `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeHtml(xTitle)}</text>`;
  return frame(title, `<path d="${path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>${dots}${labels}${axis}`, rateTicks, 1);
}

/** A bar chart of rates (0..1); bars whose value is null are drawn as an empty outline. */
export function barChart(title: string, bars: ReadonlyArray<{ label: string; value: number | null; color?: string }>): string {
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = slot * 0.6;
  const body = bars
    .map((bar, index) => {
      const left = margin.left + index * slot + (slot - barWidth) / 2;
      const value = bar.value ?? 0;
      const top = margin.top + plotHeight - value * plotHeight;
      const shape =
        bar.value === null
          ? `<rect x="${left.toFixed(1)}" y="${margin.top}" width="${barWidth.toFixed(1)}" height="${plotHeight}" fill="none" stroke="#bbb" stroke-dasharray="3"/>`
          : `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(value * plotHeight).toFixed(1)}" fill="${bar.color ?? '#1f5fa8'}"><title>${escapeHtml(`${bar.label}: ${value.toFixed(3)}`)}</title></rect>`;
      const valueLabel = `<text x="${(left + barWidth / 2).toFixed(1)}" y="${(bar.value === null ? margin.top + plotHeight / 2 : top - 3).toFixed(1)}" text-anchor="middle" font-size="10">${bar.value === null ? '—' : value.toFixed(2)}</text>`;
      const label = `<text x="${(left + barWidth / 2).toFixed(1)}" y="${margin.top + plotHeight + 14}" text-anchor="middle" font-size="10">${escapeHtml(bar.label)}</text>`;
      return shape + valueLabel + label;
    })
    .join('');
  return frame(title, body, rateTicks, 1);
}

/** A histogram of values (e.g. latencies in ms) in `binCount` equal-width bins. */
export function histogram(title: string, values: readonly number[], unit: string, binCount = 12): string {
  if (values.length === 0) return frame(title, `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12">no data</text>`, [], 1);
  const minimum = Math.min(...values);
  const maximum = Math.max(...values);
  const binWidth = maximum > minimum ? (maximum - minimum) / binCount : 1;
  const counts = new Array<number>(binCount).fill(0);
  for (const value of values) counts[Math.min(binCount - 1, Math.floor((value - minimum) / binWidth))]!++;
  const highest = Math.max(...counts);
  const slot = plotWidth / binCount;
  const body = counts
    .map((count, index) => {
      const barHeight = (count / highest) * plotHeight;
      const from = minimum + index * binWidth;
      return `<rect x="${(margin.left + index * slot + 1).toFixed(1)}" y="${(margin.top + plotHeight - barHeight).toFixed(1)}" width="${(slot - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="#5a8f3d"><title>${escapeHtml(`${from.toFixed(0)}–${(from + binWidth).toFixed(0)} ${unit}: ${count}`)}</title></rect>`;
    })
    .join('');
  const axis =
    `<text x="${margin.left}" y="${margin.top + plotHeight + 14}" font-size="10">${escapeHtml(minimum.toFixed(0))}</text>` +
    `<text x="${margin.left + plotWidth}" y="${margin.top + plotHeight + 14}" text-anchor="end" font-size="10">${escapeHtml(maximum.toFixed(0))}</text>` +
    `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeHtml(unit)}</text>`;
  const ticks = [0, Math.ceil(highest / 2), highest].map((value) => ({ value, label: String(value) }));
  return frame(title, body + axis, ticks, highest);
}

const x01 = (value: number) => margin.left + value * plotWidth;
const y01 = (value: number) => margin.top + plotHeight - value * plotHeight;

function xAxis01(title: string): string {
  const labels = [0, 0.25, 0.5, 0.75, 1]
    .map((value) => `<text x="${x01(value).toFixed(1)}" y="${margin.top + plotHeight + 14}" text-anchor="middle" font-size="10">${value.toFixed(2)}</text>`)
    .join('');
  return labels + `<text x="${margin.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle" font-size="11">${escapeHtml(title)}</text>`;
}

/** One line of a curve chart: rates (0..1) at x positions in 0..1. */
export type CurveSeries = { name: string; color: string; points: ReadonlyArray<{ x: number; y: number }> };

/**
 * Lines of rates over an x axis from 0 to 1 (e.g. precision and recall over a confidence
 * threshold), with a legend and an optional dashed vertical marker (e.g. a chosen threshold).
 */
export function curveChart(title: string, series: readonly CurveSeries[], xTitle: string, marker?: { x: number; label: string }): string {
  if (series.every((line) => line.points.length === 0)) {
    return frame(title, `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12">no data</text>`, rateTicks, 1);
  }
  const lines = series
    .map((line) => {
      const path = line.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${x01(point.x).toFixed(1)},${y01(point.y).toFixed(1)}`).join(' ');
      return `<path d="${path}" fill="none" stroke="${line.color}" stroke-width="2"><title>${escapeHtml(line.name)}</title></path>`;
    })
    .join('');
  const legend = series
    .map(
      (line, index) =>
        `<rect x="${margin.left + 8 + index * 80}" y="${margin.top + 4}" width="10" height="10" fill="${line.color}"/>` +
        `<text x="${margin.left + 22 + index * 80}" y="${margin.top + 13}" font-size="10">${escapeHtml(line.name)}</text>`,
    )
    .join('');
  const markerLine =
    marker === undefined
      ? ''
      : `<line x1="${x01(marker.x).toFixed(1)}" x2="${x01(marker.x).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#b00020" stroke-dasharray="4 3"><title>${escapeHtml(marker.label)}</title></line>` +
        `<text x="${(x01(marker.x) + 4).toFixed(1)}" y="${margin.top + plotHeight - 6}" font-size="10" fill="#b00020">${escapeHtml(marker.label)}</text>`;
  return frame(title, lines + legend + markerLine + xAxis01(xTitle), rateTicks, 1);
}

/**
 * A reliability diagram: one bar per equal-width confidence bin at the share observed correct,
 * the count above it, a dot at the bin's mean confidence, and the diagonal where a calibrated
 * estimate would lie. Empty bins are left blank.
 */
export function reliabilityChart(
  title: string,
  bins: ReadonlyArray<{ low: number; high: number; count: number; meanConfidence: number | null; observed: number | null }>,
): string {
  const body = bins
    .map((bin) => {
      if (bin.count === 0 || bin.observed === null || bin.meanConfidence === null) return '';
      const left = x01(bin.low) + 1;
      const barWidth = Math.max(1, x01(bin.high) - x01(bin.low) - 2);
      const top = y01(bin.observed);
      const description = `${bin.low.toFixed(1)}–${bin.high.toFixed(1)}: ${bin.count} quotes, mean confidence ${bin.meanConfidence.toFixed(3)}, observed ${bin.observed.toFixed(3)}`;
      return (
        `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(margin.top + plotHeight - top).toFixed(1)}" fill="#1f5fa8" fill-opacity="0.75"><title>${escapeHtml(description)}</title></rect>` +
        `<circle cx="${x01(bin.meanConfidence).toFixed(1)}" cy="${y01(bin.meanConfidence).toFixed(1)}" r="2.5" fill="#b00020"><title>${escapeHtml(`mean confidence ${bin.meanConfidence.toFixed(3)}`)}</title></circle>` +
        `<text x="${(left + barWidth / 2).toFixed(1)}" y="${(top - 3).toFixed(1)}" text-anchor="middle" font-size="9">${bin.count}</text>`
      );
    })
    .join('');
  const diagonal = `<line x1="${x01(0)}" y1="${y01(0)}" x2="${x01(1)}" y2="${y01(1)}" stroke="#999" stroke-dasharray="4 3"><title>perfect calibration</title></line>`;
  const empty = bins.every((bin) => bin.count === 0) ? `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12">no confidences</text>` : '';
  return frame(title, diagonal + body + empty + xAxis01('predicted confidence'), rateTicks, 1);
}
