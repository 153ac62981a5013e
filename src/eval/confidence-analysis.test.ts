import { describe, expect, it } from 'vitest';
import {
  analyzeConfidence,
  atThreshold,
  curveAt,
  expectedCalibrationError,
  highestPrecision,
  precisionRecallCurve,
  reliabilityDiagram,
  thresholdForPrecision,
  type ScoredQuote,
} from './confidence-analysis.ts';

const quote = (confidence: number, correct: boolean): ScoredQuote => ({ confidence, correct });

// Five quotes, five answerable cases. Presented at each threshold (confidence ≥ threshold):
//   0.9 → 1 quote, 1 correct: precision 1,   recall 1/5
//   0.8 → 3 quotes, 2 correct: precision 2/3, recall 2/5
//   0.4 → 4 quotes, 3 correct: precision 3/4, recall 3/5
//   0.2 → 5 quotes, 3 correct: precision 3/5, recall 3/5
const quotes = [quote(0.8, true), quote(0.2, false), quote(0.9, true), quote(0.4, true), quote(0.8, false)];

describe('precisionRecallCurve', () => {
  it('has one point per distinct confidence, lowest threshold first, with hand-computed precision and recall', () => {
    expect(precisionRecallCurve(quotes, 5)).toEqual([
      { threshold: 0.2, presented: 5, correct: 3, precision: 3 / 5, recall: 3 / 5 },
      { threshold: 0.4, presented: 4, correct: 3, precision: 3 / 4, recall: 3 / 5 },
      { threshold: 0.8, presented: 3, correct: 2, precision: 2 / 3, recall: 2 / 5 },
      { threshold: 0.9, presented: 1, correct: 1, precision: 1, recall: 1 / 5 },
    ]);
  });

  it('agrees with applying a threshold directly, between the distinct confidences too', () => {
    const curve = precisionRecallCurve(quotes, 5);
    for (const threshold of [0, 0.2, 0.3, 0.5, 0.8, 0.85, 0.9, 0.95]) {
      expect(curveAt(curve, threshold, 5)).toEqual(atThreshold(quotes, 5, threshold));
    }
    expect(curveAt(curve, 0.95, 5)).toEqual({ threshold: 0.95, presented: 0, correct: 0, precision: null, recall: 0 });
  });

  it('has no recall without answerable cases, and no points without quotes', () => {
    expect(precisionRecallCurve([quote(0.5, false)], 0)).toEqual([{ threshold: 0.5, presented: 1, correct: 0, precision: 0, recall: null }]);
    expect(precisionRecallCurve([], 3)).toEqual([]);
  });
});

describe('thresholdForPrecision', () => {
  const curve = precisionRecallCurve(quotes, 5);

  it('takes the lowest threshold that reaches the target, although precision dips above it', () => {
    // 0.4 reaches 0.75 (3/4) while 0.8 falls back to 2/3: the lowest one keeps the most recall.
    expect(thresholdForPrecision(curve, 0.7)).toMatchObject({ threshold: 0.4, precision: 0.75, recall: 0.6 });
    expect(thresholdForPrecision(curve, 0.95)).toMatchObject({ threshold: 0.9, precision: 1, recall: 0.2, presented: 1 });
  });

  it('the highest precision is the lowest threshold among equals, for when the target is out of reach', () => {
    const tied = precisionRecallCurve([quote(0.9, true), quote(0.5, true), quote(0.3, false)], 2);
    expect(highestPrecision(tied)).toEqual({ threshold: 0.5, presented: 2, correct: 2, precision: 1, recall: 1 });
    expect(highestPrecision(precisionRecallCurve([quote(0.9, false), quote(0.5, true)], 1))).toMatchObject({ threshold: 0.5, precision: 0.5 });
    expect(highestPrecision([])).toBeNull();
  });

  it('is null when no threshold reaches the target', () => {
    expect(thresholdForPrecision(precisionRecallCurve([quote(0.9, false), quote(0.5, true)], 1), 0.95)).toBeNull();
    expect(thresholdForPrecision([], 0.95)).toBeNull();
  });
});

describe('reliabilityDiagram and expectedCalibrationError', () => {
  // bin 0: 0.0 wrong            → mean 0,     observed 0,   gap 0
  // bin 1: 0.1 wrong            → mean 0.1,   observed 0,   gap 0.1
  // bin 3: 0.3 wrong, 0.3 right → mean 0.3,   observed 1/2, gap 0.2
  // bin 9: 0.9 ×3 (2 right), 1.0 right → mean 0.925, observed 3/4, gap 0.175
  // ECE = 1/8·0 + 1/8·0.1 + 2/8·0.2 + 4/8·0.175 = 0.15
  const binned = [quote(0, false), quote(0.1, false), quote(0.3, false), quote(0.3, true), quote(0.9, true), quote(0.9, true), quote(0.9, false), quote(1, true)];

  it('bins by equal width, with the mean confidence and the share correct of each bin', () => {
    const bins = reliabilityDiagram(binned);
    expect(bins).toHaveLength(10);
    expect(bins.map((bin) => bin.count)).toEqual([1, 1, 0, 2, 0, 0, 0, 0, 0, 4]);
    expect(bins[3]).toMatchObject({ low: 0.3, high: 0.4, count: 2, observed: 0.5 });
    expect(bins[3]!.meanConfidence).toBeCloseTo(0.3, 12);
    expect(bins[9]!.meanConfidence).toBeCloseTo(0.925, 12);
    expect(bins[9]!.observed).toBe(0.75);
    expect(bins[2]).toEqual({ low: 0.2, high: 0.3, count: 0, meanConfidence: null, observed: null });
  });

  it('puts every boundary k/10 into bin k and 1 into the last bin', () => {
    const boundaries = Array.from({ length: 11 }, (_, index) => quote(index / 10, true));
    expect(reliabilityDiagram(boundaries).map((bin) => bin.count)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('weights each bin gap by its count', () => {
    expect(expectedCalibrationError(binned)).toBeCloseTo(0.15, 12);
  });

  it('is 0 for a calibrated estimate, 1 for a sure one that is always wrong, null without quotes', () => {
    const calibrated = [...Array.from({ length: 7 }, () => quote(0.7, true)), ...Array.from({ length: 3 }, () => quote(0.7, false))];
    expect(expectedCalibrationError(calibrated)).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([quote(1, false), quote(1, false)])).toBe(1);
    expect(expectedCalibrationError([])).toBeNull();
  });

  it('can use other bin counts', () => {
    // Two bins: [0, 0.5) holds 0, 0.1, 0.3, 0.3 (mean 0.175, observed 1/4); [0.5, 1] the rest (0.925 vs 3/4).
    expect(expectedCalibrationError(binned, 2)).toBeCloseTo(0.5 * Math.abs(0.175 - 0.25) + 0.5 * 0.175, 12);
  });
});

describe('analyzeConfidence', () => {
  it('counts where the quotes came from and reports the target threshold with the curve', () => {
    const analysis = analyzeConfidence(
      quotes.map((scored, index) => ({ ...scored, from: index < 3 ? ('answer' as const) : ('candidate' as const) })),
      5,
    );
    expect(analysis).toMatchObject({ scoredCases: 5, fromAnswers: 3, fromCandidates: 2, answerableCases: 5, precisionTarget: 0.95, binCount: 10 });
    expect(analysis.atTarget).toMatchObject({ threshold: 0.9, recall: 0.2 });
    expect(analysis.curve).toHaveLength(4);
    expect(analysis.expectedCalibrationError).toBeCloseTo(expectedCalibrationError(quotes)!, 12);
  });
});
