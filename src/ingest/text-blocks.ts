/**
 * The blocks of a stored text: paragraphs, headings, list items, table rows and pages. No sentence
 * (and so no quote) crosses a block's edge, and a heading block is never quoted.
 *
 * What the loaders leave in the text, and what makes a block here:
 * - every loader: a blank line (paragraphs; PDF pages, unless a paragraph runs on; HTML block
 *   elements, each list item and table row; Markdown paragraphs) and a form feed (a page break in
 *   a text file);
 * - a line that starts with an explicit marker: a list item (`- `, `* `, `• `, `1. ` after a line
 *   that ended something), a table row (`|`), a block quote (`>`), a Markdown heading (`# `) or a
 *   wiki heading (`== Medien ==`, as in GermanQuAD); the two heading forms are headings;
 * - only where the loader could not mark blocks itself (`guess`: plain text, PDFs), the shape of
 *   the lines: a short line without final punctuation that starts with a capital, digit or `§`
 *   and does not end in a word like "am" or "und" (a wrapped line does), standing alone between
 *   blank lines or, after a line that ended a sentence, followed by a line break and prose. It is
 *   a heading ("§ 2 Zweck", "3.1 Finanzen", "Geschichte der Stadt") unless it is a label with its
 *   value ("Vorsitzender: Hans Müller", a block of its own but quotable). And a line break after a
 *   sentence end in a paragraph that is not hard-wrapped (it has a line over 100 characters: text
 *   with one paragraph per line, like Wikipedia extracts).
 * HTML and Markdown (`marked`) put every block on its own between blank lines and report headings
 * as sections (chunk-document.ts marks those); their single line breaks (`<br>`, soft wraps) stay
 * spaces, and short lines are not taken for headings there (address lines, labels).
 */

/** How the loader marked blocks: `marked` (HTML, Markdown) or `guess` (plain text, PDF). */
export type BlockMarking = 'guess' | 'marked';

/** A block of the text: `[start, end)` (whitespace around it included), and whether it is a heading. */
export type TextBlock = { start: number; end: number; heading: boolean };

/**
 * Longest line (characters, words) taken for a guessed heading. Text hard-wrapped at 60 or more
 * columns has longer first lines; narrower wrapping can still cut a short first line (a trade-off).
 */
const HEADING_MAX_CHARACTERS = 45;
const HEADING_MAX_WORDS = 8;
/** A block with a line longer than this is not hard-wrapped: its line breaks end paragraphs. */
const UNWRAPPED_LINE_CHARACTERS = 100;

