/** Retrieval and EM German's prompt: the public names of src/retrieve. */
export {
  buildChatPrompt,
  buildGroundedPrompt,
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_MAX_NEW_TOKENS,
  type BuildPromptOptions,
  type BuiltPrompt,
  type BuiltSource,
  type PromptChunk,
  type PromptDocument,
  type StoredSpan,
  type TokenCounter,
} from './build-prompt.ts';
export { CHAT_SYSTEM_TEXT, CITATION_PREFIX, formatCitedAnswer, GROUNDED_SYSTEM_TEXT } from './em-german-format.ts';
export { containsMarker, MARKER_BREAK, neutraliseMarkers, PROMPT_MARKERS } from './neutralise-markers.ts';
export { describeSource } from './source-metadata.ts';
export {
  createHybridSearch,
  type HybridSearch,
  type HybridSearchConfig,
  type HybridSearchOptions,
  type RetrievedChunk,
  type RetrieverName,
  type RetrieverWeights,
} from './hybrid-search.ts';
export { DEFAULT_RRF_K, reciprocalRankFusion } from './reciprocal-rank-fusion.ts';
export { GermanDecompounder, type DecompounderOptions } from './decompound.ts';
export {
  createLexicalReranker,
  DEFAULT_LEXICAL_RERANK_WEIGHTS,
  type LexicalFeatures,
  type LexicalRerankOptions,
  type LexicalRerankWeights,
} from './rerank-lexical.ts';
