/**
 * Measures a reader on recorded prompts (./dump-prompts.ts): for each case the reader's best quote
 * and its confidence. A quote is correct when it contains a gold answer (the eval's normalisation,
 * src/eval/normalize-answer.ts); for an unanswerable twin every presented quote is wrong.
 */
import { containsAnswer } from '../../src/eval/normalize-answer.ts';
import type { RecordedCase } from './recorded-case.ts';

/** What a reader says for one case: its best quote (null: nothing to offer) and confidence. */
export type Reading = { quote: string | null; confidence: number };

export type Judged = { answerable: boolean; confidence: number; correct: boolean; hasQuote: boolean };

export function judge(cases: readonly RecordedCase[], readings: readonly Reading[]): Judged[] {
  return cases.map((item, index) => {
    const reading = readings[index]!;
    const correct = item.answerable && reading.quote !== null && item.goldAnswers.some((gold) => containsAnswer(reading.quote!, gold));
    return { answerable: item.answerable, confidence: reading.quote === null ? 0 : reading.confidence, correct, hasQuote: reading.quote !== null };
  });
}

export type Summary = {
  threshold: number;
  answered: number;
  answerPrecision: number;
  answerRecall: number;
  refusalRecall: number;
  falseRefusals: number;
};

/** Metrics when quotes at or above `threshold` are presented. */
export function summarise(judged: readonly Judged[], threshold: number): Summary {
  const presented = judged.filter((item) => item.hasQuote && item.confidence >= threshold);
  const answerable = judged.filter((item) => item.answerable);
  const unanswerable = judged.filter((item) => !item.answerable);
  const correct = presented.filter((item) => item.correct).length;
  return {
    threshold,
    answered: presented.length,
    answerPrecision: presented.length === 0 ? 1 : correct / presented.length,
    answerRecall: correct / Math.max(1, answerable.length),
    refusalRecall: unanswerable.filter((item) => !(item.hasQuote && item.confidence >= threshold)).length / Math.max(1, unanswerable.length),
    falseRefusals: answerable.filter((item) => !(item.hasQuote && item.confidence >= threshold)).length / Math.max(1, answerable.length),
  };
}

/** Expected calibration error over `bins` equal-width bins of confidence (cases with a quote). */
export function calibrationError(judged: readonly Judged[], bins = 10): number {
  const withQuote = judged.filter((item) => item.hasQuote);
  let error = 0;
  for (let bin = 0; bin < bins; bin += 1) {
    const inBin = withQuote.filter((item) => Math.min(bins - 1, Math.floor(item.confidence * bins)) === bin);
    if (inBin.length === 0) continue;
    const predicted = inBin.reduce((sum, item) => sum + item.confidence, 0) / inBin.length;
    const observed = inBin.filter((item) => item.correct).length / inBin.length;
    error += (inBin.length / withQuote.length) * Math.abs(predicted - observed);
  }
  return error;
}

/** The lowest threshold at which precision reaches `target` (scanning the observed confidences). */
export function thresholdForPrecision(judged: readonly Judged[], target: number): Summary | null {
  const thresholds = [...new Set(judged.filter((item) => item.hasQuote).map((item) => item.confidence))].sort((a, b) => a - b);
  for (const threshold of thresholds) {
    const summary = summarise(judged, threshold);
    if (summary.answerPrecision >= target) return summary;
  }
  return null;
}

export function formatSummary(label: string, summary: Summary): string {
  const pct = (value: number) => value.toFixed(3);
  return `${label.padEnd(28)} t=${summary.threshold.toFixed(3)} answered ${String(summary.answered).padStart(5)}  precision ${pct(summary.answerPrecision)}  recall ${pct(summary.answerRecall)}  refusal-recall ${pct(summary.refusalRecall)}  false-refusals ${pct(summary.falseRefusals)}`;
}
