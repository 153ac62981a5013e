/**
 * The chunk store contract: where chunk text, offsets and vectors live for search.
 * The LanceDB implementation is in ./lancedb/ (the only code that imports @lancedb/lancedb).
 */

/** A chunk as stored and returned by search. */
export type StoredChunk = {
  id: string;
  documentId: string;
  ordinal: number;
  text: string;
  charStart: number;
  charEnd: number;
  page: number | null;
  headingPath: string | null;
  tokenCount: number;
  /** Sentence boundaries relative to `text` (0 = chunk start), flattened [start0, end0, start1, end1, …]. */
  sentenceOffsets: number[];
};

export type ChunkRow = StoredChunk & { vector?: Float32Array | number[] | null };

export type SearchHit = { chunk: StoredChunk; score: number };

export interface ChunkStore {
  /** Adds chunks; all of one document's chunks are written in one call. */
  add(rows: readonly ChunkRow[]): Promise<void>;
  /** Removes every chunk of these documents. */
  deleteDocuments(documentIds: readonly string[]): Promise<void>;
  /** Full-text search (German analysis), restricted to `documentIds` when given. */
  searchText(query: string, options: { limit: number; documentIds?: readonly string[] }): Promise<SearchHit[]>;
  /** Vector search, restricted to `documentIds` when given. */
  searchVector(vector: Float32Array, options: { limit: number; documentIds?: readonly string[] }): Promise<SearchHit[]>;
  /** Chunks of one document by ordinal range (for neighbours). */
  chunksOf(documentId: string, ordinals?: readonly number[]): Promise<StoredChunk[]>;
  /** Distinct document ids that have chunks (for reconciliation). */
  documentIds(): Promise<string[]>;
  countChunks(documentId?: string): Promise<number>;
  close(): Promise<void>;
}
