/**
 * The composition root: opens everything beleg needs from a parsed `Config` — the data-directory
 * lock, the metadata database (SQLite in the data directory, or PostgreSQL with BELEG_DATABASE_URL;
 * migrated), the embedding model (when `embeddingModelDir` is set), the LanceDB
 * chunk store, the Llama-2 tokenizer, the ingestion service and hybrid search — reconciles the
 * stores after any crash, rebuilds the chunks when the table was built with another search text,
 * embedding model or chunking, and resumes interrupted ingestion. `close()` releases it all in reverse order.
 *
 * Shared chunk store: with `BELEG_LANCEDB_URI` the table lives where several processes use it; the
 * store then runs in shared mode (index maintenance by the process holding the lease, a lock file
 * in that directory or, for object storage, in this data directory; reads that look for other
 * processes' commits every `BELEG_LANCEDB_READ_CONSISTENCY_MS`), and reconciliation leaves chunks of
 * unfinished documents alone (src/ingest/reconcile.ts). Without it nothing changes.
 *
 * Retrieval: the full-text column holds each chunk's text plus its German compound parts, and
 * queries are expanded the same way (measured on XQuAD-de: MRR@10 0.914 → 0.926 only when both
 * sides carry the parts; see src/retrieve/decompound.ts). The top 50 full-text candidates are then
 * reranked by BM25 plus how much of the question each covers (src/retrieve/rerank-lexical.ts;
 * XQuAD-de MRR@10 0.924 → 0.935, held-out half 0.915 → 0.926, ~2–3 ms per query). In lexical mode
 * that is the result order; in hybrid mode it is the text list that reciprocal rank fusion merges
 * with the vector list (a better text ranking should be a better fusion input; hybrid itself is
 * unmeasured, no embedding model is at hand). With an embedding model, new chunks get
 * vectors and search is hybrid; without one, search is lexical-only and `retrieval.reason` says why.
 * The model's id is recorded with the table: opening it with another model re-embeds every chunk
 * from the stored texts before anything is served, so two models' vectors never mix.
 *
 * Layout of the data directory:
 *   beleg.sqlite       metadata, document texts, jobs (WAL: also beleg.sqlite-wal/-shm); absent with PostgreSQL
 *   lancedb/           the `chunks` table (unless BELEG_LANCEDB_URI puts it elsewhere, shared)
 *   uploads/           saved inputs of documents still being ingested, named by sha256
 *   beleg.lock.sqlite  locked (by the kernel, for the process using the directory); never deleted
 *   beleg.lock.json    who holds that lock: pid, start time, a server's URL (src/db/data-directory-lock.ts)
 *
 * With PostgreSQL (BELEG_DATABASE_URL) uploads live in the database too, and ingestion jobs form a
 * work queue shared by every process (src/db/postgres/postgres-job-queue.ts): processes whose role
 * is `all` or `worker` take jobs with leases, an `api` replica only records them, and start-up no
 * longer takes every `indexing` document for interrupted (a killed worker's leases run out and its
 * jobs are taken again). Each process still locks its own data directory; what they share is the
 * database and, with BELEG_LANCEDB_URI, the chunk store (README, "Scale out").
 */
import { mkdirSync } from 'node:fs';
import { AccessService } from './access/access-service.ts';
import { isObjectStoreUri, type Config } from './config.ts';
import { UploadFiles, lockDataDirectory, openMetadataDatabase, type DataDirectoryLock, type DatabaseHandle, type MetadataDatabase } from './db/index.ts';
import { OnnxEmbeddingModel } from './engine/embedding/onnx-embedding-model.ts';
import type { EmbeddingModel } from './engine/embedding-model.ts';
import type { LanguageModel } from './engine/language-model.ts';
import { LlamaTokenizer } from './engine/tokenizer/llama-tokenizer.ts';
import type { AnswerService } from './answer/answer-service.ts';
import { answerServiceSettings, createAnswerService } from './create-answerer.ts';
import { dataPaths } from './data-paths.ts';
import { CHUNKING, chunkDocument } from './ingest/chunk-document.ts';
import { IngestionService, type ChunkEmbedder } from './ingest/ingestion-service.ts';
import { loadDocument } from './ingest/load-document.ts';
import { reconcile, type ReconcileReport } from './ingest/reconcile.ts';
import type { DocumentInput, LoadedDocument } from './ingest/types.ts';
import type { LoadOptions } from './ingest/load-document.ts';
import { GermanDecompounder } from './retrieve/decompound.ts';
import { createHybridSearch, type HybridSearch } from './retrieve/hybrid-search.ts';
import { createLexicalReranker } from './retrieve/rerank-lexical.ts';
import { LanceChunkStore, type SearchTextExpansion, type SharedChunkStoreOptions } from './store/lancedb/lancedb-chunk-store.ts';
import { DirectoryMaintenanceLease } from './store/maintenance-lease/directory-lease.ts';

