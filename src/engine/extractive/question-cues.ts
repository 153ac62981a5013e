/**
 * Question-type cues: what kind of answer a German question asks for (a date, a number, a
 * name, a place) and whether a sentence offers one that the question does not already contain.
 */

export type AnswerType = 'date' | 'number' | 'money' | 'name' | 'place' | 'other';

const MONTHS = 'januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember';
const WEEKDAYS = 'montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags|wochenende';
const NUMBER_WORDS =
  'zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|hundert|tausend|dutzend|hälfte|drittel|viertel|million|millionen|milliarde|milliarden|prozent';

const DATE_PATTERN = new RegExp(`\\b(?:1\\d{3}|20\\d{2}|\\d{1,2}\\.\\s?(?:${MONTHS})|(?:${MONTHS})|\\d+\\.\\s?jahrhundert|jahrhundert|(?:${WEEKDAYS})\\b)`, 'giu');
const NUMBER_PATTERN = new RegExp(`\\d|\\b(?:${NUMBER_WORDS})\\b`, 'giu');
/** An amount of money: a number with a currency, possibly with a magnitude ("4,5 Millionen Euro", "$ 20", "50 Cent"). */
const MONEY_PATTERN =
  /\d[\d.,]*\s?(?:(?:millionen|million|milliarden|milliarde|mio\.?|mrd\.?|tausend)\s)?(?:euro|eur|cent|ct|dollar|us-dollar|pfund|mark|dm|franken|chf|yen|rubel|€|\$|£)(?![\p{L}])|[€$£]\s?\d/giu;
/** Words that ask for a price, fee or cost. */
const COST_QUESTION = /(?:kost\w*|gebühr\w*|preis\w*|teuer\w*|bezahl\w*|eintritt\w*|miete)\b/u;

/** Two or more capitalised words in a row, or a capitalised word with a particle (`von`, `de`). */
const NAME_PATTERN = /\p{Lu}[\p{L}'-]+(?:\s+(?:von|van|de|der|da|di|du|zu|bin|al|el)?\s*\p{Lu}[\p{L}'-]+)+/gu;
const PLACE_PATTERN = /\b(?:in|im|nach|aus|bei|an der|am)\s+(?:der\s+|dem\s+|den\s+)?\p{Lu}[\p{L}-]+/gu;

/** Which kind of answer the question asks for. */
export function answerType(question: string): AnswerType {
  const text = question.trim().toLowerCase();
  if (/^(?:wann|seit wann|bis wann|ab wann)\b/.test(text) || /\bin welche[mn]? (?:jahr|jahrhundert|monat|jahrzehnt)\b|\bwelche[mns]? (?:jahr|datum|jahrhundert|tag|wochentag)\b|\bwann\b/.test(text)) {
    return 'date';
  }
  if (/\bwie ?viel\b|\bwie (?:hoch|teuer)\b/.test(text) && COST_QUESTION.test(text) && !/\bprozent/.test(text)) return 'money';
  if (/\bwie ?viele?\b|\bwie (?:hoch|groß|gross|lang|alt|weit|schwer|oft|teuer|breit|tief|schnell)\b|\bwelche[rn]? (?:anteil|prozentsatz|betrag|anzahl|zahl)\b|\bprozent\b|\banzahl\b/.test(text)) {
    return 'number';
  }
  if (/^(?:wer|wem|wen|wessen)\b|\bvon wem\b|\bmit wem\b|\bfür wen\b|\bwer\b/.test(text)) return 'name';
  if (/^(?:wo|woher|wohin)\b|\bin welche[rmn]? (?:stadt|land|region|staat|ort|gegend|gebäude|teil)\b|\bwo\b/.test(text)) return 'place';
  return 'other';
}

function matchesOutside(pattern: RegExp, sentence: string, question: string): boolean {
  const questionLower = question.toLowerCase();
  for (const match of sentence.matchAll(pattern)) {
    const found = match[0].toLowerCase().replace(/^(?:in|im|nach|aus|bei|an der|am)\s+(?:der\s+|dem\s+|den\s+)?/, '');
    if (!questionLower.includes(found)) return true;
  }
  return false;
}

/**
 * True when the sentence contains an answer of the wanted type that the question does not
 * already mention (a year the question repeats is no evidence).
 */
export function offersAnswerType(type: AnswerType, sentence: string, question: string): boolean {
  switch (type) {
    case 'date':
      return matchesOutside(DATE_PATTERN, sentence, question);
    case 'number':
      return matchesOutside(NUMBER_PATTERN, sentence, question);
    case 'money':
      return matchesOutside(MONEY_PATTERN, sentence, question);
    case 'name':
      return matchesOutside(NAME_PATTERN, sentence, question);
    case 'place':
      return matchesOutside(PLACE_PATTERN, sentence, question);
    case 'other':
      return false;
  }
}
