/**
 * How good the answers' `confidence` is, as pure functions over (confidence, correct) pairs: what
 * precision and recall a confidence threshold would give, the lowest threshold that reaches a
 * precision target, a reliability diagram and the expected calibration error.
 *
 * Each pair stands for one case: an answered case gives its quote's confidence, a declined case
 * with candidates its best candidate's (the quote beleg would have presented at a lower
 * threshold). `correct` means a gold answer lies inside that quote (never for an unanswerable
 * case). Since the answer service presents a quote when `confidence >= minConfidence`, the quotes
 * presented at threshold t are exactly the pairs with confidence ≥ t.
 */

/** One case's confidence and whether the quote it belongs to contains a gold answer. */
export type ScoredQuote = { confidence: number; correct: boolean };

/** What a threshold would do: quotes presented (confidence ≥ threshold) and how many are right. */
export type ThresholdPoint = {
  threshold: number;
  presented: number;
  correct: number;
  /** correct / presented; null when nothing is presented. */
  precision: number | null;
  /** correct / answerable cases; null without answerable cases. */
  recall: number | null;
};

/** One bin of a reliability diagram: predicted confidence against the observed share correct. */
export type ReliabilityBin = {
  /** The bin covers [low, high); the last bin also holds `high` (1). */
  low: number;
  high: number;
  count: number;
  /** Mean confidence of the bin's quotes; null when the bin is empty. */
  meanConfidence: number | null;
  /** Share of the bin's quotes that are correct; null when the bin is empty. */
  observed: number | null;
};

/** The confidence analysis of a run, as report.json holds it under `metrics.confidenceAnalysis`. */
export type ConfidenceAnalysis = {
  /** Cases with a confidence and a quote (answered, or declined with a candidate). */
  scoredCases: number;
  /** Of those, cases whose quote was presented as the answer. */
  fromAnswers: number;
  /** Of those, declined cases judged by their best candidate. */
  fromCandidates: number;
  /** The recall denominator: answerable cases with gold answers (as for answer recall). */
  answerableCases: number;
  precisionTarget: number;
  /** The lowest threshold whose precision reaches the target; null when none does. */
  atTarget: ThresholdPoint | null;
  /** The threshold with the highest precision (the lowest among equals); null without quotes. */
  highestPrecision: ThresholdPoint | null;
  /** One point per distinct confidence, lowest threshold first. */
  curve: ThresholdPoint[];
  binCount: number;
  reliability: ReliabilityBin[];
  expectedCalibrationError: number | null;
};

/** The precision a threshold should reach (the threshold is reported with the recall it keeps). */
export const DEFAULT_PRECISION_TARGET = 0.95;

/** Bins of the reliability diagram and the calibration error: ten of width 0.1. */
export const DEFAULT_BIN_COUNT = 10;

/**
 * Precision and recall at every distinct confidence used as the threshold, lowest threshold
 * first (so the first point presents every quote). Thresholds between two distinct confidences
 * behave like the higher one, so these points are the whole curve.
 */
export function precisionRecallCurve(quotes: readonly ScoredQuote[], answerableCases: number): ThresholdPoint[] {
  const sorted = [...quotes].sort((a, b) => b.confidence - a.confidence);
  const points: ThresholdPoint[] = [];
  let presented = 0;
  let correct = 0;
  for (let index = 0; index < sorted.length; index++) {
    presented++;
    if (sorted[index]!.correct) correct++;
    const next = sorted[index + 1];
    if (next !== undefined && next.confidence === sorted[index]!.confidence) continue;
    points.push({
      threshold: sorted[index]!.confidence,
      presented,
      correct,
      precision: correct / presented,
      recall: answerableCases > 0 ? correct / answerableCases : null,
    });
  }
  return points.reverse();
}

/** What a given threshold does (quotes with confidence ≥ threshold are presented). */
export function atThreshold(quotes: readonly ScoredQuote[], answerableCases: number, threshold: number): ThresholdPoint {
  const presented = quotes.filter((quote) => quote.confidence >= threshold);
  const correct = presented.filter((quote) => quote.correct).length;
  return {
    threshold,
    presented: presented.length,
    correct,
    precision: presented.length > 0 ? correct / presented.length : null,
    recall: answerableCases > 0 ? correct / answerableCases : null,
  };
}

