/**
 * The extractive reader's fitted model: a linear ranker that picks the quote, and a logistic
 * calibrator that turns what is known about the picked quote into `confidence`, the estimated
 * probability that it answers the question.
 *
 * Both are plain linear functions over standardised features (./candidate-features.ts), so every
 * decision can be explained by listing `weight × feature`. Their numbers live in
 * ./reader-model.json, written by `npx tsx bench/reader/fit.ts` from the tuning halves (even
 * articles) of XQuAD-de dev and the GermanQuAD sample; the odd halves are only measured.
 */
import { z } from 'zod';
import type { PromptSource } from '../language-model.ts';
import { describeCandidates, FEATURE_NAMES, type CandidateFeatures, type QuestionContext } from './candidate-features.ts';
import fittedModel from './reader-model.json' with { type: 'json' };

/** A linear function of standardised inputs: bias + Σ weight × (value − mean) / scale. */
export const linearSchema = z.object({
  names: z.array(z.string()),
  mean: z.array(z.number()),
  scale: z.array(z.number().positive()),
  weights: z.array(z.number()),
  bias: z.number(),
});
export type Linear = z.infer<typeof linearSchema>;

export const readerModelSchema = z.object({
  version: z.string(),
  /** What the numbers were fitted on, and how (for the README and the eval report). */
  fittedOn: z.string(),
  ranker: linearSchema,
  calibrator: linearSchema,
  /** The precision-first threshold chosen on the tuning halves. */
  minConfidence: z.number().min(0).max(1),
});
export type ReaderModel = z.infer<typeof readerModelSchema>;

/**
 * Checks that a model was fitted on the features this code computes, in the same order: a model
 * written before a feature was added or removed would silently weigh the wrong numbers.
 */
export function checkReaderModel(model: ReaderModel): ReaderModel {
  const same = (names: readonly string[], expected: readonly string[]) => names.length === expected.length && names.every((name, index) => name === expected[index]);
  const linearOk = (linear: Linear) => linear.mean.length === linear.names.length && linear.scale.length === linear.names.length && linear.weights.length === linear.names.length;
  if (!same(model.ranker.names, FEATURE_NAMES) || !same(model.calibrator.names, CONFIDENCE_FEATURE_NAMES) || !linearOk(model.ranker) || !linearOk(model.calibrator)) {
    throw new Error(`The reader model '${model.version}' was fitted on other features than this code computes. Refit it: npx tsx bench/reader/fit.ts --write`);
  }
  return model;
}


/** Names of the calibrator's inputs, in the order of `confidenceFeatures`. */
export const CONFIDENCE_FEATURE_NAMES = [
  'rankerScore',
  'margin',
  'coverage',
  'windowCoverage',
  'sourceCoverage',
  'missingFocus',
  'topSource',
  'offersType',
  'lacksType',
  'namesFound',
  'focusMissingInWindow',
  'focusMissingInSource',
  'focusMissingEverywhere',
  'bestSourceCoverage',
  'absentWeight',
  'typed',
] as const;

export function applyLinear(model: Linear, values: readonly number[]): number {
  let sum = model.bias;
  for (let index = 0; index < model.weights.length; index += 1) sum += (model.weights[index]! * (values[index]! - model.mean[index]!)) / model.scale[index]!;
  return sum;
}

export const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/** A candidate with its ranker score. */
export type ScoredCandidate = CandidateFeatures & { score: number };

function feature(candidate: CandidateFeatures, name: string, names: readonly string[]): number {
  return candidate.values[names.indexOf(name)]!;
}

/**
 * The calibrator's inputs for one candidate: its features, its ranker score, how far it is ahead
 * of the best other candidate (negative when behind), and what is known about the question.
 */
export function confidenceFeatures(candidate: ScoredCandidate, rival: number, context: QuestionContext, featureNames: readonly string[]): number[] {
  const get = (name: string) => feature(candidate, name, featureNames);
  return [
    candidate.score,
    Number.isFinite(rival) ? Math.max(-10, Math.min(10, candidate.score - rival)) : 10,
    get('coverage'),
    get('windowCoverage'),
    get('sourceCoverage'),
    get('missingFocus'),
    get('topSource'),
    get('offersType'),
    get('lacksType'),
    get('namesFound'),
    get('focusMissingInWindow'),
    get('focusMissingInSource'),
    context.focusMissingEverywhere,
    context.bestSourceCoverage,
    context.absentWeight,
    context.typed ? 1 : 0,
  ];
}

/**
 * Highest confidence of a quote that lacks the kind of answer the question requires (a number,
 * an amount, a measure): it is never presented as the answer, only listed as a passage to read.
 */
export const LACKS_TYPE_CONFIDENCE = 0.05;

/** A candidate as the reader reports it: scored and with its confidence. */
export type RankedCandidate = ScoredCandidate & { confidence: number };

/**
 * Ranks described candidates, best first, each with its confidence. Deterministic: ties keep
 * source order, then sentence order.
 */
export function rankDescribed(candidates: readonly CandidateFeatures[], context: QuestionContext, model: ReaderModel = shippedReaderModel()): RankedCandidate[] {
  const featureNames = model.ranker.names;
  // A quote without the number the question asks for ranks below every quote with one.
  const scored = candidates
    .map((candidate, order) => ({ candidate: { ...candidate, score: applyLinear(model.ranker, candidate.values) }, order }))
    .sort((a, b) => Number(a.candidate.lacksRequiredType) - Number(b.candidate.lacksRequiredType) || b.candidate.score - a.candidate.score || a.order - b.order)
    .map(({ candidate }) => candidate);
  const best = scored[0];
  const overlapsBest = (candidate: ScoredCandidate) =>
    best !== undefined && candidate.sourceIndex === best.sourceIndex && candidate.firstSentence <= best.lastSentence && best.firstSentence <= candidate.lastSentence;
  // The best's rival is the best candidate that shares no sentence with it (a pair holding the
  // best sentence is no alternative); every other candidate is measured against the best.
  const runnerUp = scored.find((candidate, index) => index > 0 && !overlapsBest(candidate))?.score ?? Number.NEGATIVE_INFINITY;
  return scored.map((candidate, index) => {
    const rival = index === 0 ? runnerUp : best!.score;
    const estimate = sigmoid(applyLinear(model.calibrator, confidenceFeatures(candidate, rival, context, featureNames)));
    return { ...candidate, confidence: candidate.lacksRequiredType ? Math.min(estimate, LACKS_TYPE_CONFIDENCE) : estimate };
  });
}

/** Describes and ranks every candidate quote of the sources for the question (see rankDescribed). */
export function readSources(question: string, sources: readonly PromptSource[], model: ReaderModel = shippedReaderModel()): { ranked: RankedCandidate[]; context: QuestionContext } {
  const { candidates, context } = describeCandidates(question, sources);
  return { ranked: rankDescribed(candidates, context, model), context };
}

let shipped: ReaderModel | undefined;

/**
 * The model shipped with beleg (./reader-model.json), checked against the features computed here
 * on first use (not at import, so bench/reader/fit.ts can load this module to refit a stale model).
 */
export function shippedReaderModel(): ReaderModel {
  shipped ??= checkReaderModel(readerModelSchema.parse(fittedModel));
  return shipped;
}
