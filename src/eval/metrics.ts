/**
 * The evaluation's measures, as pure functions: `judgeCase` turns one answer into a per-case
 * result (re-checking every citation against stored text itself), `summarizeResults` aggregates
 * per-case results into the report's metrics. Nothing here performs I/O.
 *
 * Denominators, so that every rate says what it is a share of:
 * - retrieval (recall@k, MRR@10): answerable cases with gold documents;
 * - citation precision: answered cases (not declined); an answer without any citation fails;
 * - offsets valid: citations of answered cases;
 * - page accuracy: citations of answered cases into documents with page spans (PDFs);
 * - source accuracy: answered cases with gold documents;
 * - answer recall and quote F1: answerable cases with gold answers, a refusal scoring 0; only quotes
 *   that passed the evaluator's own check count (an invented sentence earns nothing);
 * - answer precision: answered cases (not declined) whose verified quote contains a gold answer;
 *   an answered unanswerable case counts as imprecise, answerable cases without gold answers
 *   are left out (nothing to judge the quote by);
 * - refusal precision/recall/F1: `declined` predicts `answerable: false`;
 * - false-refusal rate: answerable cases that were declined;
 * - expected calibration error: cases with a confidence and a quote (the answer's, or a declined
 *   case's best candidate), see ./confidence-analysis.ts.
 * Cases whose question failed with an error count only in `errorRate`.
 */
import type { Answer } from '../answer/answer-contract.ts';
import type { PageSpan } from '../ingest/types.ts';
import { checkCitation, type CitationVerdict, type StoredTextLookup } from './check-citation.ts';
import { analyzeConfidence, atThreshold, expectedCalibrationError, type ConfidenceAnalysis, type ScoredQuote, type ThresholdPoint } from './confidence-analysis.ts';
import { evalSplits, type EvalCase, type EvalSplit } from './dataset.ts';
import { containsAnswer, tokenF1 } from './normalize-answer.ts';

/** One citation of an answer, as the evaluator judged it. */
export type CitationResult = {
  /** beleg's document id. */
  documentId: string;
  /** The corpus ids this beleg document stands for (several when the corpus holds identical texts). */
  corpusIds: string[];
  quote: string;
  charStart: number;
  charEnd: number;
  page: number | null;
  /** What the system claimed; reported, never believed. */
  claimedVerified: boolean;
  /** The system's `match` claim (`exact` or `normalized`). */
  claimedMatch: string;
  verdict: CitationVerdict;
  offsetsValid: boolean;
  /** Where the quote really is in the cited document when the offsets were wrong, else null. */
  foundAt: number | null;
  /** The page the quote starts on, by the evaluator's own page spans; null when unknown. */
  expectedPage: number | null;
  /** `page` names the page the quote starts on; null when the document has no known pages. */
  pageCorrect: boolean | null;
};

/** The best candidate of a declined answer (highest confidence), judged like a citation. */
export type CandidateResult = {
  documentId: string;
  corpusIds: string[];
  quote: string;
  charStart: number;
  charEnd: number;
  confidence: number;
  /** The evaluator's own check of the quote against the stored text. */
  verdict: CitationVerdict;
  /** A gold answer lies inside the (verbatim) candidate; null without gold answers. */
  answerContained: boolean | null;
};

/** What the confidence analysis knows of a case: a confidence and whether its quote is right. */
export type ScoredCase = ScoredQuote & { from: 'answer' | 'candidate' };

