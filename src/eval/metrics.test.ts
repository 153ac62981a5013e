import { describe, expect, it } from 'vitest';
import type { EvalCase } from './dataset.ts';
import { buildAnswer } from './fakes.ts';
import { firstGoldRank, judgeCase, pageAt, percentile, recallAtK, reciprocalRankAtK, summarizeResults, type CaseResult } from './metrics.ts';

const texts: Record<string, string> = {
  a: 'Die Panthers gaben nur 308 Punkte ab. Kawann Short führte das Team an.',
  b: 'Die Broncos gewannen den Super Bowl 50.',
};
const context = { getText: (id: string) => texts[id], corpusIdsOf: (id: string) => (id in texts ? [id] : []) };
const quoteOf = (documentId: string, quote: string) => {
  const charStart = texts[documentId]!.indexOf(quote);
  return { quote, documentId, charStart, charEnd: charStart + quote.length };
};
const answerable: EvalCase = { id: 'q1', question: 'Wie viele Punkte?', answerable: true, goldDocumentIds: ['a'], goldAnswers: ['308'] };
const unanswerable: EvalCase = { id: 'q2', question: 'Wer sang?', answerable: false };

function judge(evalCase: EvalCase, answer: Parameters<typeof buildAnswer>[0]): CaseResult {
  return judgeCase(evalCase, { answer: buildAnswer(answer) }, context);
}

