/**
 * The chunk store on embedded LanceDB (the only code that imports @lancedb/lancedb): table
 * `chunks` under `<dataDir>/lancedb`, with a native full-text index on `search_text` (the chunk
 * text plus the configured expansion, e.g. German compound parts) using German analysis (Snowball
 * stemming, stop words, ASCII folding: "Häuser" finds "Haus", "Strassenbahn" finds "Straßenbahn").
 *
 * Derived columns and their settings (./index-settings.ts): when the table was built with another
 * search-text expansion or another embedding model than configured now, `reindexReason` says why
 * and the owner rebuilds every document's chunks from the stored texts, then calls
 * `markIndexCurrent()`. A table from before `search_text` existed gets the column (a copy of
 * `text`) on open and is reported for reindexing the same way; so is one from before
 * `sentence_flags` (the column, all null, and a chunking other than the configured one).
 *
 * Freshness: LanceDB's full-text index covers only rows present when it was built or last
 * optimized. LanceDB 0.31 also scans the rows added since (a flat BM25 pass, as no query here
 * uses `fastSearch()`), but that pass misses rows: a row that holds a query term three or more
 * times is not found at all (measured: "Euro" twice in an unindexed chunk is found, three times
 * not; a one-page Bescheid added after a short house rule could not be found by "Euro"). So a text
 * search first folds every row added since the last index update into the index (`optimize()`,
 * through the write queue; ~10-80 ms for one new document here), and the flat pass never decides
 * what is found. Besides, the store optimizes after every `optimizeEvery` writes and on `close()`.
 *
 * Vector index: a flat scan of 100,000 × 384-d vectors takes ~200 ms here (bench/retrieval-latency),
 * so once the table holds `vectorIndexMinRows` chunks, `optimize()` builds an IVF-PQ index on the
 * vectors (dot distance, √rows partitions); later optimizes fold new rows into it, and it is
 * retrained when the table has grown 4× since. Rows not yet in the index are still searched (flat).
 * Below the threshold search stays exact: an IVF-PQ index trades some recall for speed.
 *
 * Writes (add, delete, optimize) are serialized through one queue, so one process never races
 * itself; LanceDB's commit protocol handles a second process (./commit-retry.ts retries a write
 * that lost a commit race).
 *
 * Shared mode (`shared` option; `BELEG_LANCEDB_URI`): several processes append, delete and search
 * on one table. Only the holder of the index maintenance lease (../index-maintenance-lease.ts)
 * creates, optimizes and retrains indexes and compacts and prunes files: every
 * `maintenanceIntervalMs` it folds rows that any process added into the indexes, and the others
 * try to take the lease over, so a holder that dies is replaced within one interval. Reads see
 * other processes' commits after at most `readConsistencyMs` (LanceDB's read consistency
 * interval). A process without the lease cannot fold its own new rows into the full-text index
 * before searching (see "Freshness"), so its searches rely on LanceDB's flat pass over unindexed
 * rows until the holder's next maintenance round: a new chunk that holds a query term three or more
 * times is found only from then on (bench/store-sharing measures the delay).
 */
