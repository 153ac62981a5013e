/**
 * Spreadsheet values as a German reader expects them. Dates become `TT.MM.JJJJ` (with `HH:MM`
 * when the format shows a time) from Excel serial numbers in the workbook's 1900 or 1904 date
 * system; numbers get a decimal comma and follow the simple parts of the cell's number format —
 * fixed decimals (`0.00`), thousands separator (`#,##0` → `480.000`), percent, a currency sign —
 * and are otherwise written with the digits the cell stores (at most 15 significant digits, so
 * binary noise like 0.30000000000000004 reads 0,3). Fractions, scientific and conditional
 * formats are not reproduced; the stored value is.
 */

/** Excel's built-in number formats that matter here (ids without an entry are treated as General). */
const BUILT_IN_FORMATS: Record<number, string> = {
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  14: 'dd.mm.yyyy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'dd.mm.yyyy h:mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mm:ss.0',
};
/** Built-in ids of East Asian date formats (their codes depend on the locale; all are dates). */
const BUILT_IN_DATE_IDS = new Set([27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** The format code of built-in format `id`, or of a custom one from `custom`; 'General' when unknown. */
export function formatCodeOf(id: number, custom: ReadonlyMap<number, string>): string {
  return custom.get(id) ?? BUILT_IN_FORMATS[id] ?? (BUILT_IN_DATE_IDS.has(id) ? 'yyyy-mm-dd' : 'General');
}

/** The first section of a format code with quoted text, escapes and `[…]` brackets removed. */
function formatSkeleton(code: string): string {
  return (code.split(';')[0] ?? '').replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[[^\]]*\]/g, '').replace(/_./g, '');
}

/** Whether a format code shows a date or time. */
export function isDateFormat(code: string): boolean {
  if (/^general$/i.test(code.trim())) return false;
  return /[dmyhs]/i.test(formatSkeleton(code).replace(/E[+-]/gi, ''));
}

/**
 * An Excel serial date as a UTC date. 1900 system: serial 1 is 1 January 1900 and Excel counts
 * a 29 February 1900 that never was (serial 60), so later serials are one day ahead. 1904
 * system: serial 0 is 1 January 1904.
 */
export function serialToDate(serial: number, date1904: boolean): Date {
  const day = 86_400_000;
  if (date1904) return new Date(Date.UTC(1904, 0, 1) + serial * day);
  return new Date(Date.UTC(1899, 11, serial < 61 ? 31 : 30) + serial * day);
}

const two = (value: number) => String(value).padStart(2, '0');

/** A date as `TT.MM.JJJJ`, `TT.MM.JJJJ HH:MM`, or `HH:MM` (`HH:MM:SS` with seconds) for a time alone. */
export function formatGermanDate(date: Date, show: { date: boolean; time: boolean; seconds?: boolean }): string {
  // Round to the second: serial fractions carry binary noise (0.4999999 of a day is 12:00).
  const rounded = new Date(Math.round(date.getTime() / 1000) * 1000);
  const day = `${two(rounded.getUTCDate())}.${two(rounded.getUTCMonth() + 1)}.${rounded.getUTCFullYear()}`;
  const time = `${two(rounded.getUTCHours())}:${two(rounded.getUTCMinutes())}${show.seconds ? `:${two(rounded.getUTCSeconds())}` : ''}`;
  if (show.date && show.time) return `${day} ${time}`;
  return show.date ? day : time;
}

/** An Excel serial shown with a date/time format code. The 29 February 1900 of the 1900 system is written as such. */
export function formatSerialDate(serial: number, code: string, date1904: boolean): string {
  const skeleton = formatSkeleton(code).toLowerCase();
  const hasTime = /[hs]/.test(skeleton);
  const hasDate = /[dy]/.test(skeleton) || (/m/.test(skeleton) && !hasTime);
  const show = { date: hasDate || !hasTime, time: hasTime, seconds: /s/.test(skeleton) };
  if (!date1904 && Math.floor(serial) === 60 && show.date) return show.time ? `29.02.1900 ${formatGermanDate(serialToDate(serial, false), { date: false, time: true, seconds: show.seconds })}` : '29.02.1900';
  return formatGermanDate(serialToDate(serial, date1904), show);
}

/** An ISO date or date-time (`2025-03-12`, `2025-03-12T19:00:00`) as `TT.MM.JJJJ` (with `HH:MM` when a time other than midnight is given); the input when it is no ISO date. */
export function formatIsoDate(iso: string): string {
  const match = /^(-?\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso.trim());
  if (!match) return iso;
  const [, year, month, day, hours, minutes] = match;
  const date = `${day}.${month}.${year}`;
  return hours !== undefined && (hours !== '00' || minutes !== '00') ? `${date} ${hours}:${minutes}` : date;
}

/** A number with German separators: decimal comma, `.` between thousands when `grouping`. */
function germanNumber(value: number, decimals: number | null, grouping: boolean): string {
  const text = decimals === null ? String(Number.parseFloat(value.toPrecision(15))) : value.toFixed(decimals);
  if (/e/i.test(text)) return text.replace('.', ',');
  const negative = text.startsWith('-');
  const [integer = '', fraction] = text.replace(/^-/, '').split('.');
  const grouped = grouping ? integer.replace(/\B(?=(\d{3})+(?!\d))/g, '.') : integer;
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `,${fraction}` : ''}`;
}

/** A number shown with its format code's simple parts (see the file comment). */
export function formatNumber(value: number, code: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (/^general$/i.test(code.trim()) || code.trim() === '') return germanNumber(value, null, false);
  const skeleton = formatSkeleton(code);
  const percent = skeleton.includes('%');
  const shown = percent ? value * 100 : value;
  const decimalsMatch = /\.([0#?]+)/.exec(skeleton);
  const decimals = /[0#?]/.test(skeleton) ? (decimalsMatch ? decimalsMatch[1]!.length : 0) : null;
  const grouping = /[0#?],[0#?]/.test(skeleton);
  const currency = /€|\[\$€/.test(code) ? ' €' : /\[\$\$|^\$|"\$"/.test(code) ? ' $' : '';
  return `${germanNumber(shown, decimals, grouping)}${percent ? ' %' : ''}${currency}`;
}
