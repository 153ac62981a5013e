/**
 * Character error rate (CER) of recognised text against the text it should be: the edit distance
 * (insertions, deletions, substitutions) divided by the length of the expected text, after both
 * are reduced to single spaces (line and paragraph breaks are layout, not characters read).
 */

/** Whitespace runs as one space, trimmed, NFC. */
export function normalizeForCer(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Edit distance / expected length, 0..(can exceed 1 for much longer output). */
export function characterErrorRate(recognized: string, expected: string): number {
  const a = normalizeForCer(recognized);
  const b = normalizeForCer(expected);
  if (b.length === 0) return a.length === 0 ? 0 : 1;
  return editDistance(a, b) / b.length;
}

/** Levenshtein distance in UTF-16 code units, two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = new Uint32Array(b.length + 1).map((_, index) => index);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const code = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (code === b.charCodeAt(j - 1) ? 0 : 1);
      current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
