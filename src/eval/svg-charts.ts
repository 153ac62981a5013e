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
