/** The evaluation suite's public names: datasets, the runner, metrics, reports, gates. */
export { corpusEntrySchema, evalCaseSchema, evalSplits, type CorpusEntry, type Dataset, type EvalCase, type EvalSplit } from './dataset.ts';
export { loadDataset, parseJsonLines, writeDataset, checkDatasetConsistency } from './load-dataset.ts';
export { convertSquad, isSquadJson, splitOfArticle, UNANSWERABLE_SUFFIX, type SquadConversionOptions } from './convert-squad.ts';
export { casesOfSplit, selectCases } from './select-cases.ts';
export { runEval, type EvalProgress, type RunEvalOptions } from './run-eval.ts';
export { checkCitation, type CitationCheck, type CitationVerdict, type StoredTextLookup } from './check-citation.ts';
export { containsAnswer, normalizeAnswer, tokenF1 } from './normalize-answer.ts';
export {
  analyzeCaseConfidence,
  headlineMetrics,
  judgeCase,
  summarizeResults,
  type CandidateResult,
  type CaseResult,
  type CitationResult,
  type SplitSummary,
  type HeadlineMetricName,
  type Metrics,
} from './metrics.ts';
export { bootstrapIntervals, type ConfidenceInterval } from './bootstrap.ts';
export {
  analyzeConfidence,
  expectedCalibrationError,
  precisionRecallCurve,
  reliabilityDiagram,
  thresholdForPrecision,
  type ConfidenceAnalysis,
  type ReliabilityBin,
  type ScoredQuote,
  type ThresholdPoint,
} from './confidence-analysis.ts';
export { parseReport, metricValue, REPORT_SCHEMA_VERSION, type EvalReport, type ReportCase } from './report.ts';
export { renderMarkdown } from './render-markdown.ts';
export { renderHtml } from './render-html.ts';
export { writeReport } from './write-report.ts';
export { checkGates, parseGates, type GateOutcome, type Gates } from './gates.ts';
export { compareReports, formatComparison, type ReportComparison } from './compare-reports.ts';
export { InvalidDatasetError } from './invalid-dataset-error.ts';
