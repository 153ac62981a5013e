/**
 * Ranks candidate quotes (single sentences, or two adjacent sentences of one source) against a
 * question. The score combines:
 * - term overlap weighted by IDF over all candidate sentences (stems; compound parts count partly),
 * - proximity: matched terms close together score higher than scattered ones,
 * - the question-type cue: Wann wants a date, Wie viele a number, Wer a name, Wo a place,
 * - novelty: the answer is the part of a sentence the question does not repeat, so a sentence
 *   made only of question words is worth less.
 * `coverage` (IDF share of the question's terms found) drives the refusal decision.
 *
 * Headings (a short line without final punctuation, followed by a line break and a sentence) are
 * never quoted, alone or joined to the sentence below them: they name a topic, they do not
 * answer, and "Gebühren des Bürgeramts\n\nDie Ausstellung … kostet 37 Euro." reads as one
 * garbled sentence. They still count as sentences for IDF. Neither are sentences that speak the
 * prompt's language (`ASSISTANT: …`, `ENDINPUT`): a document that addresses the assistant is trying
 * to inject instructions, and such a line is no statement to quote to the reader.
 */
import type { PromptSource } from '../language-model.ts';
import { contentStems, isFunctionWord, stemSimilarity, terms, type Term } from './german-terms.ts';
import { answerType, offersAnswerType, type AnswerType } from './question-cues.ts';

/** A run of one or two whole sentences of one source. */
export type Candidate = {
  sourceIndex: number;
  firstSentence: number;
  lastSentence: number;
  text: string;
  score: number;
  /** Share (0..1) of the question's IDF weight found in the candidate. */
  coverage: number;
  /**
   * True when the question asks for a number, an amount of money or a date and the candidate
   * offers none: it can name the topic but cannot answer (see ExtractiveOptions.missingAnswerFactor).
   */
  lacksAnswerType: boolean;
};

/** Question types whose answer is visible in the text: a sentence without one cannot answer. */
const CHECKABLE_TYPES: ReadonlySet<AnswerType> = new Set(['number', 'money', 'date']);

/** Tunable weights; the defaults were chosen on XQuAD-de dev (bench/extractive). */
export type ScoringWeights = {
  proximity: number;
  cue: number;
  novelty: number;
  /** A pair must beat its better sentence by this factor to be chosen over it. */
  pairGain: number;
};

export const DEFAULT_WEIGHTS: ScoringWeights = { proximity: 0.25, cue: 0.35, novelty: 0.1, pairGain: 1.2 };

type AnalysedSentence = {
  sourceIndex: number;
  sentenceIndex: number;
  text: string;
  terms: Term[];
  stems: Set<string>;
  /** Headings and prompt-language lines are never quoted. */
  quotable: boolean;
};

