/**
 * Question-type cues: what kind of answer a German question asks for (a date, an amount of money,
 * a length, a person, a place, a material …) and where a sentence offers one that the question
 * does not already contain.
 *
 * A sentence without the expected kind of answer cannot answer the question, however many of its
 * words it shares: "Wie lang ist die Brücke?" is not answered by "Die Sanierung kostete 2,4
 * Millionen Euro", and "Was kostet ein Parkausweis?" not by "Die Brücke ist 84 Meter lang". The
 * types are deliberately specific where German asks specifically ("Wie alt" wants an age, "Wie
 * lang" a length or a duration) and fall back to `number` where it does not.
 */

export type AnswerType =
  | 'date'
  | 'money'
  | 'percent'
  | 'age'
  | 'length'
  | 'area'
  | 'duration'
  | 'weight'
  | 'frequency'
  | 'number'
  | 'name'
  | 'place'
  | 'material'
  | 'colour'
  | 'other';

const MONTHS = 'januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember';
const WEEKDAYS = 'montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags|wochenende';
const NUMBER_WORDS =
  'ein|eine|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|dreizehn|vierzehn|fünfzehn|sechzehn|siebzehn|achtzehn|neunzehn|zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig|hundert|tausend|dutzend|dutzende|hunderte|tausende|hälfte|drittel|viertel|million|millionen|milliarde|milliarden|mehrere|einige|zahlreiche|beide|einzige|einzigen';
/** A number: digits (1.345.596, 2,4, 20-18) or a number word. */
const NUMBER = `(?:\\d[\\d.,]*|(?:${NUMBER_WORDS})(?![\\p{L}]))`;
const MAGNITUDE = '(?:\\s(?:millionen|million|milliarden|milliarde|mio\\.?|mrd\\.?|tausend))?';

function pattern(source: string): RegExp {
  return new RegExp(source, 'giu');
}

