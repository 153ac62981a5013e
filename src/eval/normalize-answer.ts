/**
 * SQuAD's answer normalisation, adapted to German, and the two scores built on it: whether a gold
 * answer is contained in a quote, and token F1 between them.
 *
 * SQuAD lowercases, drops punctuation and the English articles, and collapses whitespace. Here the
 * articles are the German ones (definite and indefinite, every case), punctuation includes German
 * quotation marks („“ ‚‘ »«) and dashes, and text is NFC-normalised first so that a composed `ä` and
 * `a` + combining diaeresis compare equal. Umlauts are NOT folded (`ä` stays `ä`, never `ae`): a quote
 * that spells a word differently from the document is a different string.
 */

const germanArticles = new Set(['der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einer', 'eines', 'einem', 'einen']);

/** Lowercases, removes punctuation, symbols and German articles, collapses whitespace. */
export function normalizeAnswer(text: string): string {
  return normalizedTokens(text).join(' ');
}

/** The tokens of `normalizeAnswer(text)`. */
export function normalizedTokens(text: string): string[] {
  const lowered = text.normalize('NFC').toLocaleLowerCase('de-DE');
  // Like SQuAD, punctuation is deleted rather than replaced by a space ("Pro-Bowl" → "probowl"),
  // except dashes and slashes between words, which German uses as separators as often as joiners.
  const withoutPunctuation = lowered.replace(/[\p{Pd}/]/gu, ' ').replace(/[\p{P}\p{S}]/gu, '');
  return withoutPunctuation.split(/\s+/u).filter((token) => token.length > 0 && !germanArticles.has(token));
}

/**
 * True when the normalised gold answer occurs as a contiguous run of whole tokens in the normalised
 * text (so `308` is found in "gab nur 308 Punkte ab" but not in "3080 Punkte"). An empty gold answer
 * (only articles or punctuation) is never contained.
 */
export function containsAnswer(text: string, goldAnswer: string): boolean {
  const gold = normalizedTokens(goldAnswer);
  if (gold.length === 0) return false;
  const tokens = normalizedTokens(text);
  for (let start = 0; start + gold.length <= tokens.length; start++) {
    let matches = true;
    for (let offset = 0; offset < gold.length; offset++) {
      if (tokens[start + offset] !== gold[offset]) {
        matches = false;
        break;
      }
    }
    if (matches) return true;
  }
  return false;
}

/**
 * SQuAD's token F1 between a prediction and one gold answer: the harmonic mean of token precision
 * and recall over the multiset of normalised tokens. 0 when either side has no tokens.
 */
export function tokenF1(prediction: string, goldAnswer: string): number {
  const predicted = normalizedTokens(prediction);
  const gold = normalizedTokens(goldAnswer);
  if (predicted.length === 0 || gold.length === 0) return 0;
  const goldCounts = new Map<string, number>();
  for (const token of gold) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const remaining = goldCounts.get(token) ?? 0;
    if (remaining > 0) {
      common++;
      goldCounts.set(token, remaining - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / gold.length;
  return (2 * precision * recall) / (precision + recall);
}