describe('retrieval measures', () => {
  it('rank, recall@k and reciprocal rank follow the first gold document', () => {
    expect(firstGoldRank(['x', 'y', 'a'], ['a'])).toBe(3);
    expect(firstGoldRank(['x'], ['a'])).toBeNull();
    expect(recallAtK(['x', 'a', 'b'], ['a', 'b'], 2)).toBe(0.5);
    expect(recallAtK(['x', 'a', 'b'], ['a', 'b'], 3)).toBe(1);
    expect(reciprocalRankAtK(['x', 'a'], ['a'], 10)).toBe(0.5);
    expect(reciprocalRankAtK(['x', 'a'], ['a'], 1)).toBe(0);
  });

  it('ranks documents, not chunks: repeated chunks of one document count once', () => {
    const result = judge(answerable, { citations: [quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.')], sourceDocumentIds: ['b', 'b', 'a'] });
    expect(result.retrievedDocumentIds).toEqual(['b', 'a']);
    const metrics = summarizeResults([result]);
    expect(metrics.recallAt1).toBe(0);
    expect(metrics.recallAt5).toBe(1);
    expect(metrics.mrrAt10).toBe(0.5);
  });
});

describe('judgeCase', () => {
  it('credits a verbatim quote from the gold document that contains the gold answer', () => {
    const result = judge(answerable, { citations: [quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.')] });
    expect(result).toMatchObject({ citationsVerbatim: true, offsetsValid: true, citesGold: true, answerContained: true, failed: false });
    // 6 tokens after dropping "Die"; one of them is the gold answer.
    expect(result.quoteF1).toBeCloseTo((2 * (1 / 6) * 1) / (1 / 6 + 1), 10);
    expect(result.quoteChars).toBe('Die Panthers gaben nur 308 Punkte ab.'.length);
  });

  it('fails an answer that cites nothing', () => {
    const result = judge(answerable, { citations: [], declined: false });
    expect(result.citationsVerbatim).toBe(false);
    expect(result.problems).toContain('answer without citation');
  });

  it('records errors apart from answers', () => {
    const result = judgeCase(answerable, { error: 'engine_unavailable: down' }, context);
    expect(result).toMatchObject({ error: 'engine_unavailable: down', failed: true, citationsVerbatim: null });
    const metrics = summarizeResults([result, judge(unanswerable, {})]);
    expect(metrics.errorRate).toBe(0.5);
    expect(metrics.counts.errors).toBe(1);
    expect(metrics.falseRefusalRate).toBeNull();
  });
});

describe('summarizeResults', () => {
  it('computes refusal precision, recall, F1 and the false-refusal rate', () => {
    const results = [
      judge(unanswerable, {}), // right refusal
      judge({ ...unanswerable, id: 'q3' }, { citations: [quoteOf('b', 'Die Broncos gewannen den Super Bowl 50.')] }), // answered, should not
      judge(answerable, {}), // wrong refusal
      judge({ ...answerable, id: 'q4' }, { citations: [quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.')] }),
    ];
    const metrics = summarizeResults(results);
    expect(metrics.refusalPrecision).toBe(0.5);
    expect(metrics.refusalRecall).toBe(0.5);
    expect(metrics.refusalF1).toBe(0.5);
    expect(metrics.falseRefusalRate).toBe(0.5);
    expect(metrics.answerRecall).toBe(0.5); // the wrongly refused answerable case scores 0
    expect(metrics.answerRecallWhenAnswered).toBe(1);
    expect(metrics.citationPrecision).toBe(1);
    expect(metrics.counts).toMatchObject({ cases: 4, answered: 2, declined: 2, failedCases: 2 });
  });

  it('leaves rates without a denominator unmeasured instead of inventing 0 or 1', () => {
    const metrics = summarizeResults([judge(unanswerable, {})]);
    expect(metrics.citationPrecision).toBeNull();
    expect(metrics.recallAt5).toBeNull();
    expect(metrics.sourceAccuracy).toBeNull();
    expect(metrics.refusalPrecision).toBe(1);
  });

  it('summarises latency per stage and token throughput', () => {
    const results = [1, 2, 3, 4].map((index) =>
      judge({ ...unanswerable, id: `u${index}` }, { timings: { retrieveMs: index, generateMs: 100 * index, totalMs: 101 * index }, usage: { promptTokens: 50, completionTokens: 10 * index } }),
    );
    const metrics = summarizeResults(results);
    expect(metrics.latency.generateMs.p50).toBe(250);
    expect(metrics.latency.totalMs.p95).toBeCloseTo(101 * 3.85, 10);
    expect(metrics.tokens).toMatchObject({ promptTokens: 200, completionTokens: 100, meanCompletionTokens: 25 });
    expect(metrics.tokens.completionTokensPerSecond).toBeCloseTo((100 / 1000) * 1000, 10);
  });
});

describe('pageAt', () => {
  it('finds the page holding an offset; the end of the text belongs to the last page', () => {
    const pages = [{ number: 1, charStart: 0, charEnd: 10 }, { number: 2, charStart: 10, charEnd: 25 }];
    expect(pageAt(pages, 0)).toBe(1);
    expect(pageAt(pages, 10)).toBe(2);
    expect(pageAt(pages, 25)).toBe(2);
    expect(pageAt(pages, 26)).toBeNull();
  });
});

describe('percentile', () => {
  it('interpolates between sorted values', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('breakdowns', () => {
  it('summarises rates per tag and counts refusal reasons', () => {
    const results = [
      judge({ ...answerable, tags: ['pdf', 'table'] }, { citations: [quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.')] }),
      judge({ ...answerable, id: 'q5', tags: ['pdf'] }, {}),
      judge({ ...unanswerable, tags: ['html'] }, {}),
    ];
    const metrics = summarizeResults(results);
    expect(metrics.byTag.pdf).toEqual({ cases: 2, citationPrecision: 1, sourceAccuracy: 1, answerRecall: 0.5, falseRefusalRate: 0.5, refusalRecall: null });
    expect(metrics.byTag.table!.answerRecall).toBe(1);
    expect(metrics.byTag.html!.refusalRecall).toBe(1);
    expect(metrics.counts.declineReasons).toEqual({ model_declined: 2 });
  });
});

describe('answer precision', () => {
  const rightQuote = quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.');
  const wrongQuote = quoteOf('a', 'Kawann Short führte das Team an.');

  it('is the share of answered cases whose verified quote holds a gold answer; an answered unanswerable case is imprecise', () => {
    const results = [
      judge(answerable, { citations: [rightQuote] }), // right
      judge({ ...answerable, id: 'q5' }, { citations: [wrongQuote] }), // answered, gold answer not in the quote
      judge(unanswerable, { citations: [quoteOf('b', 'Die Broncos gewannen den Super Bowl 50.')] }), // should have declined
      judge({ ...answerable, id: 'q6' }, {}), // declined: not in the denominator
      judge({ ...unanswerable, id: 'q7' }, {}), // right refusal: not in the denominator
    ];
    expect(results.map((result) => result.answerCorrect)).toEqual([true, false, false, null, null]);
    expect(summarizeResults(results).answerPrecision).toBeCloseTo(1 / 3, 12);
  });

  it('does not credit a quote that is not verbatim, although it holds the gold answer', () => {
    const forged = { quote: 'Die Panthers gaben 308 Punkte ab.', documentId: 'a', charStart: 0, charEnd: 33 };
    expect(judge(answerable, { citations: [forged] }).answerCorrect).toBe(false);
  });

  it('leaves out answerable cases without gold answers, and is unmeasured when nothing was answered', () => {
    const withoutGold: EvalCase = { id: 'q8', question: 'Wer?', answerable: true, goldDocumentIds: ['a'] };
    expect(judge(withoutGold, { citations: [wrongQuote] }).answerCorrect).toBeNull();
    expect(summarizeResults([judge(answerable, {}), judge(unanswerable, {})]).answerPrecision).toBeNull();
  });
});

describe('confidence per case', () => {
  const rightQuote = quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.');
  const candidate = (quote: ReturnType<typeof quoteOf>, confidence: number) => ({
    ...quote,
    title: null,
    url: null,
    fileName: null,
    page: null,
    chunkId: `${quote.documentId}:0`,
    verified: true as const,
    match: 'exact' as const,
    confidence,
  });

  it('scores an answered case by its confidence and correctness', () => {
    expect(judge(answerable, { citations: [rightQuote], confidence: 0.8 }).scored).toEqual({ confidence: 0.8, correct: true, from: 'answer' });
    expect(judge(unanswerable, { citations: [rightQuote], confidence: 0.6 }).scored).toEqual({ confidence: 0.6, correct: false, from: 'answer' });
    expect(judge(answerable, { citations: [rightQuote], confidence: null }).scored).toBeNull();
  });

  it('scores a declined case by its best candidate, checked against the stored text', () => {
    const declined = judge(answerable, {
      confidence: 0.4,
      candidates: [candidate(quoteOf('a', 'Kawann Short führte das Team an.'), 0.2), candidate(rightQuote, 0.4)],
    });
    expect(declined.bestCandidate).toMatchObject({ quote: rightQuote.quote, confidence: 0.4, verdict: 'ok', answerContained: true });
    expect(declined.scored).toEqual({ confidence: 0.4, correct: true, from: 'candidate' });
    // A candidate that is not at its offsets earns nothing, whatever it claims.
    const shifted = judge(answerable, { confidence: 0.4, candidates: [{ ...candidate(rightQuote, 0.4), charStart: 1, charEnd: rightQuote.charEnd + 1 }] });
    expect(shifted.scored).toEqual({ confidence: 0.4, correct: false, from: 'candidate' });
    // The best candidate of an unanswerable case is never right.
    expect(judge(unanswerable, { confidence: 0.4, candidates: [candidate(rightQuote, 0.4)] }).scored).toEqual({ confidence: 0.4, correct: false, from: 'candidate' });
    expect(judge(answerable, { confidence: null }).scored).toBeNull();
  });

  it('feeds the confidence analysis and the expected calibration error', () => {
    const results = [
      judge(answerable, { citations: [rightQuote], confidence: 0.95 }),
      judge({ ...unanswerable, id: 'u1' }, { citations: [rightQuote], confidence: 0.85 }),
      judge({ ...answerable, id: 'q9' }, { confidence: 0.3, candidates: [candidate(rightQuote, 0.3)] }),
      judge({ ...answerable, id: 'q10' }, {}), // no confidence: a miss at every threshold
    ];
    const metrics = summarizeResults(results);
    const analysis = metrics.confidenceAnalysis;
    expect(analysis).toMatchObject({ scoredCases: 3, fromAnswers: 2, fromCandidates: 1, answerableCases: 3 });
    expect(analysis.atTarget).toEqual({ threshold: 0.95, presented: 1, correct: 1, precision: 1, recall: 1 / 3 });
    expect(analysis.curve.map((point) => [point.threshold, point.precision])).toEqual([[0.3, 2 / 3], [0.85, 1 / 2], [0.95, 1]]);
    // Bins: 0.3 right (gap 0.7), 0.85 wrong (gap 0.85), 0.95 right (gap 0.05); each weighs 1/3.
    expect(metrics.expectedCalibrationError).toBeCloseTo((0.7 + 0.85 + 0.05) / 3, 12);
  });
});

describe('splits', () => {
  const rightQuote = quoteOf('a', 'Die Panthers gaben nur 308 Punkte ab.');

  it('breaks the headline rates down per split and applies the tuned threshold to the held-out split', () => {
    const results = [
      judge({ ...answerable, id: 't1', split: 'tune' }, { citations: [rightQuote], confidence: 0.9 }),
      judge({ ...unanswerable, id: 't2', split: 'tune' }, { citations: [rightQuote], confidence: 0.5 }),
      judge({ ...answerable, id: 'h1', split: 'test' }, { citations: [rightQuote], confidence: 0.7 }),
      judge({ ...unanswerable, id: 'h2', split: 'test' }, { citations: [rightQuote], confidence: 0.95 }),
      judge({ ...unanswerable, id: 'n1' }, {}), // no split: only in the totals
    ];
    const metrics = summarizeResults(results);
    expect(Object.keys(metrics.bySplit)).toEqual(['tune', 'test']);
    expect(metrics.bySplit.tune).toMatchObject({ cases: 2, answerPrecision: 0.5, answerRecall: 1, refusalRecall: 0 });
    expect(metrics.bySplit.tune!.atTarget).toMatchObject({ threshold: 0.9, precision: 1 });
    expect(metrics.bySplit.test).toMatchObject({ cases: 2, answerPrecision: 0.5 });
    expect(metrics.bySplit.test!.atTarget).toBeNull(); // its most confident quote is wrong
    // The tune split's threshold 0.9 on the test split presents only the wrong 0.95 quote.
    expect(metrics.confidenceAnalysis.heldOutAtTunedThreshold).toEqual({ threshold: 0.9, presented: 1, correct: 0, precision: 0, recall: 0 });
    expect(metrics.answerPrecision).toBe(0.5);
  });

  it('has no breakdown when no case has a split', () => {
    const metrics = summarizeResults([judge(answerable, { citations: [rightQuote] })]);
    expect(metrics.bySplit).toEqual({});
    expect(metrics.confidenceAnalysis.heldOutAtTunedThreshold).toBeNull();
  });
});
