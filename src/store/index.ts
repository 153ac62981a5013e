/** Chunk storage: the contract and its LanceDB implementation. */
export type { ChunkRow, ChunkStore, SearchHit, StoredChunk } from './chunk-store.ts';
export { LanceChunkStore, VectorSearchUnavailableError, type LanceChunkStoreOptions } from './lancedb/index.ts';
