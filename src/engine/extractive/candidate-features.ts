/**
 * The extractive reader's view of a question and its sources: every candidate quote (one sentence,
 * or two adjacent sentences of one block) described by a few numbers a linear model can weigh.
 *
 * The features answer the questions a careful reader asks of a sentence:
 * - Does it talk about what the question talks about? IDF-weighted coverage of the question's
 *   content terms in the quote, in the quote with its neighbours, and in its whole source; the
 *   rarest question term that occurs nowhere near the quote (the "focus" a wrong sentence lacks:
 *   "Wie viele Menschen leben in Miami?" against a sentence about Czech speakers).
 * - Does it offer the kind of answer asked for, beyond the words of the question? (Wann → a date,
 *   Wie viele → a number, Wer → a name …; ./question-cues.ts.)
 * - Is it a paraphrase of the question? Question word pairs found in order, exact rather than
 *   partial matches, matches close together.
 * - Did retrieval trust its source? The rank of the source in the prompt.
 *
 * Candidates never cross a block boundary (`blockStart`) and never include a heading (`heading`,
 * or a short unpunctuated line followed by a line break when the flags are absent), nor a line
 * that speaks the prompt's language (`ASSISTANT: …`): a document that addresses the assistant is
 * trying to inject instructions, and such a line is no statement to quote.
 */
import type { PromptSource } from '../language-model.ts';
import { contentStems, isFunctionWord, readerSimilarity, terms, type Term } from './german-terms.ts';
import { answerType, REQUIRED_TYPES, typeMatches, type AnswerType } from './question-cues.ts';