/** Everything the evaluator knows about one case after asking it. */
export type CaseResult = {
  id: string;
  question: string;
  answerable: boolean;
  note: string | null;
  tags: string[];
  goldDocumentIds: string[];
  goldAnswers: string[];
  excludeDocumentIds: string[];
  /** The case's split (`tune` or `test`); null when the dataset does not split. */
  split: EvalSplit | null;
  /** The error message when asking failed; then the answer fields below are empty. */
  error: string | null;
  declined: boolean;
  reason: string | null;
  answer: string;
  /** Corpus ids of the answer's sources, in order of first appearance. */
  retrievedDocumentIds: string[];
  citations: CitationResult[];
  /** Every quote verbatim at its offsets; null when declined or failed. */
  citationsVerbatim: boolean | null;
  /** Every citation's offsets within its document; null when declined, failed or without citations. */
  offsetsValid: boolean | null;
  /** Some citation names a gold document; null when declined, failed or without gold documents. */
  citesGold: boolean | null;
  /** A gold answer lies inside a verified quote; null without gold answers or when failed. */
  answerContained: boolean | null;
  /** Best token F1 of the verified quotes against a gold answer; null as above. */
  quoteF1: number | null;
  /**
   * For answer precision: the answer was presented and is right (a gold answer in a verified
   * quote; never for an unanswerable case). Null when declined, failed, or answerable without
   * gold answers.
   */
  answerCorrect: boolean | null;
  /** The answer's confidence as the system reported it (null when it could not estimate one). */
  confidence: number | null;
  /** A declined answer's best candidate; null when answered, failed or without candidates. */
  bestCandidate: CandidateResult | null;
  /**
   * The case in the confidence analysis: the answer's confidence and correctness, or for a
   * declined case its best candidate's; null without a confidence, a quote or a way to judge it.
   */
  scored: ScoredCase | null;
  /** Characters of all quotes together; null when declined or failed. */
  quoteChars: number | null;
  timings: Answer['timings'] | null;
  usage: Answer['usage'] | null;
  /** True when the case went wrong in a way the report should show first. */
  failed: boolean;
  /** Short labels saying what went wrong (`quote not verbatim`, `wrong refusal`, …). */
  problems: string[];
};

/** What `judgeCase` needs besides the case and answer. */
export type JudgeContext = {
  /** Stored text of a beleg document, from the evaluator's own lookup. */
  getText: StoredTextLookup;
  /** Corpus ids behind a beleg document id (empty for documents outside the corpus). */
  corpusIdsOf: (documentId: string) => string[];
  /** Page spans of a paged document (PDF), from the evaluator's own loading; undefined otherwise. */
  pagesOf?: (documentId: string) => readonly PageSpan[] | undefined;
};

/** The page whose span holds `offset` (the last page when it is the end of the text). */
export function pageAt(pages: readonly PageSpan[], offset: number): number | null {
  const page = pages.find((span) => offset >= span.charStart && offset < span.charEnd) ?? pages.findLast((span) => offset === span.charEnd);
  return page?.number ?? null;
}

// ---------------------------------------------------------------------------------------------
// Per case