import { availableParallelism } from 'node:os';
import * as lancedb from '@lancedb/lancedb';
import { BelegError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { ChunkRow, ChunkStore, SearchFilter, SearchHit, StoredChunk } from '../chunk-store.ts';
import type { IndexMaintenanceLease } from '../index-maintenance-lease.ts';
import { withCommitRetry } from './commit-retry.ts';
import {
  CHUNKS_TABLE,
  CHUNK_COLUMNS,
  COLLECTIONS_COLUMN,
  SEARCH_TEXT_COLUMN,
  SENTENCE_FLAGS_COLUMN,
  VECTOR_COLUMN,
  chunkTableSchema,
  collectionFilter,
  collectionsField,
  documentFilter,
  fromTableRow,
  sentenceFlagsField,
  sqlString,
  toTableRow,
  vectorField,
} from './chunk-table-schema.ts';
import { LEGACY_CHUNKING, LEGACY_INDEX_SETTINGS, readIndexSettings, reindexReason, writeIndexSettings, type IndexSettings } from './index-settings.ts';

/**
 * LanceDB 0.31 keeps cores for I/O and leaves a 2-core machine one compute thread
 * (LANCE_CPU_THREADS, read at the first LanceDB call). With one thread, building the German
 * full-text index over about 80,000 or more chunks deadlocks: the process idles forever
 * (measured: 60,000 build in 2 s; 80,000 and 100,000 never finish with LANCE_CPU_THREADS unset
 * or 1; with 2, 3, 4 or 8, 100,000 build in about 2 s). So the pool gets at least 2 threads
 * unless the operator set LANCE_CPU_THREADS.
 */
process.env.LANCE_CPU_THREADS ??= String(Math.max(2, availableParallelism()));
/** `indexStats` (used for the vector index) would otherwise copy its centroids and warn about it. */
process.env.LANCE_INCLUDE_VECTOR_CENTROIDS ??= 'false';

/** Adds search terms to a chunk's text for the full-text index (e.g. German compound parts). */
export type SearchTextExpansion = {
  /** Names the expansion; a table built with another name is reindexed. */
  name: string;
  expand(text: string): string;
};

const PLAIN_SEARCH_TEXT: SearchTextExpansion = { name: 'plain', expand: (text) => text };

/** Shared mode: other processes use the same table (see the file comment). */
export type SharedChunkStoreOptions = {
  /** Elects the one process that maintains the indexes; the store releases it on `close()`. */
  lease: IndexMaintenanceLease;
  /** Milliseconds after which a read looks for other processes' commits (0: every read does). */
  readConsistencyMs: number;
  /** How often the lease holder maintains the indexes and the others try to take the lease (default 1000 ms). */
  maintenanceIntervalMs?: number;
};

/** Options for {@link LanceChunkStore.open}. */
export type LanceChunkStoreOptions = {
  /** The LanceDB database: a directory, e.g. `<dataDir>/lancedb`, or an object-store URI (`s3://…`, `gs://…`, `az://…`). */
  directory: string;
  /** LanceDB's storage options for an object store (credentials, endpoint, region …), passed through. */
  storageOptions?: Record<string, string>;
  /**
   * Where `beleg-index.json` (./index-settings.ts) is kept when `directory` is an object-store
   * URI, e.g. the data directory. There a missing file means the settings match (a new process
   * cannot know what another built the table with); in `directory` it means a legacy table.
   */
  indexSettingsDirectory?: string;
  /** Other processes share the table; absent: this process alone uses it (see the file comment). */
  shared?: SharedChunkStoreOptions;
  /** Embedding dimension when a model is configured; null or absent: no vector column. */
  vectorDimension?: number | null;
  /** Writes between two `optimize()` runs (default 32). */
  optimizeEvery?: number;
  /** What the full-text search column holds besides the text (default: the text alone). */
  searchText?: SearchTextExpansion;
  /** Id of the embedding model whose vectors chunks get; null or absent: none. */
  embeddingModelId?: string | null;
  /** Chunks from which `optimize()` builds an ANN index on the vectors (default 25,000). */
  vectorIndexMinRows?: number;
  /**
   * Names the chunking that cuts the texts into chunks and sentences (src/ingest/chunk-document.ts's
   * `CHUNKING`); a table cut with another is reindexed. Default: `LEGACY_CHUNKING`.
   */
  chunking?: string;
};

/** The German full-text analysis the issue measured (stemming lifts MRR@10 on XQuAD-de). */
const GERMAN_FULL_TEXT = { language: 'German', stem: true, removeStopWords: true, asciiFolding: true } as const;
const TEXT_INDEX_NAME = 'search_text_idx';
const VECTOR_INDEX_NAME = 'vector_idx';
/** Retrain the vector index when the table has this many times the rows it was trained on. */
const VECTOR_INDEX_REGROWTH = 4;
/** The index on `text` of tables from before the search column; replaced on open. */
const LEGACY_TEXT_INDEX_NAME = 'text_idx';
/** Versions younger than this survive pruning, so a reader in another process keeps its snapshot. */
const KEEP_VERSIONS_MS = 10 * 60_000;

/** What {@link LanceChunkStore.inspect} found in a chunk table. */
export type ChunkTableInspection = {
  /** The table's version (LanceDB counts every commit). */
  version: number;
  chunks: number;
  chunksByDocument: Map<string, number>;
  /** What the derived columns were built with (`beleg-index.json`); null when not recorded. */
  settings: IndexSettings | null;
};

/** Vector search was asked for, but the table has no vector column (no embedding model configured). */
export class VectorSearchUnavailableError extends BelegError {
  constructor() {
    super(userMessage('vector_search_unavailable'));
  }
}

/** Candidates re-ranked with exact distances per wanted vector hit (see searchVector). */
const VECTOR_REFINE_FACTOR = 20;

/** Name of the scalar index on `document_id` (filters by document, chunks of one document). */
const DOCUMENT_ID_INDEX_NAME = 'document_id_btree';
/** Name of the label-list index on `collections` (the collection filter). */
const COLLECTIONS_INDEX_NAME = 'collections_labels';
/** Documents per `update` when setting collections (keeps the filter's SQL small). */
const UPDATE_BATCH = 500;

export class LanceChunkStore implements ChunkStore {
  readonly vectorDimension: number | null;
  /**
   * Why every document's chunks must be rebuilt from the stored texts before the table matches
   * the configured search text and embedding model; null when it matches. See the file comment.
   */
  readonly reindexReason: string | null;
  readonly #directory: string;
  readonly #wanted: IndexSettings;
  readonly #searchText: SearchTextExpansion;
  readonly #connection: lancedb.Connection;
  readonly #table: lancedb.Table;
  readonly #optimizeEvery: number;
  readonly #vectorIndexMinRows: number;
  #hasTextIndex: boolean;
  /** Rows may have been added since the full-text index was last updated (see "Freshness"). */
  #textIndexBehind: boolean;
  #writesSinceOptimize = 0;
  #writeQueue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #settingsDirectory: string;
  readonly #shared: SharedChunkStoreOptions | null;
  /** Whether this process may build and optimize indexes: always when not shared, else while it holds the lease. */
  #maintainer: boolean;
  #maintenanceTimer: NodeJS.Timeout | null = null;
  #maintenanceRuns = 0;
  #lastMaintenanceError: string | null = null;
  /** The table version after this process's last optimize (shared mode). */
  #optimizedVersion = -1;

  private constructor(
    connection: lancedb.Connection,
    table: lancedb.Table,
    options: {
      directory: string;
      vectorDimension: number | null;
      optimizeEvery: number;
      vectorIndexMinRows: number;
      hasTextIndex: boolean;
      searchText: SearchTextExpansion;
      wanted: IndexSettings;
      reindexReason: string | null;
      settingsDirectory: string;
      shared: SharedChunkStoreOptions | null;
      maintainer: boolean;
    },
  ) {
    this.#directory = options.directory;
    this.#settingsDirectory = options.settingsDirectory;
    this.#shared = options.shared;
    this.#maintainer = options.maintainer;
    this.#searchText = options.searchText;
    this.#wanted = options.wanted;
    this.reindexReason = options.reindexReason;
    this.#connection = connection;
    this.#table = table;
    this.vectorDimension = options.vectorDimension;
    this.#optimizeEvery = options.optimizeEvery;
    this.#vectorIndexMinRows = options.vectorIndexMinRows;
    this.#hasTextIndex = options.hasTextIndex;
    // A table opened after a crash may hold rows the index never saw: the first search folds them in.
    this.#textIndexBehind = options.hasTextIndex;
    if (this.#shared) this.#scheduleMaintenance();
  }

  /** Opens (creating if needed) the `chunks` table and brings its vector column in line with the options. */
  static async open(options: LanceChunkStoreOptions): Promise<LanceChunkStore> {
    const vectorDimension = options.vectorDimension ?? null;
    const searchText = options.searchText ?? PLAIN_SEARCH_TEXT;
    const wanted: IndexSettings = {
      searchText: searchText.name,
      embeddingModelId: options.embeddingModelId ?? null,
      chunking: options.chunking ?? LEGACY_CHUNKING,
    };
    const shared = options.shared ?? null;
    const connection = await lancedb.connect(options.directory, {
      ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}),
      // LanceDB counts the interval in seconds; unset, a table never looks for other processes' commits.
      ...(shared ? { readConsistencyInterval: shared.readConsistencyMs / 1000 } : {}),
    });
    const { table, existed } = await openOrCreateTable(connection, vectorDimension);
    // Each step reads the schema first, so one that lost a race to another process finds it done when retried.
    await withCommitRetry(() => addSearchTextColumn(table));
    await withCommitRetry(() => addSentenceFlagsColumn(table));
    await withCommitRetry(() => addCollectionsColumn(table));
    await withCommitRetry(() => alignVectorColumn(table, vectorDimension));
    const maintainer = shared === null || (await shared.lease.tryAcquire());
    const hasTextIndex = maintainer ? await createMissingIndexes(table) : (await table.listIndices()).some((index) => index.name === TEXT_INDEX_NAME);

    const settingsDirectory = options.indexSettingsDirectory ?? options.directory;
    const unrecorded = options.indexSettingsDirectory === undefined ? LEGACY_INDEX_SETTINGS : wanted;
    const current = existed ? (readIndexSettings(settingsDirectory) ?? unrecorded) : wanted;
    const reason = (await table.countRows()) === 0 ? null : reindexReason(current, wanted);
    // Nothing to rebuild (a new or empty table, the same settings, or the model dropped): record now.
    if (reason === null) writeIndexSettings(settingsDirectory, wanted);
    return new LanceChunkStore(connection, table, {
      directory: options.directory,
      vectorDimension,
      optimizeEvery: options.optimizeEvery ?? 32,
      vectorIndexMinRows: options.vectorIndexMinRows ?? 25_000,
      hasTextIndex,
      searchText,
      wanted,
      reindexReason: reason,
      settingsDirectory,
      shared,
      maintainer,
    });
  }

  /**
   * Reads a chunk table without changing it (a backup's copy): its version, and how many chunks
   * each document has, counted in a scan of every column of every row, plus one query through
   * each index, so a copy that lacks a data or index file fails here rather than when served.
   * Null when `directory` holds no chunk table.
   */
  static async inspect(directory: string): Promise<ChunkTableInspection | null> {
    const connection = await lancedb.connect(directory);
    try {
      if (!(await connection.tableNames()).includes(CHUNKS_TABLE)) return null;
      const table = await connection.openTable(CHUNKS_TABLE);
      try {
        const version = await table.version();
        const chunksByDocument = new Map<string, number>();
        let chunks = 0;
        for await (const batch of table.query()) {
          const documentIds = batch.getChild('document_id')!;
          for (let row = 0; row < batch.numRows; row += 1) {
            const id = String(documentIds.get(row));
            chunksByDocument.set(id, (chunksByDocument.get(id) ?? 0) + 1);
          }
          chunks += batch.numRows;
        }
        const indices = (await table.listIndices()).map((index) => index.name);
        if (indices.includes(TEXT_INDEX_NAME)) await table.query().fullTextSearch('beleg', { columns: [SEARCH_TEXT_COLUMN] }).limit(1).toArray();
        const vector = (await table.schema()).fields.find((field) => field.name === VECTOR_COLUMN);
        const dimension = vector ? (vector.type as { listSize?: number }).listSize : undefined;
        if (dimension !== undefined && chunks > 0) await table.vectorSearch(new Array<number>(dimension).fill(0)).column(VECTOR_COLUMN).distanceType('dot').limit(1).toArray();
        return { version, chunks, chunksByDocument, settings: readIndexSettings(directory) };
      } finally {
        table.close();
      }
    } finally {
      connection.close();
    }
  }

  /** Records that every chunk now matches the configured search text and embedding model. */
  markIndexCurrent(): void {
    writeIndexSettings(this.#settingsDirectory, this.#wanted);
  }

  async add(rows: readonly ChunkRow[]): Promise<void> {
    if (rows.length === 0) return;
    for (const row of rows) {
      if (row.vector && this.vectorDimension !== null && row.vector.length !== this.vectorDimension) {
        throw new RangeError(`Chunk ${row.id} has a vector of ${row.vector.length} dimensions; the store expects ${this.vectorDimension}.`);
      }
    }
    const records = rows.map((row) =>
      toTableRow(row.vector ? { ...row, vector: unitLength(row.vector) } : row, this.vectorDimension, this.#searchText.expand(row.text)),
    );
    await this.#write(async () => {
      await withCommitRetry(() => this.#table.add(records));
      this.#textIndexBehind = true;
      if (!this.#hasTextIndex && this.#maintainer) this.#hasTextIndex = await createMissingIndexes(this.#table);
    });
  }

  async deleteDocuments(documentIds: readonly string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.#write(() => withCommitRetry(() => this.#table.delete(documentFilter(documentIds))));
  }

  /**
   * Sets the collections on every chunk of these documents, one `update` per distinct set of
   * collections (and per 500 documents). A document in no collection gets null, which no
   * collection filter matches.
   */
  async setCollections(collectionsByDocument: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const documentsBySet = new Map<string, string[]>();
    for (const [documentId, collectionIds] of collectionsByDocument) {
      const key = JSON.stringify([...new Set(collectionIds)].sort());
      documentsBySet.set(key, [...(documentsBySet.get(key) ?? []), documentId]);
    }
    for (const [key, documentIds] of documentsBySet) {
      const collectionIds = JSON.parse(key) as string[];
      const valueSql = collectionIds.length === 0 ? 'NULL' : `[${collectionIds.map(sqlString).join(', ')}]`;
      for (let start = 0; start < documentIds.length; start += UPDATE_BATCH) {
        const where = documentFilter(documentIds.slice(start, start + UPDATE_BATCH));
        await this.#write(() => withCommitRetry(() => this.#table.update({ where, valuesSql: { [COLLECTIONS_COLUMN]: valueSql } })));
      }
    }
  }

  /** The collections on each document's chunks (one scan; for start-up reconciliation). */
  async collectionsByDocument(): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for await (const batch of this.#table.query().select(['document_id', COLLECTIONS_COLUMN])) {
      const documentIds = batch.getChild('document_id')!;
      const collections = batch.getChild(COLLECTIONS_COLUMN)!;
      for (let row = 0; row < batch.numRows; row += 1) {
        const id = String(documentIds.get(row));
        if (found.has(id)) continue;
        const list = collections.get(row) as { toArray(): unknown[] } | null;
        found.set(id, list ? list.toArray().map(String).sort() : []);
      }
    }
    return found;
  }

  async searchText(query: string, options: { limit: number } & SearchFilter): Promise<SearchHit[]> {
    if (isEmpty(options) || query.trim() === '') return [];
    // Shared: another process's maintainer may have built the index since.
    if (!this.#hasTextIndex && this.#shared) this.#hasTextIndex = await this.#hasIndex(TEXT_INDEX_NAME);
    if (!this.#hasTextIndex) return [];
    if (this.#textIndexBehind && this.#maintainer) {
      // Concurrent searches queue one update each; all but the first find nothing left to do.
      await this.#write(async () => (this.#textIndexBehind ? this.#optimizeNow() : undefined), { countsAsWrite: false });
    }
    let search = this.#table.query().fullTextSearch(query, { columns: [SEARCH_TEXT_COLUMN] }).select([...CHUNK_COLUMNS, '_score']).limit(options.limit);
    const filter = whereOf(options);
    if (filter) search = search.where(filter);
    const records = await search.toArray();
    return records.map((record) => ({ chunk: fromTableRow(record), score: Number(record._score) }));
  }

  /**
   * Cosine similarity search; `score` is 1 − cosine distance. Chunks without a vector are skipped
   * (their distance is null, which LanceDB drops). Stored vectors and the query are unit length
   * (see `unitLength`), so LanceDB's dot distance (1 − dot product) is the cosine distance; it is
   * used because LanceDB's cosine kernel recomputes every stored vector's norm per query and was
   * about 2× slower on a flat scan of 10,000 × 384-d (measured with LanceDB 0.31).
   */
  async searchVector(vector: Float32Array, options: { limit: number } & SearchFilter): Promise<SearchHit[]> {
    if (this.vectorDimension === null) throw new VectorSearchUnavailableError();
    if (vector.length !== this.vectorDimension) {
      throw new RangeError(`The query vector has ${vector.length} dimensions; the store expects ${this.vectorDimension}.`);
    }
    if (isEmpty(options)) return [];
    let search = this.#table
      .vectorSearch(unitLength(vector))
      .column(VECTOR_COLUMN)
      .distanceType('dot')
      // With the IVF-PQ index, distances are approximate (product-quantised codes): re-rank
      // VECTOR_REFINE_FACTOR times the wanted hits with the stored vectors, so the order of the hits
      // is exact. A vector unlike the ones the codebooks were trained on can rank far down by its
      // codes: with 4× its own row lost the top place in 1 of 6 runs of the store test, with 20× in
      // none of 24 (re-ranking 20 × 50 stored vectors costs well under a millisecond). Without an
      // index the search is exact anyway.
      .refineFactor(VECTOR_REFINE_FACTOR)
      .select([...CHUNK_COLUMNS, '_distance'])
      .limit(options.limit);
    // No `vector IS NOT NULL` prefilter: it added a filter pass over every stored vector.
    const filter = whereOf(options);
    if (filter) search = search.where(filter);
    const records = await search.toArray();
    return records.map((record) => ({ chunk: fromTableRow(record), score: 1 - Number(record._distance) }));
  }

  async chunksOf(documentId: string, ordinals?: readonly number[]): Promise<StoredChunk[]> {
    if (ordinals?.length === 0) return [];
    let filter = `document_id = ${sqlString(documentId)}`;
    if (ordinals) filter += ` AND ordinal IN (${ordinals.map((ordinal) => Math.trunc(ordinal)).join(', ')})`;
    const records = await this.#table.query().where(filter).select(CHUNK_COLUMNS).toArray();
    return records.map(fromTableRow).sort((left, right) => left.ordinal - right.ordinal);
  }

  async documentIds(): Promise<string[]> {
    return [...(await this.chunkCountsByDocument()).keys()];
  }

  /** How many chunks each document has (one scan of the `document_id` column). */
  async chunkCountsByDocument(): Promise<Map<string, number>> {
    const records = await this.#table.query().select(['document_id']).toArray();
    const counts = new Map<string, number>();
    for (const record of records) {
      const id = String(record.document_id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async countChunks(documentId?: string): Promise<number> {
    return this.#table.countRows(documentId === undefined ? undefined : `document_id = ${sqlString(documentId)}`);
  }

  /**
   * Compacts files, folds new rows into the full-text index and prunes old versions. In shared
   * mode only the maintaining process does; for the others this does nothing.
   */
  async optimize(): Promise<void> {
    if (!this.#maintainer) return;
    await this.#write(() => withCommitRetry(() => this.#optimizeNow()));
  }

  /** Rows the full-text index does not cover yet (they are still searched, only slower). */
  async unindexedRows(): Promise<number> {
    if (!this.#hasTextIndex) return this.countChunks();
    const statistics = await this.#table.indexStats(TEXT_INDEX_NAME);
    return statistics?.numUnindexedRows ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#maintenanceTimer) clearTimeout(this.#maintenanceTimer);
    this.#maintenanceTimer = null;
    await this.#writeQueue.catch(() => undefined);
    if (this.#writesSinceOptimize > 0 && this.#maintainer) await this.#optimizeNow().catch(() => undefined);
    this.#closed = true;
    this.#table.close();
    this.#connection.close();
    await this.#shared?.lease.release();
  }

  /**
   * Who maintains the indexes: `maintainer` is true when this process builds and optimizes them
   * (always when the store is not shared); `runs` counts the maintenance rounds that optimized
   * (shared mode); `lastError` is the last round's failure, null after a round that succeeded.
   */
  indexMaintenance(): { shared: boolean; maintainer: boolean; runs: number; lastError: string | null } {
    return { shared: this.#shared !== null, maintainer: this.#maintainer, runs: this.#maintenanceRuns, lastError: this.#lastMaintenanceError };
  }

  /**
   * Shared mode, one round: takes the lease when free; as its holder, builds missing indexes and
   * optimizes when any process added rows the full-text index does not cover, or after
   * `optimizeEvery` commits (deletes leave files to compact). Runs through the write queue.
   */
  async maintain(): Promise<void> {
    const shared = this.#shared;
    if (shared === null || this.#closed) return;
    if (!this.#maintainer) this.#maintainer = await shared.lease.tryAcquire();
    if (!this.#maintainer) return;
    await this.#write(
      async () => {
        await this.#table.checkoutLatest();
        if (!this.#hasTextIndex) this.#hasTextIndex = await createMissingIndexes(this.#table);
        if (!this.#hasTextIndex) return;
        const unindexed = (await this.#table.indexStats(TEXT_INDEX_NAME))?.numUnindexedRows ?? 0;
        const version = await this.#table.version();
        if (unindexed === 0 && version - this.#optimizedVersion < this.#optimizeEvery) return;
        await withCommitRetry(() => this.#optimizeNow());
        this.#optimizedVersion = await this.#table.version();
        this.#maintenanceRuns += 1;
      },
      { countsAsWrite: false },
    );
  }

  #scheduleMaintenance(): void {
    const interval = this.#shared?.maintenanceIntervalMs ?? 1000;
    this.#maintenanceTimer = setTimeout(() => {
      this.maintain().then(
        () => {
          this.#lastMaintenanceError = null;
        },
        (error: unknown) => {
          // Next round tries again (e.g. after a commit race it lost more often than retried).
          this.#lastMaintenanceError = error instanceof Error ? error.message : String(error);
        },
      ).finally(() => {
        if (!this.#closed) this.#scheduleMaintenance();
      });
    }, interval);
    // Maintenance alone never keeps a process alive.
    this.#maintenanceTimer.unref();
  }

  async #hasIndex(name: string): Promise<boolean> {
    return (await this.#table.listIndices()).some((index) => index.name === name);
  }

  /**
   * Whether vector search uses an ANN index, and over how many rows it was built (rows added
   * since are searched flat until the next optimize folds them in).
   */
  async vectorIndex(): Promise<{ indexedRows: number; unindexedRows: number } | null> {
    if (!(await this.#table.listIndices()).some((index) => index.name === VECTOR_INDEX_NAME)) return null;
    const statistics = await this.#table.indexStats(VECTOR_INDEX_NAME);
    return statistics ? { indexedRows: statistics.numIndexedRows, unindexedRows: statistics.numUnindexedRows } : null;
  }

  /**
   * Builds (or rebuilds) the IVF-PQ index on the vectors now, whatever the table's size;
   * `optimize()` does this by itself from `vectorIndexMinRows` chunks on.
   */
  async buildVectorIndex(): Promise<void> {
    await this.#write(() => this.#buildVectorIndexNow(), { countsAsWrite: false });
  }

  async #buildVectorIndexNow(): Promise<void> {
    if (this.vectorDimension === null) throw new VectorSearchUnavailableError();
    const rows = await this.#table.countRows(`${VECTOR_COLUMN} IS NOT NULL`);
    if (rows === 0) return;
    const dimension = this.vectorDimension;
    // PQ sub-vectors of 8 dimensions where the dimension allows (384 → 48), else of 4, 2 or 1.
    const subVectorSize = [8, 4, 2, 1].find((size) => dimension % size === 0)!;
    const config = lancedb.Index.ivfPq({
      numPartitions: Math.max(1, Math.round(Math.sqrt(rows))),
      numSubVectors: dimension / subVectorSize,
      distanceType: 'dot',
    });
    await this.#table.createIndex(VECTOR_COLUMN, { config, name: VECTOR_INDEX_NAME, replace: true });
  }

  async #optimizeNow(): Promise<void> {
    this.#writesSinceOptimize = 0;
    await this.#table.optimize({ cleanupOlderThan: new Date(Date.now() - KEEP_VERSIONS_MS) });
    this.#textIndexBehind = false;
    if (this.vectorDimension === null) return;
    const index = await this.vectorIndex();
    const rows = index ? index.indexedRows + index.unindexedRows : await this.#table.countRows(`${VECTOR_COLUMN} IS NOT NULL`);
    const due = index ? rows >= VECTOR_INDEX_REGROWTH * Math.max(1, index.indexedRows) : rows >= this.#vectorIndexMinRows;
    if (due) await this.#buildVectorIndexNow();
  }

  /** Runs one write after the previous ones, then optimizes every `optimizeEvery` writes. */
  #write<T>(operation: () => Promise<T>, options: { countsAsWrite?: boolean } = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The chunk store is closed.'));
    const result = this.#writeQueue.then(async () => {
      const value = await operation();
      if (options.countsAsWrite === false) return value;
      this.#writesSinceOptimize += 1;
      if (this.#writesSinceOptimize >= this.#optimizeEvery && this.#maintainer) await withCommitRetry(() => this.#optimizeNow());
      return value;
    });
    this.#writeQueue = result.catch(() => undefined);
    return result;
  }
}

/**
 * The vector scaled to length 1 (a zero vector stays zero), as an array LanceDB accepts. The
 * embedding models already return unit vectors; this keeps cosine = dot for any caller.
 */
function unitLength(vector: ArrayLike<number>): number[] {
  let sumOfSquares = 0;
  for (let index = 0; index < vector.length; index += 1) sumOfSquares += vector[index]! * vector[index]!;
  const norm = Math.sqrt(sumOfSquares);
  return Array.from(vector, (value) => (norm === 0 ? value : value / norm));
}

/**
 * Opens the chunks table, creating it when there is none. On a shared store another process may
 * be creating it at this very moment: LanceDB then lists the table before its first version is
 * committed and opening it fails with "not found"; that is waited out (bounded, with backoff) rather
 * than taken for a missing table.
 */
async function openOrCreateTable(connection: lancedb.Connection, vectorDimension: number | null): Promise<{ table: lancedb.Table; existed: boolean }> {
  const attempts = 8;
  for (let attempt = 1; ; attempt += 1) {
    const existed = (await connection.tableNames()).includes(CHUNKS_TABLE);
    try {
      const table = existed
        ? await connection.openTable(CHUNKS_TABLE)
        : await withCommitRetry(() => connection.createEmptyTable(CHUNKS_TABLE, chunkTableSchema(vectorDimension), { mode: 'create', existOk: true }));
      return { table, existed };
    } catch (error) {
      const beingCreated = /not found/i.test(error instanceof Error ? error.message : String(error));
      if (!beingCreated || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}

/** Whether the filter excludes everything (an empty list of documents or collections). */
function isEmpty(filter: SearchFilter): boolean {
  return filter.documentIds?.length === 0 || filter.collectionIds?.length === 0;
}

/** The SQL filter of a search; undefined when it is unrestricted. */
function whereOf(filter: SearchFilter): string | undefined {
  const parts: string[] = [];
  if (filter.collectionIds) parts.push(collectionFilter(filter.collectionIds));
  if (filter.documentIds) parts.push(documentFilter(filter.documentIds));
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/** Creates the B-tree on `document_id` and the label list on `collections` where missing. */
async function createScalarIndexes(table: lancedb.Table, existing: readonly string[]): Promise<void> {
  if (!existing.includes(DOCUMENT_ID_INDEX_NAME)) await table.createIndex('document_id', { config: lancedb.Index.btree(), name: DOCUMENT_ID_INDEX_NAME, replace: true });
  if (!existing.includes(COLLECTIONS_INDEX_NAME)) await table.createIndex(COLLECTIONS_COLUMN, { config: lancedb.Index.labelList(), name: COLLECTIONS_INDEX_NAME, replace: true });
}

/**
 * Gives a table from before the collections column one (all null); start-up reconciliation then
 * copies every ready document's collections from SQLite onto its chunks.
 */
async function addCollectionsColumn(table: lancedb.Table): Promise<void> {
  const schema = await table.schema();
  if (schema.fields.some((field) => field.name === COLLECTIONS_COLUMN)) return;
  await table.addColumns(collectionsField());
}

/**
 * Creates the full-text index and the scalar indexes when missing and the table has rows (LanceDB
 * builds no index over an empty table); whether the full-text index exists now. The scalar ones: a
 * B-tree on `document_id` (a search restricted to documents, a document's chunks) and a label list
 * on `collections` (a collection's search). `optimize()` folds new rows into all of them; rows not
 * yet folded in are scanned.
 */
async function createMissingIndexes(table: lancedb.Table): Promise<boolean> {
  const names = (await table.listIndices()).map((index) => index.name);
  if ((await table.countRows()) === 0) return names.includes(TEXT_INDEX_NAME);
  if (!names.includes(TEXT_INDEX_NAME)) {
    await withCommitRetry(() => table.createIndex(SEARCH_TEXT_COLUMN, { config: lancedb.Index.fts(GERMAN_FULL_TEXT), name: TEXT_INDEX_NAME, replace: true }));
  }
  await withCommitRetry(() => createScalarIndexes(table, names));
  return true;
}

/**
 * Gives a table from before the search column one (a copy of `text`) and drops its index on
 * `text`; the owner then rebuilds the chunks for the configured expansion (see `reindexReason`).
 */
async function addSearchTextColumn(table: lancedb.Table): Promise<void> {
  const schema = await table.schema();
  if (schema.fields.some((field) => field.name === SEARCH_TEXT_COLUMN)) return;
  await table.addColumns([{ name: SEARCH_TEXT_COLUMN, valueSql: 'text' }]);
  if ((await table.listIndices()).some((index) => index.name === LEGACY_TEXT_INDEX_NAME)) await table.dropIndex(LEGACY_TEXT_INDEX_NAME);
}

/**
 * Gives a table from before the sentence flags column one (all null: the flags are unknown); the
 * chunking recorded in the index settings then has the owner rebuild the chunks.
 */
async function addSentenceFlagsColumn(table: lancedb.Table): Promise<void> {
  const schema = await table.schema();
  if (schema.fields.some((field) => field.name === SENTENCE_FLAGS_COLUMN)) return;
  await table.addColumns(sentenceFlagsField());
}

/** Adds, replaces or leaves the vector column so that it matches `vectorDimension`. */
async function alignVectorColumn(table: lancedb.Table, vectorDimension: number | null): Promise<void> {
  if (vectorDimension === null) return;
  const schema = await table.schema();
  const field = schema.fields.find((candidate) => candidate.name === VECTOR_COLUMN);
  const currentDimension = field ? (field.type as { listSize?: number }).listSize : undefined;
  if (currentDimension === vectorDimension) return;
  if (field) await table.dropColumns([VECTOR_COLUMN]);
  await table.addColumns(vectorField(vectorDimension));
}
