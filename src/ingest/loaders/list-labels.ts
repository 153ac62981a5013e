/**
 * Automatic numbers of office lists and headings ("§ 1", "(2)", "b)", "IV."), which DOCX and ODT
 * keep as numbering rules rather than text. German statutes and minutes cite by them ("§ 3
 * Abs. 2"), so beleg writes them in front of the paragraph as a reader sees it; bullets are
 * dropped. This file holds what both formats share: counters per list and number formats.
 */

/** How one level's number is written. */
export type NumberFormat = 'decimal' | 'decimalZero' | 'lowerLetter' | 'upperLetter' | 'lowerRoman' | 'upperRoman' | 'bullet' | 'none';

/** Formats `value` (1-based) in `format`; '' for bullets and none. */
export function formatNumber(value: number, format: NumberFormat): string {
  switch (format) {
    case 'decimal':
      return String(value);
    case 'decimalZero':
      return String(value).padStart(2, '0');
    case 'lowerLetter':
      return letters(value);
    case 'upperLetter':
      return letters(value).toUpperCase();
    case 'lowerRoman':
      return roman(value).toLowerCase();
    case 'upperRoman':
      return roman(value);
    default:
      return '';
  }
}

/** a … z, aa … zz (Word and LibreOffice repeat the letter). */
function letters(value: number): string {
  if (value < 1) return String(value);
  const letter = String.fromCharCode(0x61 + ((value - 1) % 26));
  return letter.repeat(Math.min(Math.floor((value - 1) / 26) + 1, 10));
}

function roman(value: number): string {
  if (value < 1 || value >= 4000) return String(value);
  const numerals: Array<[number, string]> = [
    [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
  ];
  let rest = value;
  let result = '';
  for (const [amount, numeral] of numerals) {
    while (rest >= amount) {
      result += numeral;
      rest -= amount;
    }
  }
  return result;
}

/**
 * The current numbers of one list's levels. `advance(level, start)` counts an item at `level`
 * (0-based): the level goes up by one (or starts at `start`), deeper levels start over.
 */
export class ListCounters {
  readonly #values: Array<number | undefined> = [];

  advance(level: number, start: number): void {
    const current = this.#values[level];
    this.#values[level] = current === undefined ? start : current + 1;
    this.#values.length = level + 1;
  }

  /** The number of `level` (the start value when the level has not been counted yet). */
  value(level: number, start: number): number {
    return this.#values[level] ?? start;
  }

  /** Starts `level` over at `start` minus one, so the next advance gives `start`. */
  restart(level: number, start: number): void {
    this.#values[level] = start - 1;
    this.#values.length = level + 1;
  }
}