const PATTERNS: Readonly<Record<Exclude<AnswerType, 'other'>, RegExp>> = {
  date: pattern(
    `\\b(?:1\\d{3}(?:er)?|20\\d{2}(?:er)?|(?:ca\\.|um|im jahre?|anno)\\s\\d{3,4}|\\d{1,4}\\s?(?:v\\.|n\\.)\\s?chr\\.?|\\d{1,2}\\.\\s?(?:${MONTHS})|(?:${MONTHS})|\\d{1,2}\\.\\d{1,2}\\.(?:\\d{2,4})?|\\d+\\.\\s?jahrhundert|jahrhundert\\w*|jahrzehnt\\w*|(?:${WEEKDAYS})|\\d{1,2}(?:[.:]\\d{2})?\\s?uhr|frühjahr|sommer|herbst|winter|anfang|ende|mitte|seit|bis zum|heute|damals)(?![\\p{L}])`,
  ),
  money: pattern(
    `\\d[\\d.,]*${MAGNITUDE}\\s?(?:euro|eur|cent|ct|dollar|us-dollar|usd|pfund|gbp|mark|dm|franken|chf|yen|rubel|kronen?|€|\\$|£)(?![\\p{L}])|[€$£]\\s?\\d|\\b(?:kostenlos|gebührenfrei|kostenfrei|gratis|umsonst)\\b`,
  ),
  percent: pattern(`\\d[\\d.,]*\\s?(?:%|prozent)|\\b(?:hälfte|drittel|viertel|mehrheit|großteil)\\b`),
  age: pattern(`\\d+\\s?(?:jahre|jahren|jahr)\\b|\\b\\d+-jährig\\w*|\\b(?:${NUMBER_WORDS})jährig\\w*|\\balter(?:s)?\\s+von\\b|\\bim alter\\b|\\b\\d+\\s?j\\.`),
  length: pattern(
    `${NUMBER}${MAGNITUDE}\\s?(?:meter|metern|m|km|kilometer|kilometern|zentimeter|cm|millimeter|mm|meilen|meile|fuß|fuss|yards?|zoll|höhenmeter)(?![\\p{L}])`,
  ),
  area: pattern(`${NUMBER}${MAGNITUDE}\\s?(?:quadratkilometer\\w*|quadratmeter\\w*|quadratmeilen|km²|km2|m²|m2|hektar|ha|acres?)(?![\\p{L}])`),
  duration: pattern(
    `${NUMBER}\\s?(?:sekunden?|minuten?|stunden?|tagen?|tage|wochen?|monaten?|monate|jahren?|jahre|jahrzehnten?|jahrhunderten?)(?![\\p{L}])|\\b\\d+\\s?(?:std|min|h)\\b`,
  ),
  weight: pattern(`${NUMBER}${MAGNITUDE}\\s?(?:kilogramm|kg|gramm|g|tonnen|tonne|t|pfund|milligramm|mg)(?![\\p{L}])`),
  frequency: pattern(
    `\\b(?:${NUMBER_WORDS}|\\d+)\\s?(?:mal|male)\\b|\\b(?:einmal|zweimal|dreimal|viermal|täglich|wöchentlich|monatlich|jährlich|stündlich|alle\\s+\\S+\\s+(?:tage|wochen|monate|jahre)|jede[nrs]?\\s+(?:tag|woche|monat|jahr)|pro\\s+(?:tag|woche|monat|jahr))\\b`,
  ),
  number: pattern(`\\d|\\b(?:${NUMBER_WORDS})(?![\\p{L}])`),
  /** Two or more capitalised words in a row (with particles), or a capitalised word after a role word. */
  name: /\p{Lu}[\p{L}'.-]+(?:\s+(?:von|van|de|der|da|di|du|zu|bin|al|el|und)?\s*\p{Lu}[\p{L}'-]+)+|\b(?:von|durch|vom|Herrn?|Frau|Dr\.|Prof\.)\s+\p{Lu}[\p{L}'-]+/gu,
  place: /\b(?:in|im|nach|aus|bei|an der|am|auf|vor|von)\s+(?:der\s+|dem\s+|den\s+)?\p{Lu}[\p{L}-]+/gu,
  material: /\b(?:aus|mit|durch)\s+(?:\p{Ll}+\s+){0,2}\p{Lu}[\p{L}-]+/gu,
  colour: /\b(?:rot|blau|grün|gelb|schwarz|weiß|grau|braun|orange|violett|lila|rosa|golden|silbern)\w*\b/giu,
};

/** Words that ask for a price, fee or cost. */
const COST_QUESTION = /(?:kost\w*|gebühr\w*|preis\w*|teuer\w*|bezahl\w*|\bzahlen\b|\bzahlt\b|gezahlt|eintritt\w*|miete|beitrag\w*|betrag\w*|umsatz\w*|gewinn\w*|budget\w*|ausgaben|einnahmen|\bwert\b|investi\w*|euro|dollar)/u;

