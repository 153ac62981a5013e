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
  /**
   * Per sentence (in the order of `sentenceOffsets`), its block flags as bits: `SENTENCE_BLOCK_START`
   * (a paragraph, heading, list item, table row or page boundary lies between it and the sentence
   * before it in the document) and `SENTENCE_HEADING`. Absent on chunks written before beleg kept
   * them (start-up rebuilds those) and on chunks made up by callers: then nothing is known.
   */
  sentenceFlags?: number[];
};

/** Bit of `StoredChunk.sentenceFlags`: a block boundary lies before the sentence. */
export const SENTENCE_BLOCK_START = 1;
/** Bit of `StoredChunk.sentenceFlags`: the sentence is a heading. */
export const SENTENCE_HEADING = 2;

export type ChunkRow = StoredChunk & {
  vector?: Float32Array | number[] | null;
  /** The collections the chunk's document is in (what a collection's search filters on). */
  collections?: readonly string[];
};

/** Where a search looks: only these documents and/or only documents in these collections. */
export type SearchFilter = {
  documentIds?: readonly string[];
  /** Only chunks whose document is in at least one of these collections (an empty list finds nothing). */
  collectionIds?: readonly string[];
};

export type SearchHit = { chunk: StoredChunk; score: number };

export interface ChunkStore {
  /** Adds chunks; all of one document's chunks are written in one call. */
  add(rows: readonly ChunkRow[]): Promise<void>;
  /** Removes every chunk of these documents. */
  deleteDocuments(documentIds: readonly string[]): Promise<void>;
  /** Full-text search (German analysis), restricted by the filter when given. */
  searchText(query: string, options: { limit: number } & SearchFilter): Promise<SearchHit[]>;
  /** Vector search, restricted by the filter when given. */
  searchVector(vector: Float32Array, options: { limit: number } & SearchFilter): Promise<SearchHit[]>;
  /** Sets the collections on every chunk of these documents (document id → collection ids). */
  setCollections(collectionsByDocument: ReadonlyMap<string, readonly string[]>): Promise<void>;
  /** Chunks of one document by ordinal range (for neighbours). */
  chunksOf(documentId: string, ordinals?: readonly number[]): Promise<StoredChunk[]>;
  /** Distinct document ids that have chunks (for reconciliation). */
  documentIds(): Promise<string[]>;
  countChunks(documentId?: string): Promise<number>;
  close(): Promise<void>;
}