/** Judges one answer (or the error asking produced) for one case. */
export function judgeCase(evalCase: EvalCase, outcome: { answer: Answer } | { error: string }, context: JudgeContext): CaseResult {
  const base = {
    id: evalCase.id,
    question: evalCase.question,
    answerable: evalCase.answerable,
    note: evalCase.note ?? null,
    tags: evalCase.tags ?? [],
    goldDocumentIds: evalCase.goldDocumentIds ?? [],
    goldAnswers: evalCase.goldAnswers ?? [],
    excludeDocumentIds: evalCase.excludeDocumentIds ?? [],
    split: evalCase.split ?? null,
  };
  if ('error' in outcome) {
    return {
      ...base,
      error: outcome.error,
      declined: false,
      reason: null,
      answer: '',
      retrievedDocumentIds: [],
      citations: [],
      citationsVerbatim: null,
      offsetsValid: null,
      citesGold: null,
      answerContained: null,
      quoteF1: null,
      answerCorrect: null,
      confidence: null,
      bestCandidate: null,
      scored: null,
      quoteChars: null,
      timings: null,
      usage: null,
      failed: true,
      problems: ['error'],
    };
  }
  const { answer } = outcome;
  const retrievedDocumentIds: string[] = [];
  for (const source of answer.sources) {
    for (const corpusId of context.corpusIdsOf(source.documentId)) {
      if (!retrievedDocumentIds.includes(corpusId)) retrievedDocumentIds.push(corpusId);
    }
  }
  const citations: CitationResult[] = answer.declined
    ? []
    : answer.citations.map((citation) => {
        const check = checkCitation(citation, context.getText);
        const pages = context.pagesOf?.(citation.documentId);
        const start = check.verdict === 'ok' ? citation.charStart : check.foundAt;
        const expectedPage = pages && start !== null ? pageAt(pages, start) : null;
        return {
          documentId: citation.documentId,
          corpusIds: context.corpusIdsOf(citation.documentId),
          quote: citation.quote,
          charStart: citation.charStart,
          charEnd: citation.charEnd,
          page: citation.page,
          claimedVerified: (citation as { verified: unknown }).verified === true,
          claimedMatch: String(citation.match),
          verdict: check.verdict,
          offsetsValid: check.offsetsValid,
          foundAt: check.verdict === 'ok' ? null : check.foundAt,
          expectedPage,
          pageCorrect: expectedPage === null ? null : citation.page === expectedPage,
        };
      });
  const answered = !answer.declined;
  const gold = new Set(base.goldDocumentIds);
  const verifiedQuotes = citations.filter((citation) => citation.verdict === 'ok').map((citation) => citation.quote);
  const hasGoldAnswers = base.goldAnswers.length > 0;
  const joinedQuotes = verifiedQuotes.join(' ');

  const citationsVerbatim = answered ? citations.length > 0 && citations.every((citation) => citation.verdict === 'ok') : null;
  const offsetsValid = answered && citations.length > 0 ? citations.every((citation) => citation.offsetsValid) : null;
  const citesGold =
    answered && gold.size > 0 ? citations.some((citation) => citation.corpusIds.some((id) => gold.has(id))) : null;
  const answerContained = hasGoldAnswers
    ? answered && verifiedQuotes.length > 0 && base.goldAnswers.some((goldAnswer) => containsAnswer(joinedQuotes, goldAnswer))
    : null;
  const quoteF1 = hasGoldAnswers
    ? answered && verifiedQuotes.length > 0
      ? Math.max(...base.goldAnswers.map((goldAnswer) => tokenF1(joinedQuotes, goldAnswer)))
      : 0
    : null;

  const answerCorrect = !answered ? null : !evalCase.answerable ? false : answerContained;
  const bestCandidate = answer.declined ? judgeBestCandidate(answer.candidates, base.goldAnswers, context) : null;
  let scored: ScoredCase | null = null;
  if (answered && answer.confidence !== null && answerCorrect !== null) {
    scored = { confidence: answer.confidence, correct: answerCorrect, from: 'answer' };
  } else if (bestCandidate !== null && (!evalCase.answerable || bestCandidate.answerContained !== null)) {
    scored = { confidence: bestCandidate.confidence, correct: evalCase.answerable && bestCandidate.answerContained === true, from: 'candidate' };
  }

  const problems: string[] = [];
  if (citationsVerbatim === false) problems.push(citations.length === 0 ? 'answer without citation' : 'quote not verbatim');
  if (offsetsValid === false) problems.push('offsets invalid');
  if (citations.some((citation) => citation.pageCorrect === false)) problems.push('wrong page');
  if (evalCase.answerable && answer.declined) problems.push('wrong refusal');
  if (!evalCase.answerable && answered) problems.push('answered an unanswerable question');
  if (evalCase.answerable && citesGold === false) problems.push('wrong source');
  if (evalCase.answerable && answered && answerContained === false) problems.push('gold answer not in quote');

  return {
    ...base,
    error: null,
    declined: answer.declined,
    reason: answer.reason,
    answer: answer.answer,
    retrievedDocumentIds,
    citations,
    citationsVerbatim,
    offsetsValid,
    citesGold,
    answerContained,
    quoteF1,
    answerCorrect,
    confidence: answer.confidence,
    bestCandidate,
    scored,
    quoteChars: answered ? citations.reduce((sum, citation) => sum + citation.quote.length, 0) : null,
    timings: answer.timings,
    usage: answer.usage,
    failed: problems.length > 0,
    problems,
  };
}

/** Judges the highest-confidence candidate (the first among equals); null without candidates. */
function judgeBestCandidate(candidates: Answer['candidates'], goldAnswers: readonly string[], context: JudgeContext): CandidateResult | null {
  const best = candidates.reduce<Answer['candidates'][number] | null>((top, candidate) => (top === null || candidate.confidence > top.confidence ? candidate : top), null);
  if (best === null) return null;
  const check = checkCitation(best, context.getText);
  return {
    documentId: best.documentId,
    corpusIds: context.corpusIdsOf(best.documentId),
    quote: best.quote,
    charStart: best.charStart,
    charEnd: best.charEnd,
    confidence: best.confidence,
    verdict: check.verdict,
    answerContained: goldAnswers.length === 0 ? null : check.verdict === 'ok' && goldAnswers.some((goldAnswer) => containsAnswer(best.quote, goldAnswer)),
  };
}

// ---------------------------------------------------------------------------------------------
// Aggregates

