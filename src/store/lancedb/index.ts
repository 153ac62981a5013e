/** The LanceDB chunk store. */
export { LanceChunkStore, VectorSearchUnavailableError, type LanceChunkStoreOptions, type SearchTextExpansion } from './lancedb-chunk-store.ts';
