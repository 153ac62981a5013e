/**
 * Verifies a quote against a document's stored text and returns its exact offsets.
 *
 * First an exact match (preferring the occurrence inside the retrieved chunk's range, since the
 * model saw that one), then a normalised match that forgives what models and loaders change
 * without changing meaning: runs of whitespace, typographic quotation marks, dashes, soft hyphens,
 * zero-width characters, `…` vs `...` and Unicode composition (NFC). The normalised match is
 * mapped back to offsets into the ORIGINAL stored text, so that
 * `storedText.slice(charStart, charEnd) === quote` always holds for the returned `quote` — which
 * is the stored text, never the model's spelling of it.
 */

/** Where a quote sits in the stored text. */
export type VerifiedQuote = {
  /** The stored text at the match: `storedText.slice(charStart, charEnd)`. */
  quote: string;
  charStart: number;
  charEnd: number;
  match: 'exact' | 'normalized';
};

export type VerifyOptions = {
  /** Prefer an occurrence inside this range of the stored text (the retrieved chunk). */
  preferRange?: { charStart: number; charEnd: number };
};

/** A normalised string and, per normalised UTF-16 unit, the original range it came from. */
type NormalizedText = { text: string; originalStart: Int32Array; originalEnd: Int32Array };

const DOUBLE_QUOTES = new Set(['„', '“', '”', '«', '»', '"', '″', '‟', '〝', '〞']);
const SINGLE_QUOTES = new Set(['‚', '‘', '’', '‹', '›', "'", '`', '´', '′', '‛']);
const DASHES = new Set(['–', '—', '‑', '‐', '‒', '−', '-', '―']);
const INVISIBLE = new Set(['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']);

/** Maps one NFC character (code point) to its normalised spelling. */
function normalizeCharacter(character: string): string {
  if (INVISIBLE.has(character)) return '';
  if (/^\s$/u.test(character)) return ' ';
  if (DOUBLE_QUOTES.has(character)) return '"';
  if (SINGLE_QUOTES.has(character)) return "'";
  if (DASHES.has(character)) return '-';
  if (character === '…') return '...';
  if (character === '\u00a0' || character === '\u202f') return ' ';
  return character;
}

/**
 * Normalises `text` and records, for every output unit, which original range produced it.
 * Each base character with its combining marks is composed (NFC) as one segment, so offsets stay
 * exact even when the stored text is decomposed (NFD).
 */
function normalizeWithMap(text: string): NormalizedText {
  const output: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const segment = /\P{M}\p{M}*|\p{M}+/gsu;
  let previousWasSpace = true; // drops leading whitespace
  for (const match of text.matchAll(segment)) {
    const originalStart = match.index;
    const originalEnd = originalStart + match[0].length;
    const composed = match[0].normalize('NFC');
    for (const character of composed) {
      const normalized = normalizeCharacter(character);
      if (normalized === ' ') {
        if (previousWasSpace) {
          // Extend the previous space over this whitespace so a collapsed run maps to all of it.
          if (output.length > 0 && output[output.length - 1] === ' ') ends[ends.length - 1] = originalEnd;
          continue;
        }
        previousWasSpace = true;
      } else if (normalized.length > 0) {
        previousWasSpace = false;
      }
      for (const unit of normalized) {
        for (let index = 0; index < unit.length; index += 1) {
          output.push(unit[index]!);
          starts.push(originalStart);
          ends.push(originalEnd);
        }
      }
    }
  }
  return { text: output.join(''), originalStart: Int32Array.from(starts), originalEnd: Int32Array.from(ends) };
}

/** The plain normalised form of a string (what `verifyQuote` compares). */
export function normalizeForMatch(text: string): string {
  return normalizeWithMap(text).text.trim();
}

function allOccurrences(haystack: string, needle: string): number[] {
  const positions: number[] = [];
  if (needle.length === 0) return positions;
  let position = haystack.indexOf(needle);
  while (position !== -1) {
    positions.push(position);
    position = haystack.indexOf(needle, position + 1);
  }
  return positions;
}

function pickPreferred(
  candidates: Array<{ charStart: number; charEnd: number }>,
  preferRange: VerifyOptions['preferRange'],
): { charStart: number; charEnd: number } | undefined {
  if (candidates.length === 0) return undefined;
  if (preferRange) {
    const inside = candidates.find((candidate) => candidate.charStart >= preferRange.charStart && candidate.charEnd <= preferRange.charEnd);
    if (inside) return inside;
    const overlapping = candidates.find((candidate) => candidate.charStart < preferRange.charEnd && candidate.charEnd > preferRange.charStart);
    if (overlapping) return overlapping;
  }
  return candidates[0];
}

/**
 * Finds `quote` in `storedText`. Returns null when it is not there, even after normalisation, or
 * when the quote is empty or only whitespace.
 */
export function verifyQuote(storedText: string, quote: string, options: VerifyOptions = {}): VerifiedQuote | null {
  const trimmed = quote.trim();
  if (trimmed.length === 0) return null;

  const exact = pickPreferred(
    allOccurrences(storedText, trimmed).map((charStart) => ({ charStart, charEnd: charStart + trimmed.length })),
    options.preferRange,
  );
  if (exact) return { ...exact, quote: storedText.slice(exact.charStart, exact.charEnd), match: 'exact' };

  const needle = normalizeForMatch(trimmed);
  if (needle.length === 0) return null;
  const haystack = normalizeWithMap(storedText);
  const candidates = allOccurrences(haystack.text, needle).map((position) => ({
    charStart: haystack.originalStart[position]!,
    charEnd: haystack.originalEnd[position + needle.length - 1]!,
  }));
  const normalized = pickPreferred(candidates, options.preferRange);
  if (!normalized) return null;
  return { ...normalized, quote: storedText.slice(normalized.charStart, normalized.charEnd), match: 'normalized' };
}