/** A line that ends a sentence: a terminator, then optional closers. */
const ENDS_SENTENCE = /[.!?…][“”«»‘’"')\]›‹]*$/u;
/** A line that ends something a numbered list item may follow: a sentence, a colon or semicolon. */
const ENDS_CLAUSE = /[.!?…:;][“”«»‘’"')\]›‹]*$/u;
/** Markdown (`# Titel`) and wiki (`== Medien ==`) heading lines. */
const EXPLICIT_HEADING = /^(?:#{1,6}\s+\S.*|(={1,6})\s*[^=\s].*?\s*\1)$/u;
/** Lines that start a list item, table row, block quote or (wiki) definition or indentation. */
const LINE_MARKER = /^(?:[-*+•◦▪‣●■]\s|[>|;:])/u;
/** A numbered list item; only a block start after a line that ended something (not "am\n3. April"). */
const NUMBERED_ITEM = /^\d{1,3}[.)]\s/u;
const HEADING_FIRST_CHARACTER = /^[\p{Lu}\p{Lt}\p{N}§]/u;
const HEADING_LAST_CHARACTER = /[\p{L}\p{N})_]$/u;
/** A line that may start a sentence: a capital, a digit, an opening quote, bracket or dash. */
const STARTS_SENTENCE = /^[\p{Lu}\p{Lt}\p{N}„“”»«‚‘"'([›‹¡¿–—\-*•§]/u;
/** "Kapitel 3: Finanzen" is a heading, "Vorsitzender: Hans Müller" a label with its value. */
const NUMBERED_LABEL = /(?:\d|\b[IVXLC]+)$/u;
/**
 * Words a hard-wrapped line ends with but a heading does not: articles, prepositions,
 * conjunctions, auxiliaries ("Er wurde am\n3. April 1905 geboren.").
 */
const WRAPPED_LINE_ENDINGS = new Set(
  (
    'der die das des dem den ein eine einer eines einem einen und oder sowie aber denn sondern am im an in auf aus bei ' +
    'mit nach von vom vor zu zum zur für über unter durch gegen ohne um bis seit als wie dass daß ist sind war waren ' +
    'wurde wurden wird werden hat haben hatte hatten sich nicht auch noch sehr so es er sie wir ihr ich man sein seine ' +
    'seiner ihre ihrer dieser diese dieses wenn weil ob zwischen hinter neben sowohl'
  ).split(' '),
);

type Line = {
  /** Offset of the line's first character (after the previous line break). */
  start: number;
  /** The line without surrounding whitespace; empty for a blank line. */
  text: string;
  /** Index of the block of lines between blank lines it belongs to. */
  paragraph: number;
};

/**
 * Cuts `text.slice(start, end)` into blocks, in order, covering the range without gaps. Heading
 * blocks hold exactly one line.
 */
export function findTextBlocks(text: string, options: { start?: number; end?: number; marking?: BlockMarking } = {}): TextBlock[] {
  const start = options.start ?? 0;
  const end = options.end ?? text.length;
  const guess = (options.marking ?? 'guess') === 'guess';
  const lines = linesOf(text, start, end);
  const unwrapped = unwrappedParagraphs(lines);
  const cutBefore = new Array<boolean>(lines.length).fill(false);
  const heading = new Array<boolean>(lines.length).fill(false);
  /** Lines that are a block of their own by their shape (headings and labels). */
  const lineBlock = new Array<boolean>(lines.length).fill(false);

  lines.forEach((line, index) => {
    if (line.text.length === 0) return;
    const previous = lines[index - 1];
    if (previous === undefined || previous.text.length === 0) cutBefore[index] = true;
    if (EXPLICIT_HEADING.test(line.text)) heading[index] = true;
    else if (LINE_MARKER.test(line.text)) cutBefore[index] = true;
    else if (NUMBERED_ITEM.test(line.text) && (previous === undefined || endsItemContext(lines, index - 1, heading))) cutBefore[index] = true;
    else if (guess && standsAlone(lines, index, lineBlock)) {
      heading[index] = !isLabel(line.text);
      lineBlock[index] = true;
    } else if (guess && previous !== undefined && unwrapped.has(line.paragraph) && ENDS_SENTENCE.test(previous.text) && STARTS_SENTENCE.test(line.text)) {
      cutBefore[index] = true;
    }
    if (heading[index] || lineBlock[index]) {
      cutBefore[index] = true;
      if (index + 1 < lines.length) cutBefore[index + 1] = true;
    }
  });

  const blocks: TextBlock[] = [];
  let block: TextBlock = { start, end, heading: false };
  lines.forEach((line, index) => {
    if (!cutBefore[index]) return;
    if (line.start > block.start) {
      blocks.push({ ...block, end: line.start });
      block = { start: line.start, end, heading: false };
    }
    block.heading = heading[index]!;
  });
  blocks.push(block);
  return blocks;
}

/** The lines of the range; a form feed ends a line and counts as a blank line after it. */
function linesOf(text: string, start: number, end: number): Line[] {
  const lines: Line[] = [];
  let lineStart = start;
  let paragraph = 0;
  const push = (lineEnd: number) => {
    const lineText = text.slice(lineStart, lineEnd).trim();
    if (lineText.length === 0 && lines.length > 0 && lines[lines.length - 1]!.text.length > 0) paragraph += 1;
    lines.push({ start: lineStart, text: lineText, paragraph });
  };
  for (let index = start; index < end; index++) {
    const character = text[index];
    if (character !== '\n' && character !== '\f') continue;
    push(index);
    lineStart = index + 1;
    if (character === '\f') push(lineStart); // an empty line: the page break separates like a blank line
  }
  push(end);
  return lines;
}

/** Paragraphs (runs of lines between blank lines) that have a line too long for hard wrapping. */
function unwrappedParagraphs(lines: Line[]): Set<number> {
  const paragraphs = new Set<number>();
  for (const line of lines) if (line.text.length > UNWRAPPED_LINE_CHARACTERS) paragraphs.add(line.paragraph);
  return paragraphs;
}

/** Whether a numbered item may start after line `index`: it ended a clause, or is a list item or heading itself. */
function endsItemContext(lines: Line[], index: number, heading: boolean[]): boolean {
  const line = lines[index]!;
  return line.text.length === 0 || heading[index]! || ENDS_CLAUSE.test(line.text) || LINE_MARKER.test(line.text) || NUMBERED_ITEM.test(line.text);
}

/** A line shaped like a heading: short, no final punctuation, a capital, digit or `§` first, no wrapped line's last word. */
function looksLikeHeading(line: string): boolean {
  const words = line.split(/\s+/);
  // One long word ("Russische_Sozialistische_Föderative_Sowjetrepublik") is no wrapped prose.
  if (line.length === 0 || (line.length > HEADING_MAX_CHARACTERS && words.length > 1)) return false;
  if (words.length > HEADING_MAX_WORDS || WRAPPED_LINE_ENDINGS.has(words[words.length - 1]!)) return false;
  return HEADING_FIRST_CHARACTER.test(line) && HEADING_LAST_CHARACTER.test(line) && !LINE_MARKER.test(line);
}

/** "Vorsitzender: Hans Müller" (a label with its value), not "Kapitel 3: Finanzen" (a heading). */
function isLabel(line: string): boolean {
  const colon = line.indexOf(': ');
  return colon >= 0 && !NUMBERED_LABEL.test(line.slice(0, colon));
}

/**
 * Whether line `index` is a block of its own by its shape and its neighbours: shaped like a
 * heading, after a blank line, a sentence end or another such line, and either alone between
 * blank lines with more text after it, or followed by a line that can start a sentence and, in its
 * paragraph, by prose (a sentence terminator).
 */
function standsAlone(lines: Line[], index: number, lineBlock: boolean[]): boolean {
  const line = lines[index]!;
  if (!looksLikeHeading(line.text)) return false;
  const previous = lines[index - 1];
  if (previous !== undefined && previous.text.length > 0 && !ENDS_SENTENCE.test(previous.text) && !lineBlock[index - 1]) return false;
  const next = lines[index + 1];
  if (next === undefined) return false;
  if (next.text.length === 0) return lines.slice(index + 1).some((later) => later.text.length > 0);
  if (!STARTS_SENTENCE.test(next.text)) return false;
  for (let later = index + 1; later < lines.length && lines[later]!.paragraph === line.paragraph; later++) {
    if (/[.!?…]/u.test(lines[later]!.text)) return true;
  }
  return false;
}