/** How retrieval runs, for start-up messages and `/health`. */
export type RetrievalStatus = {
  mode: 'hybrid' | 'lexical';
  /** The embedding model's id; null when lexical-only. */
  embeddingModelId: string | null;
  /** Why retrieval is lexical-only; null in hybrid mode. */
  reason: string | null;
};

/** A full rebuild of the chunks done at start-up, and why. */
export type ReindexReport = { reason: string; documents: number };

export type AppContext = {
  config: Config;
  /** The data directory's lock; `beleg serve` announces its URL through it. */
  lock: DataDirectoryLock;
  /** The SQLite handle (pragmas, checks); null when the metadata is in PostgreSQL (BELEG_DATABASE_URL). */
  database: DatabaseHandle | null;
  /** The metadata repositories, of either dialect. */
  metadata: MetadataDatabase;
  store: LanceChunkStore;
  tokenizer: LlamaTokenizer;
  /** Ingestion (the `Ingestion` contract) plus `readyDocumentIds()` for retrieval's filter. */
  ingestion: IngestionService;
  /** Collections, stored API keys and the audit log. */
  access: AccessService;
  /** What start-up reconciliation did. */
  reconciled: ReconcileReport;
  /** The loaded embedding model; null when lexical-only. */
  embeddingModel: EmbeddingModel | null;
  /** Hybrid (or lexical-only) search over the chunk store, with German compound parts. */
  search: HybridSearch;
  retrieval: RetrievalStatus;
  /** The chunk rebuild done at start-up, when the table did not match the settings; else null. */
  reindexed: ReindexReport | null;
  /** The answerer, when `options.engines` were given. */
  answerer?: AnswerService;
  /** Stops ingestion, then closes the stores and releases the data directory. */
  close(): Promise<void>;
};