/** 1-based rank of the first gold document among the retrieved ones, or null when none is retrieved. */
export function firstGoldRank(retrieved: readonly string[], gold: readonly string[]): number | null {
  const index = retrieved.findIndex((id) => gold.includes(id));
  return index < 0 ? null : index + 1;
}

/** Share of the gold documents found among the first `k` retrieved documents. */
export function recallAtK(retrieved: readonly string[], gold: readonly string[], k: number): number {
  if (gold.length === 0) return 0;
  const top = new Set(retrieved.slice(0, k));
  return gold.filter((id) => top.has(id)).length / gold.length;
}

/** Reciprocal rank of the first gold document within the first `k` retrieved, else 0. */
export function reciprocalRankAtK(retrieved: readonly string[], gold: readonly string[], k: number): number {
  const rank = firstGoldRank(retrieved, gold);
  return rank !== null && rank <= k ? 1 / rank : 0;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function share(values: ReadonlyArray<boolean | null>): number | null {
  const known = values.filter((value): value is boolean => value !== null);
  return mean(known.map((value) => (value ? 1 : 0)));
}

/** Linear-interpolation percentile (`p` in 0..100) of the values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

const completed = (results: readonly CaseResult[]) => results.filter((result) => result.error === null);
const retrievalCases = (results: readonly CaseResult[]) =>
  completed(results).filter((result) => result.answerable && result.goldDocumentIds.length > 0);
const answeredCases = (results: readonly CaseResult[]) => completed(results).filter((result) => !result.declined);
const scoredCases = (results: readonly CaseResult[]) => results.flatMap((result) => (result.scored === null ? [] : [result.scored]));
/** The recall denominator of the confidence analysis: answerable cases with gold answers, as for answer recall. */
const goldAnswerCases = (results: readonly CaseResult[]) =>
  completed(results).filter((result) => result.answerable && result.goldAnswers.length > 0).length;

/** The confidence analysis of a run (see ./confidence-analysis.ts). */
export function analyzeCaseConfidence(results: readonly CaseResult[]): ConfidenceAnalysis {
  return analyzeConfidence(scoredCases(results), goldAnswerCases(results));
}

function refusalCounts(results: readonly CaseResult[]) {
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  for (const result of completed(results)) {
    if (result.declined && !result.answerable) truePositive++;
    else if (result.declined && result.answerable) falsePositive++;
    else if (!result.declined && !result.answerable) falseNegative++;
  }
  return { truePositive, falsePositive, falseNegative };
}

function refusalPrecision(results: readonly CaseResult[]): number | null {
  const { truePositive, falsePositive } = refusalCounts(results);
  return truePositive + falsePositive === 0 ? null : truePositive / (truePositive + falsePositive);
}

function refusalRecall(results: readonly CaseResult[]): number | null {
  const { truePositive, falseNegative } = refusalCounts(results);
  return truePositive + falseNegative === 0 ? null : truePositive / (truePositive + falseNegative);
}

function harmonic(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** The headline rates: each a function of the per-case results, so they can be bootstrapped. */
export const headlineMetrics = {
  citationPrecision: (results) => share(answeredCases(results).map((result) => result.citationsVerbatim)),
  sourceAccuracy: (results) => share(answeredCases(results).map((result) => result.citesGold)),
  offsetsValidRate: (results) => {
    const citations = answeredCases(results).flatMap((result) => result.citations);
    return share(citations.map((citation) => citation.offsetsValid));
  },
  pageAccuracy: (results) => {
    const citations = answeredCases(results).flatMap((result) => result.citations);
    return share(citations.map((citation) => citation.pageCorrect));
  },
  recallAt1: (results) => mean(retrievalCases(results).map((result) => recallAtK(result.retrievedDocumentIds, result.goldDocumentIds, 1))),
  recallAt5: (results) => mean(retrievalCases(results).map((result) => recallAtK(result.retrievedDocumentIds, result.goldDocumentIds, 5))),
  recallAt10: (results) =>
    mean(retrievalCases(results).map((result) => recallAtK(result.retrievedDocumentIds, result.goldDocumentIds, 10))),
  mrrAt10: (results) =>
    mean(retrievalCases(results).map((result) => reciprocalRankAtK(result.retrievedDocumentIds, result.goldDocumentIds, 10))),
  answerRecall: (results) => share(completed(results).filter((result) => result.answerable).map((result) => result.answerContained)),
  answerPrecision: (results) => share(answeredCases(results).map((result) => result.answerCorrect)),
  quoteF1: (results) =>
    mean(
      completed(results)
        .filter((result) => result.answerable && result.quoteF1 !== null)
        .map((result) => result.quoteF1!),
    ),
  refusalPrecision,
  refusalRecall,
  refusalF1: (results): number | null => harmonic(refusalPrecision(results), refusalRecall(results)),
  falseRefusalRate: (results) => share(completed(results).filter((result) => result.answerable).map((result) => result.declined)),
  errorRate: (results) => share(results.map((result) => result.error !== null)),
  expectedCalibrationError: (results) => expectedCalibrationError(scoredCases(results)),
} satisfies Record<string, (results: readonly CaseResult[]) => number | null>;

export type HeadlineMetricName = keyof typeof headlineMetrics;

/** The main rates over the cases that carry one tag. */
export type TagSummary = {
  cases: number;
  citationPrecision: number | null;
  sourceAccuracy: number | null;
  answerRecall: number | null;
  falseRefusalRate: number | null;
  refusalRecall: number | null;
};

/** Rates per tag, tags in alphabetical order. */
export function summarizeTags(results: readonly CaseResult[]): Record<string, TagSummary> {
  const tags = [...new Set(results.flatMap((result) => result.tags))].sort();
  return Object.fromEntries(
    tags.map((tag) => {
      const tagged = results.filter((result) => result.tags.includes(tag));
      return [
        tag,
        {
          cases: tagged.length,
          citationPrecision: headlineMetrics.citationPrecision(tagged),
          sourceAccuracy: headlineMetrics.sourceAccuracy(tagged),
          answerRecall: headlineMetrics.answerRecall(tagged),
          falseRefusalRate: headlineMetrics.falseRefusalRate(tagged),
          refusalRecall: headlineMetrics.refusalRecall(tagged),
        },
      ];
    }),
  );
}

/** The headline rates over the cases of one split, and the split's precision-target threshold. */
export type SplitSummary = Record<HeadlineMetricName, number | null> & {
  cases: number;
  /** The lowest confidence threshold whose precision reaches the target on this split. */
  atTarget: ThresholdPoint | null;
  /** The threshold of the highest precision on this split (lowest among equals). */
  highestPrecision: ThresholdPoint | null;
};

/** The cases of each split present in the results (none when no case has a split). */
export function resultsBySplit(results: readonly CaseResult[]): Partial<Record<EvalSplit, CaseResult[]>> {
  const groups: Partial<Record<EvalSplit, CaseResult[]>> = {};
  for (const split of evalSplits) {
    const members = results.filter((result) => result.split === split);
    if (members.length > 0) groups[split] = members;
  }
  return groups;
}

function headlineValues(results: readonly CaseResult[]): Record<HeadlineMetricName, number | null> {
  return Object.fromEntries(Object.entries(headlineMetrics).map(([name, compute]) => [name, compute(results)])) as Record<HeadlineMetricName, number | null>;
}

/**
 * The threshold fitted on the tune split (lowest one reaching the precision target there),
 * applied to the test split: what fitting on one half promises on the other. Null unless both
 * splits are present and the tune split reaches the target.
 */
export function heldOutAtTunedThreshold(results: readonly CaseResult[]): ThresholdPoint | null {
  const { tune, test } = resultsBySplit(results);
  if (!tune || !test) return null;
  const fitted = analyzeCaseConfidence(tune).atTarget;
  return fitted === null ? null : atThreshold(scoredCases(test), goldAnswerCases(test), fitted.threshold);
}

/** p50, p95 and mean of one latency, in milliseconds. */
export type LatencySummary = { p50: number | null; p95: number | null; mean: number | null };

/** All metrics of a run. Rates are in 0..1 and null when their denominator is empty. */
export type Metrics = Record<HeadlineMetricName, number | null> & {
  counts: {
    cases: number;
    answerable: number;
    unanswerable: number;
    errors: number;
    answered: number;
    declined: number;
    retrievalCases: number;
    citations: number;
    failedCases: number;
    /** Corpus documents that did not reach `ready` (their cases cannot be answered fairly). */
    ingestionFailures: number;
    /** Declined answers by the reason the system gave. */
    declineReasons: Record<string, number>;
    /** Citations the system says it matched only after normalisation (reported, not trusted). */
    normalizedMatches: number;
  };
  /** The main rates per case tag, for tagged datasets. */
  byTag: Record<string, TagSummary>;
  /** The headline rates per split (`tune`, `test`) present among the cases. */
  bySplit: Partial<Record<EvalSplit, SplitSummary>>;
  /** Threshold curve, reliability diagram and calibration (see ./confidence-analysis.ts). */
  confidenceAnalysis: ConfidenceAnalysis & {
    /** The tune split's precision-target threshold applied to the test split; null unless both exist. */
    heldOutAtTunedThreshold: ThresholdPoint | null;
  };
  answerRecallWhenAnswered: number | null;
  meanQuoteChars: number | null;
  meanQuoteWords: number | null;
  latency: { retrieveMs: LatencySummary; generateMs: LatencySummary; totalMs: LatencySummary };
  tokens: {
    promptTokens: number;
    completionTokens: number;
    meanPromptTokens: number | null;
    meanCompletionTokens: number | null;
    /** Completion tokens per second of generation time, over the whole run. */
    completionTokensPerSecond: number | null;
  };
};

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function latency(values: readonly number[]): LatencySummary {
  return { p50: percentile(values, 50), p95: percentile(values, 95), mean: mean(values) };
}

/** Aggregates per-case results into the run's metrics. */
export function summarizeResults(results: readonly CaseResult[], run: { ingestionFailures?: number } = {}): Metrics {
  const done = completed(results);
  const answered = answeredCases(results);
  const headline = headlineValues(results);
  const timings = done.map((result) => result.timings!);
  const usages = done.map((result) => result.usage!);
  const promptTokens = usages.reduce((sum, usage) => sum + usage.promptTokens, 0);
  const completionTokens = usages.reduce((sum, usage) => sum + usage.completionTokens, 0);
  const generateMs = timings.reduce((sum, timing) => sum + timing.generateMs, 0);
  const quotes = answered.map((result) => result.citations.map((citation) => citation.quote).join(' '));
  return {
    ...headline,
    counts: {
      cases: results.length,
      answerable: results.filter((result) => result.answerable).length,
      unanswerable: results.filter((result) => !result.answerable).length,
      errors: results.length - done.length,
      answered: answered.length,
      declined: done.filter((result) => result.declined).length,
      retrievalCases: retrievalCases(results).length,
      citations: answered.reduce((sum, result) => sum + result.citations.length, 0),
      failedCases: results.filter((result) => result.failed).length,
      ingestionFailures: run.ingestionFailures ?? 0,
      declineReasons: countBy(done.filter((result) => result.declined).map((result) => result.reason ?? 'none')),
      normalizedMatches: answered.reduce((sum, result) => sum + result.citations.filter((citation) => citation.claimedMatch === 'normalized').length, 0),
    },
    byTag: summarizeTags(results),
    bySplit: Object.fromEntries(
      Object.entries(resultsBySplit(results)).map(([split, members]) => {
        const { atTarget, highestPrecision } = analyzeCaseConfidence(members);
        return [split, { cases: members.length, ...headlineValues(members), atTarget, highestPrecision }];
      }),
    ),
    confidenceAnalysis: { ...analyzeCaseConfidence(results), heldOutAtTunedThreshold: heldOutAtTunedThreshold(results) },
    answerRecallWhenAnswered: share(answered.filter((result) => result.answerable).map((result) => result.answerContained)),
    meanQuoteChars: mean(answered.map((result) => result.quoteChars ?? 0)),
    meanQuoteWords: mean(quotes.map((quote) => quote.split(/\s+/u).filter((word) => word.length > 0).length)),
    latency: {
      retrieveMs: latency(timings.map((timing) => timing.retrieveMs)),
      generateMs: latency(timings.map((timing) => timing.generateMs)),
      totalMs: latency(timings.map((timing) => timing.totalMs)),
    },
    tokens: {
      promptTokens,
      completionTokens,
      meanPromptTokens: mean(usages.map((usage) => usage.promptTokens)),
      meanCompletionTokens: mean(usages.map((usage) => usage.completionTokens)),
      completionTokensPerSecond: generateMs > 0 ? (completionTokens / generateMs) * 1000 : null,
    },
  };
}