/** A sentence that ends with `.`, `!`, `?`, `…` or `:`, possibly followed by closing quotes or brackets. */
const ENDS_WITH_PUNCTUATION = /[.!?…:][“”«»‘’"')\]›‹]*$/u;
const HEADING_MAX_WORDS = 8;
/** Chat roles and prompt-format markers (sources arrive with U+200B inside markers; it is removed first). */
const PROMPT_LANGUAGE = /\b(?:BEGIN|END)(?:INPUT|CONTEXT|INSTRUCTION)\b|\b(?:USER|ASSISTANT|SYSTEM)\s*:/i;

/** True when the sentence speaks the prompt's language instead of the document's. */
function speaksPromptLanguage(text: string): boolean {
  return PROMPT_LANGUAGE.test(text.replaceAll('\u200B', ''));
}

/**
 * True for a heading: at most a few words without final punctuation, followed in the same source
 * by a line break and a sentence that does end with punctuation (table cells and list rows,
 * followed by more cells, stay candidates).
 */
function isHeading(source: PromptSource, sentenceIndex: number): boolean {
  const span = source.sentences[sentenceIndex]!;
  const next = source.sentences[sentenceIndex + 1];
  if (!next) return false;
  const text = source.text.slice(span.start, span.end);
  if (ENDS_WITH_PUNCTUATION.test(text) || text.split(/\s+/).length > HEADING_MAX_WORDS) return false;
  if (!source.text.slice(span.end, next.start).includes('\n')) return false;
  return ENDS_WITH_PUNCTUATION.test(source.text.slice(next.start, next.end));
}

type SentenceMatch = { weight: number; matched: Map<string, number>; positions: number[]; novelContent: number; hasCue: boolean };

function analyse(sources: readonly PromptSource[]): AnalysedSentence[] {
  const result: AnalysedSentence[] = [];
  sources.forEach((source, sourceIndex) => {
    source.sentences.forEach((span, sentenceIndex) => {
      const text = source.text.slice(span.start, span.end);
      const sentenceTerms = terms(text);
      result.push({
        sourceIndex,
        sentenceIndex,
        text,
        terms: sentenceTerms,
        stems: new Set(sentenceTerms.map((term) => term.stem)),
        quotable: !isHeading(source, sentenceIndex) && !speaksPromptLanguage(text),
      });
    });
  });
  return result;
}

/** IDF of each question stem over the candidate sentences (smoothed, never negative). */
function inverseDocumentFrequency(questionStems: readonly string[], sentences: readonly AnalysedSentence[]): Map<string, number> {
  const result = new Map<string, number>();
  const count = sentences.length;
  for (const questionStem of questionStems) {
    let frequency = 0;
    for (const sentence of sentences) {
      for (const sentenceStem of sentence.stems) {
        if (stemSimilarity(questionStem, sentenceStem) > 0) {
          frequency += 1;
          break;
        }
      }
    }
    result.set(questionStem, Math.log(1 + (count + 1) / (frequency + 0.5)));
  }
  return result;
}

function matchSentence(
  sentence: AnalysedSentence,
  questionStems: readonly string[],
  idf: Map<string, number>,
  type: AnswerType,
  question: string,
): SentenceMatch {
  const matched = new Map<string, number>();
  const positions: number[] = [];
  let novelContent = 0;
  let contentCount = 0;
  for (const term of sentence.terms) {
    if (isFunctionWord(term.surface)) continue;
    contentCount += 1;
    let best = 0;
    let bestStem = '';
    for (const questionStem of questionStems) {
      const similarity = stemSimilarity(questionStem, term.stem);
      if (similarity > best) {
        best = similarity;
        bestStem = questionStem;
      }
    }
    if (best > 0) {
      positions.push(term.position);
      if ((matched.get(bestStem) ?? 0) < best) matched.set(bestStem, best);
    } else {
      novelContent += 1;
    }
  }
  let weight = 0;
  for (const [questionStem, similarity] of matched) weight += similarity * (idf.get(questionStem) ?? 0);
  return {
    weight,
    matched,
    positions,
    novelContent: contentCount === 0 ? 0 : novelContent / contentCount,
    hasCue: offersAnswerType(type, sentence.text, question),
  };
}

/** 1 when matched terms sit next to each other, towards 0 when they are scattered. */
function proximity(positions: readonly number[]): number {
  if (positions.length < 2) return positions.length === 1 ? 0.5 : 0;
  const span = positions[positions.length - 1]! - positions[0]! + 1;
  return positions.length / span;
}

/**
 * Scores every sentence and every pair of adjacent sentences of each source, best first.
 * Deterministic: ties keep source order, then sentence order.
 */
export function rankCandidates(question: string, sources: readonly PromptSource[], weights: ScoringWeights = DEFAULT_WEIGHTS): Candidate[] {
  const sentences = analyse(sources);
  const questionStems = contentStems(question);
  if (sentences.length === 0) return [];
  const idf = inverseDocumentFrequency(questionStems, sentences);
  const totalWeight = [...idf.values()].reduce((sum, value) => sum + value, 0);
  const type = answerType(question);

  const scoreOf = (matches: SentenceMatch[]): { score: number; coverage: number; lacksAnswerType: boolean } => {
    const matched = new Map<string, number>();
    for (const match of matches) {
      for (const [questionStem, similarity] of match.matched) matched.set(questionStem, Math.max(matched.get(questionStem) ?? 0, similarity));
    }
    let weight = 0;
    for (const [questionStem, similarity] of matched) weight += similarity * (idf.get(questionStem) ?? 0);
    const coverage = totalWeight === 0 ? 0 : weight / totalWeight;
    const closeness = Math.max(...matches.map((match) => proximity(match.positions)));
    const cue = matches.some((match) => match.hasCue) ? 1 : 0;
    const novelty = Math.max(...matches.map((match) => match.novelContent));
    const base = coverage * (1 + weights.proximity * closeness + weights.novelty * novelty);
    return { score: base * (1 + weights.cue * cue), coverage, lacksAnswerType: cue === 0 && CHECKABLE_TYPES.has(type) };
  };

  const matches = sentences.map((sentence) => matchSentence(sentence, questionStems, idf, type, question));
  const candidates: Candidate[] = [];
  sentences.forEach((sentence, index) => {
    if (!sentence.quotable) return;
    const { score, coverage, lacksAnswerType } = scoreOf([matches[index]!]);
    candidates.push({
      sourceIndex: sentence.sourceIndex,
      firstSentence: sentence.sentenceIndex,
      lastSentence: sentence.sentenceIndex,
      text: sentence.text,
      score,
      coverage,
      lacksAnswerType,
    });
    const next = sentences[index + 1];
    if (next && next.sourceIndex === sentence.sourceIndex && next.quotable) {
      const pair = scoreOf([matches[index]!, matches[index + 1]!]);
      const source = sources[sentence.sourceIndex]!;
      candidates.push({
        sourceIndex: sentence.sourceIndex,
        firstSentence: sentence.sentenceIndex,
        lastSentence: next.sentenceIndex,
        text: source.text.slice(source.sentences[sentence.sentenceIndex]!.start, source.sentences[next.sentenceIndex]!.end),
        // A pair must be clearly better than its parts: longer quotes are worse answers.
        score: pair.score / weights.pairGain,
        coverage: pair.coverage,
        lacksAnswerType: pair.lacksAnswerType,
      });
    }
  });
  return candidates
    .map((candidate, order) => ({ candidate, order }))
    .sort((a, b) => b.candidate.score - a.candidate.score || a.order - b.order)
    .map(({ candidate }) => candidate);
}
