/**
 * The embedding model contract: turns text into unit-length vectors for semantic search.
 * The ONNX implementation (./embedding/onnx-embedding-model.ts) loads sentence-transformers
 * exports; tests use a tiny random-weight model. Without any embedding model beleg searches
 * lexically only.
 *
 * Queries and passages may be embedded differently (e5 models expect `query: ` and `passage: `
 * prefixes); callers say which they have by calling `embedQuery` or `embedDocuments`.
 */
export interface EmbeddingModel {
  /** Identifies the model and revision; vectors of different ids must never share a table. */
  readonly modelId: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /** Most texts embedded in one forward pass; `embedDocuments` splits longer lists itself. */
  readonly maxBatch: number;
  /** One L2-normalised vector per text, in order. */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** The L2-normalised vector of a search query. */
  embedQuery(text: string): Promise<Float32Array>;
  /** Releases the ONNX session. */
  dispose(): Promise<void>;
}
