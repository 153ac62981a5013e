import { shippedReaderModel } from '../engine/extractive/reader-model.ts';

/**
 * The confidence threshold: a quote is presented as the answer only when the engine's estimated
 * probability that it answers the question reaches it. Chosen for precision first: the lowest
 * confidence at which the extractive reader's answers on the tuning halves (even articles of
 * XQuAD-de dev and the GermanQuAD sample) reach a precision of 0.95 (bench/reader/fit.ts,
 * bench/results/reader.json; README "Confidence").
 */
export const DEFAULT_MIN_CONFIDENCE = shippedReaderModel().minConfidence;

// ---- confidence in words (CLI and web page; the page gets the bands served, see src/api/web-assets.ts)

/** From this confidence on, an answer is called "sicher". */
export const SURE_CONFIDENCE = 0.9;

/**
 * The words for a confidence: `sure` from SURE_CONFIDENCE on, `likely` from the server's threshold
 * on, `unsure` below it (only presented as an answer when a request lowered the threshold).
 */
export const CONFIDENCE_WORDS = { sure: 'sicher', likely: 'wahrscheinlich', unsure: 'unsicher' } as const;

export type ConfidenceWord = (typeof CONFIDENCE_WORDS)[keyof typeof CONFIDENCE_WORDS];

/** How sure, as a stable key (for styling and tests); `word` is what readers see. */
export type ConfidenceLevel = keyof typeof CONFIDENCE_WORDS;

/** Confidences from `from` (inclusive) up to the band above get `word`. */
export type ConfidenceBand = { level: ConfidenceLevel; word: ConfidenceWord; from: number };

/**
 * The bands under the server's threshold, highest first; the last starts at 0, so every
 * confidence falls into one. The words measure against the server's calibrated threshold, not a
 * request's override: a quote a request let through below it stays "unsicher". A threshold above
 * SURE_CONFIDENCE lifts "sicher" with it, so no quote below the threshold is called sure.
 */
export function confidenceBands(minConfidence: number = DEFAULT_MIN_CONFIDENCE): ConfidenceBand[] {
  return [
    { level: 'sure', word: CONFIDENCE_WORDS.sure, from: Math.max(SURE_CONFIDENCE, minConfidence) },
    { level: 'likely', word: CONFIDENCE_WORDS.likely, from: minConfidence },
    { level: 'unsure', word: CONFIDENCE_WORDS.unsure, from: 0 },
  ];
}

/** The band a confidence (0..1) falls into under the server's threshold. */
export function confidenceBand(confidence: number, minConfidence?: number): ConfidenceBand {
  return confidenceBands(minConfidence).find((band) => confidence >= band.from)!;
}

/** The word for a confidence (0..1) under the server's threshold. */
export function confidenceWord(confidence: number, minConfidence?: number): ConfidenceWord {
  return confidenceBand(confidence, minConfidence).word;
}

/**
 * A confidence as whole percent, rounded down so that it never reads higher than the band it is
 * in (0.899 is "wahrscheinlich", 89 %, not 90 %).
 */
export function confidencePercent(confidence: number): number {
  // The epsilon keeps 0.29 * 100 = 28.999999999999996 at 29.
  return Math.floor(confidence * 100 + 1e-9);
}
