/** The LanceDB chunk store. */
export {
  LanceChunkStore,
  VectorSearchUnavailableError,
  type LanceChunkStoreOptions,
  type SharedChunkStoreOptions,
  type SearchTextExpansion,
  type ChunkTableInspection,
} from './lancedb-chunk-store.ts';
export { copyChunkDirectory, type ChunkDirectoryCopy } from './copy-chunk-directory.ts';
