/**
 * The composition root: opens everything beleg needs from a parsed `Config` — the data-directory
 * lock, SQLite (migrated), the LanceDB chunk store, the Llama-2 tokenizer and the ingestion
 * service — reconciles the stores after any crash, and resumes interrupted ingestion.
 * `close()` releases it all in reverse order.
 *
 * Layout of the data directory:
 *   beleg.sqlite   metadata, document texts, jobs (WAL: also beleg.sqlite-wal/-shm)
 *   lancedb/       the `chunks` table
 *   uploads/       saved inputs of documents still being ingested, named by sha256
 *   beleg.lock     pid of the process using the directory
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import { DocumentRepository, UploadFiles, lockDataDirectory, openDatabase, type DatabaseHandle } from './db/index.ts';
import { LlamaTokenizer } from './engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from './ingest/chunk-document.ts';
import { IngestionService, type ChunkEmbedder } from './ingest/ingestion-service.ts';
import { loadDocument } from './ingest/load-document.ts';
import { reconcile, type ReconcileReport } from './ingest/reconcile.ts';
import type { DocumentInput, LoadedDocument } from './ingest/types.ts';
import type { LoadOptions } from './ingest/load-document.ts';
import { LanceChunkStore } from './store/lancedb/lancedb-chunk-store.ts';

export type AppContext = {
  config: Config;
  database: DatabaseHandle;
  store: LanceChunkStore;
  tokenizer: LlamaTokenizer;
  /** Ingestion (the `Ingestion` contract) plus `readyDocumentIds()` for retrieval's filter. */
  ingestion: IngestionService;
  /** What start-up reconciliation did. */
  reconciled: ReconcileReport;
  /** Stops ingestion, then closes the stores and releases the data directory. */
  close(): Promise<void>;
};

export type AppContextOptions = {
  /** The embedding model, when configured; sets the chunk store's vector dimension. */
  embedder?: ChunkEmbedder;
  /** Replaces the document loader (tests). */
  load?: (input: DocumentInput, options: LoadOptions) => Promise<LoadedDocument>;
  /** Most documents indexed together in one batch (default 64). */
  batchSize?: number;
  /**
   * Whether interrupted documents start indexing again now (default true). Short-lived commands
   * that only read or delete (`beleg docs`, `beleg rm`) pass false: the work waits for the next
   * `serve` or `ingest`.
   */
  resume?: boolean;
};

/** Paths inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    database: path.join(dataDir, 'beleg.sqlite'),
    lancedb: path.join(dataDir, 'lancedb'),
    uploads: path.join(dataDir, 'uploads'),
  };
}

/** Opens beleg's stores and services for `config`; see the file comment. */
export async function openAppContext(config: Config, options: AppContextOptions = {}): Promise<AppContext> {
  mkdirSync(config.dataDir, { recursive: true });
  const paths = dataPaths(config.dataDir);
  const lock = lockDataDirectory(config.dataDir);
  const opened: (() => Promise<void> | void)[] = [() => lock.release()];
  const closeOpened = async () => {
    for (const close of opened.reverse()) await close();
  };
  try {
    const database = openDatabase(paths.database);
    opened.push(() => database.close());
    const store = await LanceChunkStore.open({ directory: paths.lancedb, vectorDimension: options.embedder?.dimension ?? null });
    opened.push(() => store.close());
    const tokenizer = LlamaTokenizer.fromDirectory(config.tokenizerDir);
    const repository = new DocumentRepository(database.db);
    const uploads = new UploadFiles(paths.uploads);
    const reconciled = await reconcile({ repository, store, uploads });
    const ingestion = new IngestionService({
      repository,
      store,
      uploads,
      load: options.load ?? loadDocument,
      chunk: (document) => chunkDocument(document, tokenizer),
      embedder: options.embedder,
      loadOptions: {
        maxBytes: config.limits.maxDocumentBytes,
        fetchTimeoutMs: config.limits.fetchTimeoutMs,
        maxRedirects: config.limits.maxRedirects,
        urlAllowList: config.urlAllowList,
      },
      queueSize: config.limits.ingestQueueSize,
      batchSize: options.batchSize,
      release: closeOpened,
    });
    // Chunks lost from LanceDB come back from the texts in SQLite before anything is served.
    if (reconciled.rebuild.length > 0) await ingestion.rebuild(reconciled.rebuild);
    if (options.resume !== false) ingestion.resume(reconciled.resumed);
    return { config, database, store, tokenizer, ingestion, reconciled, close: () => ingestion.close() };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
