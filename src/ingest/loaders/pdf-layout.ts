/**
 * Turns the positioned lines of a PDF's pages into one normalized text with page spans: running
 * headers and footers and bare page numbers dropped, lines joined into paragraphs, words
 * hyphenated across line ends joined again. Pure functions, no PDF library: load-pdf.ts feeds
 * them what pdf.js extracted.
 *
 * Blocks survive as the sentence splitter reads them (../text-blocks.ts): paragraphs are
 * separated by a blank line, also where a paragraph ends on a short line without extra spacing;
 * a short line that ends without punctuation (a heading in the body font such as "§ 2 Zweck", a
 * list item, an address line) keeps its line break, and so does a heading-like line after a
 * sentence end, so the splitter can tell a heading from prose.
 */
import type { PageSpan } from '../types.ts';

/** One text line of a page as laid out: `y` grows upwards (PDF space), `fontSize` and `width` in points. */
export type PdfLine = { text: string; x: number; y: number; fontSize: number; width: number };

/** A paragraph of a page with the lines it starts and ends with. */
type Paragraph = { text: string; first: PdfLine; last: PdfLine };

/** A line this share of the page's widest line or wider runs to the margin: its paragraph goes on. */
const FULL_LINE_SHARE = 0.85;

/** How many lines at the top and bottom of a page may be running headers or footers. */
const EDGE_LINES = 2;
/** A line counts as running when it repeats on at least this share of pages (and on 2 or more). */
const RUNNING_SHARE = 0.6;
/** A vertical gap this many times the page's usual line gap starts a new paragraph. */
const PARAGRAPH_GAP_FACTOR = 1.4;