/** Names of the features, in the order of `CandidateFeatures.values`. */
export const FEATURE_NAMES = [
  'coverage',
  'coverageSquared',
  'windowCoverage',
  'sourceCoverage',
  'missingFocus',
  'topSource',
  'inverseRank',
  'offersType',
  'lacksType',
  'typeNearMatch',
  'strongCoverage',
  'proximity',
  'novelty',
  'logWords',
  'isPair',
  'exactShare',
  'orderedPairs',
  'firstInSource',
  'namesFound',
  'numbersFound',
  'focusMissingInWindow',
  'focusMissingInSource',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A run of one or two whole sentences of one source, with its features. */
export type CandidateFeatures = {
  sourceIndex: number;
  firstSentence: number;
  lastSentence: number;
  text: string;
  /** Feature values in FEATURE_NAMES order. */
  values: number[];
  /**
   * The question asks for a number, amount, share or measure (REQUIRED_TYPES) and this quote
   * offers none that the question does not already contain: it cannot be the answer.
   */
  lacksRequiredType: boolean;
};

/** What the question asks, as the features need it. */
export type QuestionAnalysis = {
  stems: string[];
  type: AnswerType;
  /** Indices into `stems` of capitalised question words that are not at the start (names, nouns). */
  names: number[];
  /** Indices into `stems` of numbers written in the question ("1905", "30"). */
  numbers: number[];
  /**
   * Indices into `stems` of the focus terms: the nouns and names the question is about (German
   * capitalises them; the first word and generic nouns like "Jahr" or "Teil" do not count).
   */
  focus: number[];
};

/** Case-level facts the confidence model uses beside the best candidate's features. */
export type QuestionContext = {
  /** The best `sourceCoverage` over all sources: is the question's topic in the sources at all? */
  bestSourceCoverage: number;
  /** Share of the question's IDF weight that occurs in no source at all. */
  absentWeight: number;
  /** Number of content terms of the question. */
  questionTerms: number;
  /** Whether the question type can be checked in the text (date, number, money, name, place). */
  typed: boolean;
  /** Share of the focus terms that occur in no source at all (0 when the question has none). */
  focusMissingEverywhere: number;
};

/** Nouns too generic to be what a question is about ("In welchem Jahr …", "Welcher Teil …"). */
const GENERIC_NOUNS = new Set(
  'jahr jahre jahren zeit teil teile art arten name namen weise fall grund ende anfang beginn zahl anzahl person personen mensch menschen form begriff bezeichnung rolle bereich'.split(' '),
);

/** A matched word counts for a focus term from this similarity on (compound parts included). */
const FOCUS_MATCH = 0.6;

type AnalysedSentence = {
  sourceIndex: number;
  sentenceIndex: number;
  text: string;
  terms: Term[];
  stems: Set<string>;
  quotable: boolean;
  /** A quote may not run from the previous sentence into this one. */
  blockStart: boolean;
  /**
   * Similarity to each question stem (index as in QuestionAnalysis.stems), each sentence word
   * counted for the one question stem it matches best.
   */
  similarity: Float64Array;
  /** Best similarity of any word to each question stem (a word may count for several). */
  anyMatch: Float64Array;
  /** Position of the first word matching each question stem at 0.8 or more; -1 when none. */
  firstStrong: Int32Array;
  positions: number[];
  novelty: number;
  offersType: boolean;
  /** 1 / (1 + words between an answer of the wanted type and the nearest matched question term); 0 without. */
  typeNearMatch: number;
};

/** A sentence that ends with `.`, `!`, `?`, `…` or `:`, possibly followed by closing quotes or brackets. */
const ENDS_WITH_PUNCTUATION = /[.!?…:;][“”«»‘’"')\]›‹]*$/u;
const HEADING_MAX_WORDS = 8;
/** Chat roles and prompt-format markers (sources arrive with U+200B inside markers; it is removed first). */
const PROMPT_LANGUAGE = /\b(?:BEGIN|END)(?:INPUT|CONTEXT|INSTRUCTION)\b|\b(?:USER|ASSISTANT|SYSTEM)\s*:/i;
/** Wiki-style and Markdown headings. */
const MARKED_HEADING = /^\s*(?:={2,}.*={2,}|#{1,6}\s.*)\s*$/u;

function speaksPromptLanguage(text: string): boolean {
  return PROMPT_LANGUAGE.test(text.replaceAll('\u200B', ''));
}

/**
 * A heading by its look, for sources without heading flags: `== Medien ==`, `# Titel`, or at most
 * a few words without final punctuation followed in the same source by a line break and a
 * sentence that does end with punctuation (table cells and list rows, followed by more cells,
 * stay candidates).
 */
function looksLikeHeading(source: PromptSource, sentenceIndex: number): boolean {
  const span = source.sentences[sentenceIndex]!;
  const text = source.text.slice(span.start, span.end);
  if (MARKED_HEADING.test(text)) return true;
  const next = source.sentences[sentenceIndex + 1];
  if (!next) return false;
  if (ENDS_WITH_PUNCTUATION.test(text) || text.split(/\s+/).length > HEADING_MAX_WORDS) return false;
  if (!source.text.slice(span.end, next.start).includes('\n')) return false;
  return ENDS_WITH_PUNCTUATION.test(source.text.slice(next.start, next.end));
}

/** A block boundary lies between sentence i-1 and i: a flag, or a blank line / page break between them. */
function startsBlock(source: PromptSource, sentenceIndex: number): boolean {
  const span = source.sentences[sentenceIndex]!;
  if (span.blockStart !== undefined) return span.blockStart;
  const previous = source.sentences[sentenceIndex - 1];
  if (!previous) return true;
  const gap = source.text.slice(previous.end, span.start);
  return /\n\s*\n|\f/.test(gap);
}

/**
 * The focus terms of a question: the nouns and names it is about. German capitalises them; the
 * first word, function words, words under four letters and generic nouns ("Jahr", "Teil") do not
 * count. Deduplicated by stem.
 */
export function focusTerms(question: string): Term[] {
  const seen = new Set<string>();
  return terms(question).filter((term, index) => {
    if (index === 0 || !term.capitalised || isFunctionWord(term.surface) || term.surface.length < 4) return false;
    if (GENERIC_NOUNS.has(term.surface.toLowerCase()) || seen.has(term.stem)) return false;
    seen.add(term.stem);
    return true;
  });
}

/** True when a word of `text` matches the focus term (same word, family or compound part). */
export function mentionsTerm(focus: Term, text: string): boolean {
  return terms(text).some((term) => readerSimilarity(focus.stem, term.stem) >= FOCUS_MATCH);
}

/** Reads the question: its content stems, answer type, names and numbers. */
export function analyseQuestion(question: string): QuestionAnalysis {
  const stems = contentStems(question);
  const names = new Set<number>();
  const numbers = new Set<number>();
  terms(question).forEach((term, index) => {
    const stemIndex = stems.indexOf(term.stem);
    if (stemIndex < 0) return;
    if (index > 0 && term.capitalised) names.add(stemIndex);
    if (/^\d/.test(term.surface)) numbers.add(stemIndex);
  });
  const focus = focusTerms(question).map((term) => stems.indexOf(term.stem)).filter((index) => index >= 0);
  return { stems, type: answerType(question), names: [...names], numbers: [...numbers], focus: [...new Set(focus)] };
}

type WordMatch = { best: number; index: number; all: Float64Array };

/** Memoised `readerSimilarity` of a word against every question stem: sentence words repeat a lot. */
function similarityLookup(question: QuestionAnalysis): (stem: string) => WordMatch {
  const cache = new Map<string, WordMatch>();
  return (stem) => {
    let found = cache.get(stem);
    if (!found) {
      const all = new Float64Array(question.stems.length);
      let best = 0;
      let bestIndex = -1;
      for (let index = 0; index < question.stems.length; index += 1) {
        const value = readerSimilarity(question.stems[index]!, stem);
        all[index] = value;
        if (value > best) {
          best = value;
          bestIndex = index;
        }
      }
      found = { best, index: bestIndex, all };
      cache.set(stem, found);
    }
    return found;
  };
}

/** Word position of a character offset among `sentenceTerms` (the first term at or after it). */
function wordPositionAt(sentenceTerms: readonly Term[], offset: number): number {
  const index = sentenceTerms.findIndex((term) => term.offset + term.surface.length > offset);
  return index < 0 ? sentenceTerms.length : index;
}

function analyseSentences(sources: readonly PromptSource[], question: QuestionAnalysis, rawQuestion: string): AnalysedSentence[] {
  const result: AnalysedSentence[] = [];
  const lookup = similarityLookup(question);
  sources.forEach((source, sourceIndex) => {
    source.sentences.forEach((span, sentenceIndex) => {
      const text = source.text.slice(span.start, span.end);
      const sentenceTerms = terms(text);
      const similarity = new Float64Array(question.stems.length);
      const anyMatch = new Float64Array(question.stems.length);
      const firstStrong = new Int32Array(question.stems.length).fill(-1);
      const positions: number[] = [];
      let content = 0;
      let novel = 0;
      for (const term of sentenceTerms) {
        if (isFunctionWord(term.surface)) continue;
        content += 1;
        const { best, index: bestIndex, all } = lookup(term.stem);
        for (let index = 0; index < all.length; index += 1) {
          if (all[index]! > anyMatch[index]!) anyMatch[index] = all[index]!;
          if (all[index]! >= 0.8 && firstStrong[index] === -1) firstStrong[index] = term.position;
        }
        if (bestIndex >= 0) {
          positions.push(term.position);
          if (similarity[bestIndex]! < best) similarity[bestIndex] = best;
        } else {
          novel += 1;
        }
      }
      const matches = typeMatches(question.type, text, rawQuestion);
      let typeNearMatch = 0;
      for (const match of matches) {
        const start = wordPositionAt(sentenceTerms, match.start);
        const end = Math.max(start, wordPositionAt(sentenceTerms, match.end - 1));
        for (const position of positions) {
          const distance = position < start ? start - position : position > end ? position - end : 0;
          typeNearMatch = Math.max(typeNearMatch, 1 / (1 + distance));
        }
      }
      result.push({
        sourceIndex,
        sentenceIndex,
        text,
        terms: sentenceTerms,
        stems: new Set(sentenceTerms.map((term) => term.stem)),
        quotable: span.heading !== true && !looksLikeHeading(source, sentenceIndex) && !speaksPromptLanguage(text),
        blockStart: startsBlock(source, sentenceIndex),
        similarity,
        anyMatch,
        firstStrong,
        positions,
        novelty: content === 0 ? 0 : novel / content,
        offersType: matches.length > 0,
        typeNearMatch,
      });
    });
  });
  return result;
}

/** IDF of each question stem over the sentences of all sources (smoothed, never negative). */
function inverseDocumentFrequency(question: QuestionAnalysis, sentences: readonly AnalysedSentence[]): Float64Array {
  const idf = new Float64Array(question.stems.length);
  question.stems.forEach((_, index) => {
    let frequency = 0;
    for (const sentence of sentences) if (sentence.similarity[index]! > 0) frequency += 1;
    idf[index] = Math.log(1 + (sentences.length + 1) / (frequency + 0.5));
  });
  return idf;
}

/** 1 when matched terms sit next to each other, towards 0 when they are scattered. */
function proximity(positions: readonly number[]): number {
  if (positions.length < 2) return positions.length === 1 ? 0.5 : 0;
  const span = positions[positions.length - 1]! - positions[0]! + 1;
  return positions.length / span;
}

/** Elementwise maximum of sentence similarities. */
function combine(parts: readonly AnalysedSentence[], size: number): Float64Array {
  const result = new Float64Array(size);
  for (const part of parts) for (let index = 0; index < size; index += 1) result[index] = Math.max(result[index]!, part.similarity[index]!);
  return result;
}

/** Share of the focus terms without a match in `similarity` (0 when the question has none). */
function focusMissing(question: QuestionAnalysis, similarity: Float64Array): number {
  if (question.focus.length === 0) return 0;
  return question.focus.filter((index) => similarity[index]! < FOCUS_MATCH).length / question.focus.length;
}

function weightedShare(similarity: Float64Array, idf: Float64Array, total: number): number {
  if (total === 0) return 0;
  let weight = 0;
  for (let index = 0; index < idf.length; index += 1) weight += similarity[index]! * idf[index]!;
  return weight / total;
}

/** Share of consecutive question stem pairs that occur in the same order, close together, in the sentence. */
function orderedPairShare(question: QuestionAnalysis, sentence: AnalysedSentence): number {
  if (question.stems.length < 2) return 0;
  let found = 0;
  for (let index = 0; index + 1 < question.stems.length; index += 1) {
    const first = sentence.firstStrong[index]!;
    const second = sentence.firstStrong[index + 1]!;
    if (first >= 0 && second > first && second - first <= 4) found += 1;
  }
  return found / (question.stems.length - 1);
}

/** Share of the question stems at `indices` that some word of the parts matches at 0.8 or more (1 when there are none). */
function shareFound(indices: readonly number[], parts: readonly AnalysedSentence[]): number {
  if (indices.length === 0) return 1;
  return indices.filter((index) => parts.some((part) => part.anyMatch[index]! >= 0.8)).length / indices.length;
}

/** Describes every candidate quote of the sources, in source and sentence order. */
export function describeCandidates(rawQuestion: string, sources: readonly PromptSource[]): { candidates: CandidateFeatures[]; context: QuestionContext } {
  const question = analyseQuestion(rawQuestion);
  const sentences = analyseSentences(sources, question, rawQuestion);
  const size = question.stems.length;
  const idf = inverseDocumentFrequency(question, sentences);
  const total = idf.reduce((sum, value) => sum + value, 0);
  const maxIdf = Math.max(0, ...idf);
  const typed = question.type !== 'other';

  const bySource: AnalysedSentence[][] = sources.map(() => []);
  for (const sentence of sentences) bySource[sentence.sourceIndex]!.push(sentence);
  const sourceSimilarity = bySource.map((list) => combine(list, size));
  const sourceCoverage = sourceSimilarity.map((similarity) => weightedShare(similarity, idf, total));
  const anywhere = combine(sentences, size);
  let absent = 0;
  for (let index = 0; index < size; index += 1) if (anywhere[index] === 0) absent += idf[index]!;

  const candidates: CandidateFeatures[] = [];
  const describe = (parts: AnalysedSentence[]) => {
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    const source = sources[first.sourceIndex]!;
    const list = bySource[first.sourceIndex]!;
    const similarity = combine(parts, size);
    const before = list[first.sentenceIndex - 1];
    const after = list[last.sentenceIndex + 1];
    const window = combine([...parts, ...(before && !first.blockStart ? [before] : []), ...(after && !after.blockStart ? [after] : [])], size);
    const windowSimilarity = window;
    let missingFocus = 0;
    for (let index = 0; index < size; index += 1) if (windowSimilarity[index] === 0) missingFocus = Math.max(missingFocus, idf[index]! / (maxIdf || 1));
    const matched = similarity.filter((value) => value > 0);
    const allTerms = parts.flatMap((part) => part.terms);
    const coverage = weightedShare(similarity, idf, total);
    const offersType = parts.some((part) => part.offersType);
    const words = allTerms.length;
    const values: Record<FeatureName, number> = {
      coverage,
      coverageSquared: coverage * coverage,
      windowCoverage: weightedShare(windowSimilarity, idf, total),
      sourceCoverage: sourceCoverage[first.sourceIndex]!,
      missingFocus,
      topSource: first.sourceIndex === 0 ? 1 : 0,
      inverseRank: 1 / (1 + first.sourceIndex),
      offersType: typed && offersType ? 1 : 0,
      lacksType: typed && !offersType ? 1 : 0,
      typeNearMatch: Math.max(...parts.map((part) => part.typeNearMatch)),
      strongCoverage: weightedShare(
        similarity.map((value) => (value >= 0.8 ? value : 0)),
        idf,
        total,
      ),
      proximity: Math.max(...parts.map((part) => proximity(part.positions))),
      novelty: Math.max(...parts.map((part) => part.novelty)),
      logWords: Math.log(1 + words),
      isPair: parts.length > 1 ? 1 : 0,
      exactShare: matched.length === 0 ? 0 : matched.filter((value) => value === 1).length / matched.length,
      orderedPairs: Math.max(...parts.map((part) => orderedPairShare(question, part))),
      firstInSource: first.sentenceIndex === 0 ? 1 : 0,
      namesFound: shareFound(question.names, parts),
      numbersFound: shareFound(question.numbers, parts),
      focusMissingInWindow: focusMissing(question, windowSimilarity),
      focusMissingInSource: focusMissing(question, sourceSimilarity[first.sourceIndex]!),
    };
    candidates.push({
      sourceIndex: first.sourceIndex,
      firstSentence: first.sentenceIndex,
      lastSentence: last.sentenceIndex,
      text: source.text.slice(source.sentences[first.sentenceIndex]!.start, source.sentences[last.sentenceIndex]!.end),
      values: FEATURE_NAMES.map((name) => values[name]),
      lacksRequiredType: REQUIRED_TYPES.has(question.type) && !offersType,
    });
  };
  for (const list of bySource) {
    list.forEach((sentence, index) => {
      if (!sentence.quotable) return;
      describe([sentence]);
      const next = list[index + 1];
      if (next && next.quotable && !next.blockStart) describe([sentence, next]);
    });
  }
  return {
    candidates,
    context: {
      bestSourceCoverage: Math.max(0, ...sourceCoverage),
      absentWeight: total === 0 ? 1 : absent / total,
      questionTerms: size,
      typed,
      focusMissingEverywhere: focusMissing(question, anywhere),
    },
  };
}
