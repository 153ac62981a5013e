/** The LanceDB chunk store. */
export { LanceChunkStore, VectorSearchUnavailableError, type LanceChunkStoreOptions } from './lancedb-chunk-store.ts';