const PAGE_NUMBER = /^(?:(?:seite|page|s\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:\/|von|of)\s*\d{1,4})?$/i;
const SENTENCE_END = /[.!?…:"“”»«)]$/;

/**
 * Lays out all pages into one text. Pages are separated by a paragraph break unless a paragraph
 * continues on the next page (see `continues`), where they are joined like lines.
 */
export function layoutPages(pages: PdfLine[][]): { text: string; pages: PageSpan[] } {
  const running = findRunningLines(pages);
  let text = '';
  const spans: PageSpan[] = [];
  let previous: { last: PdfLine; fullWidth: number } | null = null;
  const keptPages = pages.map((lines) => {
    const edges = edgeLines(lines);
    const outermost = outermostLines(lines);
    return lines.filter((line) => !(edges.has(line) && isNoise(line, outermost.has(line), running)));
  });
  const bodyWidth = bodyLineWidths(keptPages);
  keptPages.forEach((kept, pageIndex) => {
    const fullWidth = widest(kept);
    const paragraphs = toParagraphs(kept, fullWidth, bodyWidth);
    let charStart = text.length;
    paragraphs.forEach(({ text: paragraph, first }, paragraphIndex) => {
      if (text.length === 0) {
        text = paragraph;
        charStart = 0;
        return;
      }
      if (paragraphIndex === 0 && previous && continues(text, previous.last, first, previous.fullWidth)) {
        // joinLines keeps `paragraph` whole at the end, so the page starts where it begins.
        text = joinLines(text, paragraph);
        charStart = text.length - paragraph.length;
        return;
      }
      text += '\n\n';
      if (paragraphIndex === 0) charStart = text.length;
      text += paragraph;
    });
    if (paragraphs.length === 0) charStart = text.length;
    else previous = { last: paragraphs[paragraphs.length - 1]!.last, fullWidth };
    spans.push({ number: pageIndex + 1, charStart: Math.min(charStart, text.length), charEnd: text.length });
  });
  // A page's span ends where the next begins, so that the spans cover the text without gaps.
  for (let index = 0; index < spans.length - 1; index++) {
    spans[index]!.charEnd = Math.max(spans[index]!.charStart, spans[index + 1]!.charStart);
  }
  return { text, pages: spans };
}

/**
 * Lines that repeat at the top or bottom of most pages. Keys are exact text, plus (only for the
 * outermost line of a page) the text with digits folded, so "Seite 3" and "Seite 4" match while a
 * chapter heading "Kapitel 3" below the running header does not.
 */
function findRunningLines(pages: PdfLine[][]): Set<string> {
  const counts = new Map<string, number>();
  for (const lines of pages) {
    const seen = new Set<string>();
    for (const line of edgeLines(lines)) seen.add(exactKey(line.text));
    for (const line of outermostLines(lines)) seen.add(foldDigits(line.text));
    for (const key of seen) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const needed = Math.max(2, Math.ceil(pages.length * RUNNING_SHARE));
  return new Set([...counts].filter(([key, count]) => count >= needed && key.length > 0).map(([key]) => key));
}

function exactKey(text: string): string {
  return `=${text.replace(/\s+/g, ' ').trim()}`;
}

function foldDigits(text: string): string {
  return `#${text.replace(/\s+/g, ' ').trim().replace(/\d+/g, '#')}`;
}

/**
 * The highest and lowest lines of a page by position (not by drawing order: producers draw
 * headers and footers before or after the body).
 */
function edgeLines(lines: PdfLine[]): Set<PdfLine> {
  const byHeight = byPosition(lines);
  return new Set([...byHeight.slice(0, EDGE_LINES), ...byHeight.slice(-EDGE_LINES)]);
}

/** The single highest and lowest line of a page. */
function outermostLines(lines: PdfLine[]): Set<PdfLine> {
  const byHeight = byPosition(lines);
  return new Set(byHeight.length > 0 ? [byHeight[0]!, byHeight[byHeight.length - 1]!] : []);
}

function byPosition(lines: PdfLine[]): PdfLine[] {
  return lines.filter((line) => line.text.trim().length > 0).sort((upper, lower) => lower.y - upper.y);
}

/** A running header/footer or a bare page number, for a line at a page's edge. */
function isNoise(line: PdfLine, outermost: boolean, running: Set<string>): boolean {
  const trimmed = line.text.trim();
  return running.has(exactKey(trimmed)) || (outermost && (running.has(foldDigits(trimmed)) || PAGE_NUMBER.test(trimmed)));
}

/**
 * Groups lines into paragraphs by vertical gaps and joins each paragraph's lines. A jump up the
 * page (the next column) continues the paragraph when `continues` says so.
 */
function toParagraphs(lines: PdfLine[], fullWidth: number, bodyWidth: BodyWidth): Paragraph[] {
  const usable = lines.filter((line) => line.text.trim().length > 0);
  if (usable.length === 0) return [];
  const gaps: number[] = [];
  for (let index = 1; index < usable.length; index++) {
    const gap = usable[index - 1]!.y - usable[index]!.y;
    if (gap > 0) gaps.push(gap);
  }
  const usualGap = median(gaps);
  const paragraphs: Paragraph[] = [];
  let current: Paragraph = { text: usable[0]!.text.trim(), first: usable[0]!, last: usable[0]! };
  for (let index = 1; index < usable.length; index++) {
    const previous = usable[index - 1]!;
    const line = usable[index]!;
    const gap = previous.y - line.y;
    const lineHeight = Math.max(previous.fontSize, line.fontSize, 1);
    const breaks =
      (gap <= 0 && !continues(current.text, previous, line, fullWidth)) || // the next column
      (usualGap > 0 && gap > usualGap * PARAGRAPH_GAP_FACTOR && gap > lineHeight * 1.15) ||
      gap > lineHeight * 2.2 ||
      Math.abs(line.fontSize - previous.fontSize) > 1.5; // headings
    const lineBreak = breaks ? 'paragraph' : lineEnd(previous, line, bodyWidth);
    if (lineBreak === 'paragraph') {
      paragraphs.push(current);
      current = { text: line.text.trim(), first: line, last: line };
    } else if (lineBreak === 'line') {
      current = { text: `${current.text}\n${line.text.trim()}`, first: current.first, last: line };
    } else {
      current = { text: joinLines(current.text, line.text.trim()), first: current.first, last: line };
    }
  }
  paragraphs.push(current);
  return paragraphs.filter((paragraph) => paragraph.text.length > 0);
}

/** A line that a heading, list item or new sentence may start with. */
const STARTS_OWN_LINE = /^[\p{Lu}\p{Lt}\p{N}§•◦▪‣●■„“"»«(\[–—-]/u;
/** A short line this share of the full width or less, without final punctuation, may be a heading. */
const HEADING_LINE_SHARE = 0.6;

/** For a line in the body font: how wide a line starting where it starts is when it runs to the margin; else 0. */
type BodyWidth = (line: PdfLine) => number;

/**
 * The body font is the size most text is set in; per left edge (columns, indents) its widest
 * line in the document is the full width there. Lines in other sizes (headings) get 0: their
 * line breaks are wrapping, and font changes already end their paragraphs.
 */
function bodyLineWidths(pages: PdfLine[][]): BodyWidth {
  const size = (line: PdfLine) => Math.round(line.fontSize * 2) / 2;
  const letters = new Map<number, number>();
  for (const line of pages.flat()) letters.set(size(line), (letters.get(size(line)) ?? 0) + line.text.length);
  const body = [...letters].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, -1])[0];
  const widest = new Map<number, number>();
  for (const line of pages.flat()) {
    if (size(line) === body) widest.set(Math.round(line.x), Math.max(widest.get(Math.round(line.x)) ?? 0, line.width));
  }
  return (line) => (size(line) === body ? (widest.get(Math.round(line.x)) ?? 0) : 0);
}

/**
 * How the line before `line` in one paragraph (by vertical spacing) ends, for body text:
 * `paragraph` when it is short and ends a sentence (the paragraph's last line, no extra space
 * after it); `line` when it is short and `line` starts like a heading or item, or when it ends a
 * sentence and `line` is a short line without final punctuation (a heading in the body font);
 * else `space` (wrapped text).
 */
function lineEnd(previous: PdfLine, line: PdfLine, bodyWidth: BodyWidth): 'paragraph' | 'line' | 'space' {
  const previousFull = bodyWidth(previous);
  const lineFull = bodyWidth(line);
  if (previousFull <= 0 || lineFull <= 0 || /[-\u2010\u00AD]$/u.test(previous.text)) return 'space';
  const previousText = previous.text.trim();
  const text = line.text.trim();
  const previousShort = previous.width < previousFull * FULL_LINE_SHARE;
  if (previousShort && SENTENCE_END.test(previousText)) return 'paragraph';
  if (previousShort && STARTS_OWN_LINE.test(text)) return 'line';
  const headingLike = line.width < lineFull * HEADING_LINE_SHARE && !SENTENCE_END.test(text) && STARTS_OWN_LINE.test(text);
  if (SENTENCE_END.test(previousText) && headingLike) return 'line';
  return 'space';
}

/**
 * Joins two lines of one paragraph. A word hyphenated at the line end ("Verkehrs-" + "mittel") is
 * joined without the hyphen when a lower-case letter precedes the hyphen and a lower-case letter
 * follows; a real hyphen ("Nord-" + "Süd", "US-" + "amerikanisch") is kept, without a space.
 */
export function joinLines(previous: string, next: string): string {
  if (previous.endsWith('\u00AD')) return previous.slice(0, -1) + next;
  const hyphenated = /([\p{L}\p{N}])[-\u2010]$/u.exec(previous);
  if (hyphenated) {
    const before = hyphenated[1]!;
    const after = next.charAt(0);
    const isLower = (character: string) => character !== '' && character === character.toLowerCase() && character !== character.toUpperCase();
    if (isLower(before) && isLower(after)) return previous.slice(0, -1) + next;
    if (/\p{L}|\d/u.test(after)) return previous + next;
  }
  return `${previous} ${next}`;
}

/**
 * Whether text that stops at `last` (a page's or column's last line) goes on with `next`: no
 * sentence end, the same font size, and either `last` runs to the margin (German nouns start in
 * upper case, so the case of `next` alone says little) or `next` starts in lower case. A short
 * last line without a period is a heading or the end of a list item.
 */
function continues(text: string, last: PdfLine, next: PdfLine, fullWidth: number): boolean {
  if (SENTENCE_END.test(text.trimEnd())) return false;
  if (Math.abs(last.fontSize - next.fontSize) > 0.5) return false;
  const first = next.text.trim().charAt(0);
  const startsLower = first !== '' && first === first.toLowerCase() && first !== first.toUpperCase();
  return startsLower || (fullWidth > 0 && last.width >= fullWidth * FULL_LINE_SHARE);
}

function widest(lines: PdfLine[]): number {
  return lines.reduce((widest, line) => Math.max(widest, line.width), 0);
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}