/**
 * Reads the curve at any threshold: the quotes presented at `threshold` are those of the first
 * point at or above it (the curve's thresholds are the distinct confidences).
 */
export function curveAt(curve: readonly ThresholdPoint[], threshold: number, answerableCases: number): ThresholdPoint {
  const point = curve.find((candidate) => candidate.threshold >= threshold);
  if (point === undefined) return { threshold, presented: 0, correct: 0, precision: null, recall: answerableCases > 0 ? 0 : null };
  return { ...point, threshold };
}

/**
 * The lowest threshold of the curve whose precision reaches `target` — where precision first
 * reaches it as the threshold rises, keeping the most recall. Null when no threshold reaches it.
 */
export function thresholdForPrecision(curve: readonly ThresholdPoint[], target: number): ThresholdPoint | null {
  return curve.find((point) => point.precision !== null && point.precision >= target) ?? null;
}

/** The point of highest precision, the lowest threshold among equals (it keeps the most recall). */
export function highestPrecision(curve: readonly ThresholdPoint[]): ThresholdPoint | null {
  return curve.reduce<ThresholdPoint | null>((best, point) => (point.precision !== null && (best === null || point.precision > best.precision!) ? point : best), null);
}

/** The bin of a confidence: `floor(confidence × binCount)`, with 1 in the last bin. */
function binOf(confidence: number, binCount: number): number {
  // The epsilon keeps boundaries in their own bin where floating point lands a hair below them.
  return Math.min(binCount - 1, Math.max(0, Math.floor(confidence * binCount + 1e-9)));
}

/**
 * A reliability diagram: `binCount` equal-width bins of predicted confidence over [0, 1], each
 * with its count, mean confidence and observed share correct. A calibrated estimate has
 * observed ≈ mean confidence in every bin.
 */
export function reliabilityDiagram(quotes: readonly ScoredQuote[], binCount = DEFAULT_BIN_COUNT): ReliabilityBin[] {
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (const quote of quotes) {
    const bin = sums[binOf(quote.confidence, binCount)]!;
    bin.count++;
    bin.confidence += quote.confidence;
    if (quote.correct) bin.correct++;
  }
  return sums.map((bin, index) => ({
    low: index / binCount,
    high: (index + 1) / binCount,
    count: bin.count,
    meanConfidence: bin.count > 0 ? bin.confidence / bin.count : null,
    observed: bin.count > 0 ? bin.correct / bin.count : null,
  }));
}

/**
 * Expected calibration error over `binCount` equal-width bins (see `reliabilityDiagram`):
 * Σ over bins of (bin count / all quotes) × |mean confidence − observed share correct|.
 * 0 is perfectly calibrated; null without quotes.
 */
export function expectedCalibrationError(quotes: readonly ScoredQuote[], binCount = DEFAULT_BIN_COUNT): number | null {
  if (quotes.length === 0) return null;
  return reliabilityDiagram(quotes, binCount).reduce(
    (sum, bin) => (bin.count === 0 ? sum : sum + (bin.count / quotes.length) * Math.abs(bin.meanConfidence! - bin.observed!)),
    0,
  );
}

/** The whole analysis of a run's scored quotes. */
export function analyzeConfidence(
  quotes: ReadonlyArray<ScoredQuote & { from: 'answer' | 'candidate' }>,
  answerableCases: number,
  options: { precisionTarget?: number; binCount?: number } = {},
): ConfidenceAnalysis {
  const precisionTarget = options.precisionTarget ?? DEFAULT_PRECISION_TARGET;
  const binCount = options.binCount ?? DEFAULT_BIN_COUNT;
  const curve = precisionRecallCurve(quotes, answerableCases);
  return {
    scoredCases: quotes.length,
    fromAnswers: quotes.filter((quote) => quote.from === 'answer').length,
    fromCandidates: quotes.filter((quote) => quote.from === 'candidate').length,
    answerableCases,
    precisionTarget,
    atTarget: thresholdForPrecision(curve, precisionTarget),
    highestPrecision: highestPrecision(curve),
    curve,
    binCount,
    reliability: reliabilityDiagram(quotes, binCount),
    expectedCalibrationError: expectedCalibrationError(quotes, binCount),
  };
}
