/**
 * Parses an engine's raw output in EM German's answer format into its parts:
 * `<quote> (Quelle: <citation>)`, or the refusal sentence.
 *
 * The parser is lenient about what models add around the format (leading spaces, quotation marks
 * wrapped around the quote, a trailing period after the citation) but never invents text: the
 * quote it returns is a substring of the raw output, and verification against the stored text
 * decides whether it is real.
 */
import { REFUSAL } from '../engine/language-model.ts';

/** What an engine's raw output says. */
export type ParsedAnswer =
  | { kind: 'refusal' }
  | {
      kind: 'quote';
      /** The whole quoted text, as the model wrote it (wrapping quotation marks removed). */
      quote: string;
      /**
       * The quote split at ellipses (`…`, `...`, `[...]`) into parts the model may have joined.
       * One element when there is no ellipsis.
       */
      parts: string[];
      /** What the model wrote after `(Quelle: `, trimmed. */
      citation: string;
    }
  | { kind: 'malformed'; reason: string };

const CITATION_OPENING = /\(\s*Quelle\s*:/gi;

/** Paired marks a model may wrap around a whole quote. */
const WRAPPING_MARKS: ReadonlyArray<readonly [string, string]> = [
  ['„', '“'],
  ['“', '”'],
  ['"', '"'],
  ['»', '«'],
  ['«', '»'],
  ['‚', '‘'],
  ["'", "'"],
];

const ELLIPSIS = /\s*(?:\[\s*(?:\.\.\.|…)\s*\]|…|\.\.\.)\s*/;

function normalizeForRefusal(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** True when `text` is (or starts with) EM German's refusal sentence. */
export function isRefusal(text: string): boolean {
  const normalized = normalizeForRefusal(text);
  const refusal = normalizeForRefusal(REFUSAL);
  return normalized.startsWith(refusal) || normalized.startsWith(refusal.slice(0, -1));
}

function unwrap(quote: string): string {
  let current = quote.trim();
  for (let round = 0; round < 2; round += 1) {
    const pair = WRAPPING_MARKS.find(([open, close]) => current.length > 2 && current.startsWith(open) && current.endsWith(close));
    if (!pair) break;
    current = current.slice(pair[0].length, current.length - pair[1].length).trim();
  }
  return current;
}

/**
 * Parses raw engine output. The citation is the LAST `(Quelle: …)` group, so quotes that contain
 * parentheses stay intact; its closing parenthesis is the last one in the text.
 */
export function parseAnswer(raw: string): ParsedAnswer {
  const text = raw.trim();
  if (text.length === 0) return { kind: 'malformed', reason: 'The engine returned no text.' };
  if (isRefusal(text)) return { kind: 'refusal' };

  let opening: RegExpExecArray | null = null;
  for (const match of text.matchAll(CITATION_OPENING)) opening = match as RegExpExecArray;
  if (!opening) return { kind: 'malformed', reason: 'The output has no "(Quelle: …)" citation.' };

  const afterOpening = opening.index + opening[0].length;
  const closing = text.lastIndexOf(')');
  if (closing < afterOpening) return { kind: 'malformed', reason: 'The "(Quelle: …)" citation is not closed.' };
  const citation = text.slice(afterOpening, closing).replace(/\s+/g, ' ').trim();
  const quote = unwrap(text.slice(0, opening.index));
  if (quote.length === 0) return { kind: 'malformed', reason: 'The output cites a source but quotes nothing.' };
  if (citation.length === 0) return { kind: 'malformed', reason: 'The "(Quelle: …)" citation is empty.' };

  const parts = quote
    .split(ELLIPSIS)
    .map((part) => unwrap(part))
    .filter((part) => part.length > 0);
  return { kind: 'quote', quote, parts: parts.length > 0 ? parts : [quote], citation };
}
