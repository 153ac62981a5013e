/** Ingestion: loading, chunking, the pipeline that stores documents, and start-up reconciliation. */
export type * from './types.ts';
export { IngestionService, DocumentNotReadyError, sha256Of, toChunkRow, type ChunkEmbedder, type IngestionServiceOptions } from './ingestion-service.ts';
export { reconcile, type ReconcileReport } from './reconcile.ts';