/** Which kind of answer the question asks for. */
export function answerType(question: string): AnswerType {
  const text = question.trim().toLowerCase();
  if (/\bwie alt\b|\bin welchem alter\b|\bmit wie viel(?:en)? jahren\b/.test(text)) return 'age';
  if (/\bwie lange\b|\bwie viele (?:jahre|monate|wochen|tage|stunden|minuten)\b|\bwie viel zeit\b|\bdauer\b|\bdauert\b/.test(text)) return 'duration';
  if (/^(?:wann|seit wann|bis wann|ab wann)\b/.test(text) || /\bin welche[mn]? (?:jahr|jahrhundert|monat|jahrzehnt|zeit)\b|\bwelche[mns]? (?:jahr|datum|jahrhundert|tag|wochentag|monat|uhrzeit|zeitpunkt)\b|\bwann\b|\bum wie viel uhr\b/.test(text)) {
    return 'date';
  }
  if (/\bwie ?viel(?:e)? prozent\b|\bwelche[nr]? (?:anteil|prozentsatz)\b|\bprozent\b|\bwie (?:hoch|groß) (?:ist|war|lag|liegt) (?:der|die) (?:\S+ )?(?:anteil|quote|rate)\b/.test(text)) return 'percent';
  if ((/\bwie ?viel(?:e)?\b|\bwie (?:hoch|teuer)\b|\bwelche[nrs]? (?:betrag|summe|preis|kosten)\b|\bwas kostet\b|\bwas kosten\b/.test(text) && COST_QUESTION.test(text)) || /^was (?:kostet|kosten)\b/.test(text)) {
    return 'money';
  }
  if (/\bwie (?:lang|breit|tief|weit entfernt|groß ist die (?:entfernung|strecke))\b|\bwelche (?:länge|höhe|breite|tiefe|entfernung|strecke)\b|\bwie hoch ist (?:der|die|das) (?:berg|turm|gebäude|mauer|brücke|gipfel)\b/.test(text)) {
    return 'length';
  }
  if (/\bwie groß\b.*\b(?:fläche|gebiet|becken|land|staat|region|insel|park|see)\b|\bwelche fläche\b|\bwie viele quadrat/.test(text)) return 'area';
  if (/\bwie schwer\b|\bwelches gewicht\b/.test(text)) return 'weight';
  if (/\bwie oft\b|\bwie häufig\b/.test(text)) return 'frequency';
  if (/\bwie ?viele?\b|\bwie (?:hoch|groß|gross|alt|weit|schnell|stark)\b|\bwelche[rn]? (?:anzahl|zahl)\b|\banzahl\b|\bwie viel\b/.test(text)) return 'number';
  if (/^(?:wer|wem|wen|wessen)\b|\bvon wem\b|\bmit wem\b|\bfür wen\b|\bwer\b|\bwie hei(?:ß|ss)t (?:der|die) (?:name|vorsitzende|leiter|präsident|gründer)|\bwelche[rmn]? (?:person|spieler|künstler|architekt|baumeister|präsident|könig|kaiser|autor|komponist)\b/.test(text)) {
    return 'name';
  }
  if (/^(?:wo|woher|wohin)\b|\bin welche[rmn]? (?:stadt|land|region|staat|ort|gegend|gebäude|teil|bundesland|land)\b|\bwo\b|\ban welche[mn]? ort\b/.test(text)) return 'place';
  if (/^woraus\b|\baus welche[mnr]? (?:material|stoff|holz|gestein)\b|\bwomit\b|\bwodurch\b|\bwelche[sn]? material\b/.test(text)) return 'material';
  if (/\bwelche farbe\b|\bwelcher farbe\b/.test(text)) return 'colour';
  return 'other';
}

/**
 * Types whose answer is always written as a number (with its unit): a sentence without one cannot
 * answer, so such a sentence is never presented (measured on the tuning halves: the sentence
 * holding the gold answer offers the type in ≥ 95 % of the questions of these types; dates, places
 * and names are too often paraphrased — "vor dem Ersten Weltkrieg", "im südlichen Spanien").
 */
export const REQUIRED_TYPES: ReadonlySet<AnswerType> = new Set(['money', 'percent', 'age', 'area', 'length', 'weight', 'number']);

/** One place where a sentence offers an answer of the wanted type: UTF-16 offsets in the sentence. */
export type TypeMatch = { start: number; end: number };

/** The prepositions a place/material phrase starts with, stripped before comparing with the question. */
const LEADING_PREPOSITION = /^(?:in|im|nach|aus|bei|an der|am|auf|vor|von|mit|durch|vom|herrn?|frau)\s+(?:der\s+|dem\s+|den\s+)?/;

/**
 * Where the sentence contains an answer of the wanted type that the question does not already
 * mention (a year the question repeats is no evidence). Empty for `other`.
 */
export function typeMatches(type: AnswerType, sentence: string, question: string): TypeMatch[] {
  if (type === 'other') return [];
  const questionLower = question.toLowerCase();
  const result: TypeMatch[] = [];
  for (const match of sentence.matchAll(PATTERNS[type])) {
    const found = match[0].toLowerCase().replace(LEADING_PREPOSITION, '').trim();
    if (found.length === 0 || questionLower.includes(found)) continue;
    result.push({ start: match.index, end: match.index + match[0].length });
  }
  return result;
}

/** True when the sentence offers an answer of the wanted type that the question does not contain. */
export function offersAnswerType(type: AnswerType, sentence: string, question: string): boolean {
  return typeMatches(type, sentence, question).length > 0;
}
