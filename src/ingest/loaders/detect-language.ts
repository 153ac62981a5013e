/**
 * A small stop-word vote between German and English: enough to label a document `de` or `en`
 * for display and for choosing analyzers; null when the text is too short or neither wins.
 */

const STOP_WORDS: Record<string, Set<string>> = {
  de: new Set('der die das und ist nicht ein eine einer den dem des mit sich auf für von zu im ist sind wird wurde auch als bei nach aus über oder wie aber noch nur werden hat haben zum zur vom durch'.split(' ')),
  en: new Set('the and is are was were of to in that it for on with as by this from at be have has not or but which an their they been'.split(' ')),
};

/** `de`, `en` or null, from the first ~5000 characters. */
export function detectLanguage(text: string): string | null {
  const words = text.slice(0, 5000).toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 5) return null;
  let best: string | null = null;
  let bestScore = 0;
  for (const [language, stopWords] of Object.entries(STOP_WORDS)) {
    const score = words.filter((word) => stopWords.has(word)).length;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  // At least 5 % of the words must be stop words of the winner.
  return bestScore >= Math.max(2, words.length * 0.05) ? best : null;
}
