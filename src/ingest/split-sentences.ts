/**
 * German sentence segmentation. Returns sentences as offsets into the text, never copies, so a
 * quote built from sentences can always be checked with `text.slice(charStart, charEnd)`.
 *
 * A sentence ends at `.`, `!`, `?` or `…` (plus closing quotes and brackets right after it) when
 * whitespace and then something that can start a sentence follows (an upper-case letter, a digit,
 * an opening quote or bracket). A period does not end a sentence after an abbreviation
 * ("z. B.", "bzw.", "Dr.", "März." → "Mär."), after a single letter (initials, "S. 12"), after an
 * ordinal number ("im 19. Jahrhundert", "am 24. März 1882") or a Roman numeral ("Ludwig XIV.").
 * Decimals ("5,6 %", "3.000") never match because no whitespace follows their separator.
 *
 * No sentence crosses a block boundary, and each sentence says whether one lies before it
 * (`blockStart`) and whether it is a heading (`heading`): quotes are runs of sentences within one
 * block, never with a heading (see ./text-blocks.ts for what makes a block). A single line break
 * is otherwise a space: hard-wrapped lines inside a sentence stay one sentence.
 */
import { findTextBlocks, type BlockMarking } from './text-blocks.ts';
import type { SentenceSpan } from './types.ts';

/**
 * Abbreviations after which a period does not end a sentence, without their final period,
 * compared case-sensitively except for the first letter (sentence-initial "Vgl." is "vgl.").
 * Single letters are handled separately. "usw." and "etc." are here on purpose: a split after
 * them is right only when a new sentence follows, which cannot be told from a capitalised noun.
 */
const ABBREVIATIONS = new Set(
  [
    // Latin and common German abbreviations
    'bzw', 'ca', 'usw', 'etc', 'vgl', 'evtl', 'ggf', 'inkl', 'exkl', 'bzgl', 'sog', 'z.B', 'z.T', 'd.h', 'u.a', 'u.ä',
    'o.ä', 'o.g', 'u.U', 'i.d.R', 'v.a', 'z.Zt', 'zzgl', 'ggü', 'gem', 'lt', 'mind', 'allg', 'bes', 'bspw', 'einschl',
    'entspr', 'insb', 'urspr', 'usf', 'vs', 'zit', 'Anm', 'Aufl', 'Ausg', 'Bde', 'Hrsg', 'hrsg', 'Verf', 'Jh', 'Jhd',
    'Jhdt', 'Chr', 'v.Chr', 'n.Chr', 'geb', 'gest', 'verh', 'Abs', 'Nr', 'Nrn', 'Str', 'Mio', 'Mrd', 'Tsd', 'Dr',
    'Prof', 'Dipl', 'Ing', 'med', 'phil', 'rer', 'nat', 'jur', 'habil', 'Hr', 'Hrn', 'Fr', 'Frl', 'St', 'Pfr', 'Gebr',
    'Co', 'Inc', 'Ltd', 'Corp', 'Mr', 'Mrs', 'Ms', 'ebd', 'ff', 'Bhf', 'Hbf', 'Univ', 'Inst', 'Dept', 'Abt', 'Bez',
    'Lkr',
    // weekdays ("So." is left out: "so." ends many sentences) and months
    'Mo', 'Di', 'Mi', 'Do', 'Sa', 'Jan', 'Febr', 'Feb', 'Mär', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Okt', 'Nov',
    'Dez',
  ].map(normalizeAbbreviation),
);

/**
 * Abbreviations that are also words ("Art", "min") or often end a sentence: they count as
 * abbreviations only when a number follows ("Art. 3", "max. 5 Personen", "Tel. 0351").
 */
const NUMBER_ABBREVIATIONS = new Set(
  ['Art', 'Bd', 'Kap', 'Abb', 'Tab', 'Ziff', 'Tel', 'Fax', 'Jg', 'max', 'min', 'Min', 'Std', 'Sek', 'Pl'].map(normalizeAbbreviation),
);

/** Characters that may close a sentence right after its terminator: quotes and brackets. */
const CLOSERS = new Set(['“', '”', '«', '»', '‘', '’', '"', "'", ')', ']', '›', '‹']);
/** Characters (besides letters and digits) that may open a sentence. */
const OPENERS = new Set(['„', '“', '”', '»', '«', '‚', '‘', '"', "'", '(', '[', '›', '‹', '¡', '¿', '–', '-', '*', '•']);
const TERMINATORS = new Set(['.', '!', '?', '…']);

