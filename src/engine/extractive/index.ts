export { ExtractiveLanguageModel, type ExtractiveOptions, type ExtractiveDecision } from './extractive-language-model.ts';
export { shippedReaderModel, readSources, type ReaderModel, type RankedCandidate } from './reader-model.ts';
export { describeCandidates, analyseQuestion, FEATURE_NAMES, type CandidateFeatures, type QuestionAnalysis } from './candidate-features.ts';
