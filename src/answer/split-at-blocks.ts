/**
 * A quote never crosses a block (paragraph, heading, list item, table row, page section) and
 * never holds a heading. The constrained engines cannot produce such a quote; an engine that is
 * not constrained (a remote server without grammar support, a model that joined two passages) can.
 *
 * The rule: a verified quote that crosses block boundaries is cut at each of them, heading lines
 * are dropped, and every part left becomes a citation of its own — presented like the parts of a
 * quote the model joined with `…`, never as one continuous quote. A quote of nothing but headings
 * cites nothing (the answer is then unverifiable). Cutting rather than refusing keeps every word
 * the engine quoted verbatim and in its place, and keeping all parts rather than the first keeps
 * the answer when it stood in the second paragraph.
 *
 * Where the boundaries are known: from the block flags of the prompt source's sentences (stored
 * offsets), and anywhere from the text itself — a blank line or a form feed always ends a block.
 */

/** A sentence of the source, in stored-text offsets, with its block flags. */
export type BlockSentence = { charStart: number; charEnd: number; blockStart?: boolean; heading?: boolean };

/** A part of a quote, in stored-text offsets. */
export type QuotePart = { charStart: number; charEnd: number };

const TEXT_BLOCK_BREAK = /\n[^\S\n]*\n|\f/g;
const WHITESPACE = /\s/u;

/**
 * Cuts `span` of `storedText` at the block boundaries it crosses and drops its heading lines.
 * `sentences` (in order, stored offsets) say where blocks start and which sentences are
 * headings. Returns the parts in order, each trimmed of whitespace; `[span]` (trimmed) when it
 * crosses nothing; `[]` when nothing but headings is left.
 */
export function splitAtBlocks(storedText: string, span: QuotePart, sentences: readonly BlockSentence[]): QuotePart[] {
  // Gaps that end a block: between a sentence and the next one when a block starts there, …
  const gaps: QuotePart[] = [];
  sentences.forEach((sentence, index) => {
    const previous = sentences[index - 1];
    if (previous && (sentence.blockStart || sentence.heading || previous.heading)) gaps.push({ charStart: previous.charEnd, charEnd: sentence.charStart });
  });
  // … and wherever the text has a blank line or a page break.
  TEXT_BLOCK_BREAK.lastIndex = 0;
  for (const match of storedText.slice(span.charStart, span.charEnd).matchAll(TEXT_BLOCK_BREAK)) {
    const start = span.charStart + match.index!;
    gaps.push({ charStart: start, charEnd: start + match[0].length });
  }
  gaps.sort((left, right) => left.charStart - right.charStart);

  const parts: QuotePart[] = [];
  let partStart = span.charStart;
  for (const gap of gaps) {
    if (gap.charEnd <= partStart || gap.charStart >= span.charEnd) continue;
    // A gap the quote only touches at its edge cuts nothing off; one it crosses ends a part.
    if (gap.charStart > partStart) parts.push({ charStart: partStart, charEnd: Math.min(gap.charStart, span.charEnd) });
    partStart = Math.max(partStart, gap.charEnd);
  }
  if (partStart < span.charEnd) parts.push({ charStart: partStart, charEnd: span.charEnd });

  const headings = sentences.filter((sentence) => sentence.heading);
  return parts
    .map((part) => trim(storedText, part))
    .filter((part) => part.charEnd > part.charStart)
    .filter((part) => !headings.some((heading) => heading.charStart <= part.charStart && part.charEnd <= heading.charEnd));
}

function trim(text: string, part: QuotePart): QuotePart {
  let charStart = part.charStart;
  let charEnd = part.charEnd;
  while (charStart < charEnd && WHITESPACE.test(text[charStart]!)) charStart++;
  while (charEnd > charStart && WHITESPACE.test(text[charEnd - 1]!)) charEnd--;
  return { charStart, charEnd };
}
