/**
 * Recognised lines as the PDF layout reads them (../loaders/pdf-layout.ts): positions in points
 * with `y` growing upwards, so a scanned page goes through the same paragraph building, running
 * header removal and de-hyphenation ("Verwal-" + "tung") as a page with a text layer.
 */
import type { PdfLine } from '../loaders/pdf-layout.ts';
import { unfoldLigatures } from '../loaders/normalize-text.ts';
import type { RecognizedLine, RecognizedPage } from './recognize-text.ts';

/** Lines within this share of a page's usual line height count as the body size. */
const BODY_SIZE_TOLERANCE = 0.18;
/** Below this confidence (0..100) a line of one or two characters is a speck read as text. */
const STRAY_CONFIDENCE = 60;

/**
 * The page's lines in points, placed at their baselines. A line's font size is estimated from
 * its row height (it wobbles by a few percent from line to line), then snapped to the page's median so that body
 * lines share one size as they do in a text PDF; clearly larger lines (headings) keep theirs.
 * Lines without a letter or digit and short low-confidence lines (specks, dirt) are dropped.
 */
export function toLayoutLines(page: RecognizedPage, image: { height: number; dpi: number }): PdfLine[] {
  const points = 72 / image.dpi;
  const kept = page.lines.filter((line) => !isStray(line));
  const heights = kept.map((line) => line.rowHeight).sort((a, b) => a - b);
  const usual = heights.length > 0 ? heights[Math.floor(heights.length / 2)]! : 0;
  return kept.map((line) => {
    const height = line.rowHeight;
    const snapped = usual > 0 && Math.abs(height - usual) <= usual * BODY_SIZE_TOLERANCE ? usual : height;
    return {
      text: unfoldLigatures(cleanLine(line.text)).normalize('NFC'),
      x: line.left * points,
      y: (image.height - line.baseline) * points,
      // A row spans ascenders to descenders: about 1.2 times the font size.
      fontSize: Math.round(((snapped * points) / 1.2) * 2) / 2,
      width: (line.right - line.left) * points,
    };
  });
}

function isStray(line: RecognizedLine): boolean {
  const text = line.text.trim();
  if (!/[\p{L}\p{N}]/u.test(text)) return true;
  return text.replace(/\s/g, '').length <= 2 && line.confidence < STRAY_CONFIDENCE;
}

/**
 * Removes what specks and dirt turn into: a lone mark between words (" . ", " , ", " | "), which
 * would otherwise end a sentence in the middle ("tatsächliche . Miete"), and a mark glued to the
 * start of a word. Dashes, quotes and real punctuation after words stay.
 */
export function cleanLine(text: string): string {
  return text
    .replace(/(^|\s)[.,;:'`´‚|]+(?=\s|$)/gu, '$1')
    .replace(/(^|\s)[‚,.'`´]+(?=\p{L})/gu, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