const UPPERCASE_OR_DIGIT = /[\p{Lu}\p{Lt}\p{N}]/u;
const LETTER = /\p{L}/u;
const WHITESPACE = /\s/u;
const ROMAN_NUMERAL = /^[IVXLCDM]{1,6}$/;
const ORDINAL = /^\d{1,3}$/;
function normalizeAbbreviation(word: string): string {
  return word.charAt(0).toLowerCase() + word.slice(1);
}

/** Which part of the text to split, and how its loader marked blocks (./text-blocks.ts). */
export type SplitOptions = { start?: number; end?: number; marking?: BlockMarking };

/**
 * Splits German `text` into sentences. Offsets are JavaScript string indices; each span starts and
 * ends on a non-whitespace character; spans are in order and do not overlap. The first sentence
 * of every block (the first of the range included) has `blockStart`; a heading line is one
 * sentence with `heading` (and `blockStart`).
 */
export function splitSentences(text: string, options: SplitOptions = {}): SentenceSpan[] {
  const sentences: SentenceSpan[] = [];
  for (const block of findTextBlocks(text, options)) {
    const first = sentences.length;
    if (block.heading) pushTrimmed(text, block.start, block.end, sentences);
    else splitBlock(text, block.start, block.end, sentences);
    if (sentences.length > first) {
      sentences[first]!.blockStart = true;
      if (block.heading) sentences[first]!.heading = true;
    }
  }
  return sentences;
}

function splitBlock(text: string, start: number, end: number, sentences: SentenceSpan[]): void {
  let sentenceStart = start;
  let index = start;
  while (index < end) {
    const character = text[index]!;
    if (!TERMINATORS.has(character)) {
      index++;
      continue;
    }
    // Take the whole run of terminators ("?!", "...") and the closers right after it.
    let boundary = index + 1;
    while (boundary < end && TERMINATORS.has(text[boundary]!)) boundary++;
    const terminatorEnd = boundary;
    while (boundary < end && CLOSERS.has(text[boundary]!)) boundary++;
    if (endsSentence(text, index, terminatorEnd, boundary, end)) {
      pushTrimmed(text, sentenceStart, boundary, sentences);
      sentenceStart = boundary;
    }
    index = boundary;
  }
  pushTrimmed(text, sentenceStart, end, sentences);
}

/**
 * Decides whether the terminator run `[terminatorStart, terminatorEnd)` (closers up to `boundary`)
 * ends a sentence.
 */
function endsSentence(text: string, terminatorStart: number, terminatorEnd: number, boundary: number, end: number): boolean {
  // Whitespace must follow, then something that can start a sentence.
  if (boundary >= end || !WHITESPACE.test(text[boundary]!)) return false;
  let next = boundary;
  while (next < end && WHITESPACE.test(text[next]!)) next++;
  if (next >= end) return true;
  const nextCharacter = text[next]!;
  if (!UPPERCASE_OR_DIGIT.test(nextCharacter) && !OPENERS.has(nextCharacter)) return false;

  const terminators = text.slice(terminatorStart, terminatorEnd);
  const isEllipsis = terminators === '…' || terminators.startsWith('...');
  // "[…]" marks an omission inside a quote, not an end.
  if (isEllipsis && text[terminatorStart - 1] === '[' && text[terminatorEnd] === ']') return false;
  if (terminators !== '.' || boundary !== terminatorEnd) return true;

  // A single period with nothing closing it: check the word before it.
  const word = wordBefore(text, terminatorStart);
  if (word.length === 0) return true;
  if (ORDINAL.test(word)) return false;
  if (ROMAN_NUMERAL.test(word) && word.length <= 4) return false;
  if (word.length === 1 && LETTER.test(word)) return false;
  const abbreviation = normalizeAbbreviation(word);
  if (NUMBER_ABBREVIATIONS.has(abbreviation) && /\p{N}/u.test(nextCharacter)) return false;
  return !ABBREVIATIONS.has(abbreviation);
}

/**
 * The word right before `position` (letters, digits and inner periods, as in "z.B" or "v.Chr"),
 * without leading brackets or quotes.
 */
function wordBefore(text: string, position: number): string {
  let wordStart = position;
  while (wordStart > 0) {
    const previous = text[wordStart - 1]!;
    if (WHITESPACE.test(previous) || OPENERS.has(previous) || previous === '/') break;
    wordStart--;
  }
  return text.slice(wordStart, position).replace(/^[^\p{L}\p{N}]+/u, '');
}

function pushTrimmed(text: string, start: number, end: number, sentences: SentenceSpan[]): void {
  let charStart = start;
  let charEnd = end;
  while (charStart < charEnd && WHITESPACE.test(text[charStart]!)) charStart++;
  while (charEnd > charStart && WHITESPACE.test(text[charEnd - 1]!)) charEnd--;
  if (charEnd > charStart) sentences.push({ charStart, charEnd });
}