export type AppContextOptions = {
  /**
   * Replaces the embedding model loaded from `config.embeddingModelDir` (tests); null forces
   * lexical-only. The context disposes only a model it loaded itself.
   */
  embeddingModel?: EmbeddingModel | null;
  /** A bare chunk embedder without query embedding (older tests); `embeddingModel` wins. */
  embedder?: ChunkEmbedder;
  /** Told about slow start-up work before it starts (a full rebuild of the chunks); e.g. console.error. */
  onNotice?: (message: string) => void;
  /** Engines for `context.answerer`; without them the caller wires one with `createAnswerService`. */
  engines?: { engines: Record<string, LanguageModel>; defaultEngine: string };
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

/** Names the search-text expansion recorded with the table; change it when `expand` changes. */
const DECOMPOUND_SEARCH_TEXT = 'german-decompound-v1';

const NO_MODEL_REASON =
  'no embedding model is configured (set BELEG_EMBEDDING_MODEL_DIR to an ONNX sentence-embedding export, e.g. from beleg models pull intfloat/multilingual-e5-small)';

export { dataPaths };

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
    const metadata = await openMetadataDatabase({ databaseUrl: config.databaseUrl, sqliteFile: paths.database, maxConnections: config.databasePoolSize });
    opened.push(() => metadata.close());
    const database = metadata.dialect === 'sqlite' ? metadata.handle : null;
    let embeddingModel: EmbeddingModel | null = null;
    if (options.embeddingModel !== undefined) {
      embeddingModel = options.embeddingModel;
    } else if (config.embeddingModelDir !== undefined) {
      const loaded = await OnnxEmbeddingModel.load({ directory: config.embeddingModelDir });
      opened.push(() => loaded.dispose());
      embeddingModel = loaded;
    }
    const embedder: ChunkEmbedder | undefined = embeddingModel
      ? { dimension: embeddingModel.dimensions, embed: (texts) => embeddingModel.embedDocuments(texts) }
      : options.embedder;
    const embeddingModelId = embeddingModel?.modelId ?? (embedder ? `chunk-embedder-${embedder.dimension}` : null);
    const decompounder = GermanDecompounder.load();
    const searchText: SearchTextExpansion = { name: DECOMPOUND_SEARCH_TEXT, expand: (text) => decompounder.expand(text) };
    const sharedStore = config.lancedbUri !== undefined;
    const location = config.lancedbUri ?? paths.lancedb;
    const objectStore = isObjectStoreUri(location);
    const shared: SharedChunkStoreOptions | undefined = sharedStore
      ? {
          // With PostgreSQL metadata the election spans hosts (an advisory lock); else a lock file.
          lease: metadata.maintenanceLease?.() ?? new DirectoryMaintenanceLease(objectStore ? config.dataDir : location),
          readConsistencyMs: config.lancedbReadConsistencyMs,
          maintenanceIntervalMs: config.lancedbMaintenanceIntervalMs,
        }
      : undefined;
    const store = await LanceChunkStore.open({
      directory: location,
      storageOptions: Object.keys(config.lancedbStorageOptions).length > 0 ? config.lancedbStorageOptions : undefined,
      indexSettingsDirectory: objectStore ? config.dataDir : undefined,
      shared,
      vectorDimension: embedder?.dimension ?? null,
      searchText,
      embeddingModelId,
      chunking: CHUNKING,
    });
    opened.push(() => store.close());
    const tokenizer = LlamaTokenizer.fromDirectory(config.tokenizerDir);
    const repository = metadata.documents;
    // PostgreSQL: uploads, jobs and content locks are shared by every process of the deployment.
    const uploads = metadata.uploads?.() ?? new UploadFiles(paths.uploads);
    const jobs = metadata.jobQueue?.(config.queueLeaseMs);
    const reconciled = await reconcile({ repository, store, uploads, sharedStore, workQueue: jobs !== undefined });
    const ingestion = new IngestionService({
      repository,
      store,
      uploads,
      ...(jobs ? { queue: { jobs, work: config.role !== 'api', leaseMs: config.queueLeaseMs, pollMs: config.queuePollMs } } : {}),
      ...(metadata.contentLock ? { contentLock: metadata.contentLock() } : {}),
      load: options.load ?? loadDocument,
      chunk: (document) => chunkDocument(document, tokenizer),
      embedder,
      loadOptions: {
        maxBytes: config.limits.maxDocumentBytes,
        fetchTimeoutMs: config.limits.fetchTimeoutMs,
        maxRedirects: config.limits.maxRedirects,
        urlAllowList: config.urlAllowList,
        parseTimeoutMs: config.limits.parseTimeoutMs,
        ocr: { mode: config.ocr, pageTimeoutMs: config.limits.ocrPageTimeoutMs, maxPages: config.limits.ocrMaxPages },
      },
      queueSize: config.limits.ingestQueueSize,
      batchSize: options.batchSize,
      release: closeOpened,
    });
    // Chunks lost from LanceDB come back from the texts in SQLite before anything is served.
    if (reconciled.rebuild.length > 0) await ingestion.rebuild(reconciled.rebuild);
    // A table built with another search text, embedding model or chunking: every ready document's chunks
    // are rebuilt from its stored text (re-embedded) before anything is served.
    let reindexed: ReindexReport | null = null;
    if (store.reindexReason !== null) {
      const alreadyRebuilt = new Set(reconciled.rebuild);
      const documents = [...(await repository.readyChunkCounts()).keys()].filter((id) => !alreadyRebuilt.has(id));
      options.onNotice?.(`beleg: rebuilding the chunks of ${documents.length} documents from their stored texts, because ${store.reindexReason}. This happens once.`);
      await ingestion.rebuild(documents);
      store.markIndexCurrent();
      reindexed = { reason: store.reindexReason, documents: documents.length };
    }
    if (options.resume !== false) {
      ingestion.resume(reconciled.resumed);
      ingestion.startWorking();
    }
    const search = createHybridSearch({
      store,
      embeddingModel,
      expandTextQuery: (query) => decompounder.expand(query),
      rerankText: createLexicalReranker({ splitCompound: (word) => decompounder.split(word) }),
    });
    const retrieval: RetrievalStatus = embeddingModel
      ? { mode: 'hybrid', embeddingModelId: embeddingModel.modelId, reason: null }
      : { mode: 'lexical', embeddingModelId: null, reason: NO_MODEL_REASON };
    const context: AppContext = {
      config,
      lock,
      database,
      metadata,
      access: new AccessService(metadata, { auditRetentionDays: config.auditRetentionDays }),
      store,
      tokenizer,
      ingestion,
      reconciled,
      embeddingModel,
      search,
      retrieval,
      reindexed,
      close: () => ingestion.close(),
    };
    if (options.engines) context.answerer = createAnswerService(context, options.engines.engines, options.engines.defaultEngine, answerServiceSettings(config));
    return context;
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
