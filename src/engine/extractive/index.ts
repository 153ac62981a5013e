export { ExtractiveLanguageModel, DEFAULT_MINIMUM_COVERAGE, type ExtractiveOptions, type ExtractiveDecision } from './extractive-language-model.ts';
export { rankCandidates, DEFAULT_WEIGHTS, type Candidate, type ScoringWeights } from './score-sentences.ts';
