/**
 * The confidence threshold: a quote is presented as the answer only when the engine's estimated
 * probability that it answers the question reaches it. Chosen for precision first (see
 * bench/reader and README "Confidence").
 */
export const DEFAULT_MIN_CONFIDENCE = 0;
