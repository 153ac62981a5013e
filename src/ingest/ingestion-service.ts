/**
 * The ingestion pipeline: documents go in as `pending` rows with a saved job, a bounded background
 * queue indexes them one (or two) at a time, and they come out `ready` (text in SQLite, chunks in
 * LanceDB) or `failed` (error code and message), never half done.
 *
 * Order of writes, and why (SQLite is the source of truth; retrieval sees only `ready` documents):
 *   1. submit: file bytes saved (fsync + rename; texts go into the job row), then one transaction
 *      inserts the `pending` row and its job. A crash before the commit leaves at most an unused upload.
 *   2. `indexing`; load and chunk (no writes). Whatever is queued is taken as one batch.
 *   3. chunks of an earlier attempt removed, then all chunks of the batch written in ONE
 *      LanceDB `add` (one commit: all or nothing).
 *   4. one SQLite transaction: texts stored, status `ready`, jobs deleted, superseded versions
 *      (URL re-ingestion) deleted and aliased. This commit is the acknowledgement.
 *   5. superseded versions' chunks deleted from LanceDB, uploads removed.
 * A crash between 3 and 4 leaves chunks of non-ready documents (invisible; reconcile removes
 * them and the jobs run again); between 4 and 5, chunks of deleted documents (invisible; removed
 * by reconcile). See ./reconcile.ts.
 *
 * Work queue (several processes on one PostgreSQL, `queue` set): `submit` only records the row and
 * its job; worker processes take jobs from the database with a lease (../db/postgres/postgres-job-queue.ts)
 * and run them through the same batches. A worker renews its leases every third of the lease, and
 * checks it still holds a document's lease right before writing its chunks and again right before
 * the commit of step 4; a document whose lease it lost (it was too slow, or the document was
 * removed) is dropped without touching the chunks another worker may be writing. A killed worker
 * simply stops renewing: when the lease runs out another worker takes the job as a retry and
 * deletes the earlier attempt's chunks first. Callers waiting for a document another process
 * indexes (`ingest`, `settled`) look at its row every `pollMs`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_COLLECTION_ID, type DistributedKeyedLock, type DocumentRepository, type JobQueue, type UploadStore, type DocumentRow, type IngestJobRow, type JobInput, type ReadyDocument } from '../db/index.ts';
import { BelegError, CancelledError, CollectionNotFoundError, DocumentNotReadyError, DocumentTooLargeError, NotFoundError, OverloadedError, UnprocessableDocumentError, ValidationError } from '../errors.ts';
import { describeFirstIssue, userMessage } from '../messages/index.ts';
import { SENTENCE_BLOCK_START, SENTENCE_HEADING, type ChunkRow, type ChunkStore } from '../store/chunk-store.ts';
import { parseFetchableUrl } from './fetch/fetchable-url.ts';
import { KeyedLock } from './keyed-lock.ts';
import { assertOcrAllowed, type LoadOptions } from './load-document.ts';
import { detectDocumentType } from './loaders/detect-document-type.ts';
import { readImageHeader } from './ocr/image-header.ts';
import { DEFAULT_OCR_SETTINGS, type OcrProgress } from './ocr/ocr-settings.ts';
import type { ChunkDraft, CollectionScope, QueueStatus, DocumentAttachment, DocumentInput, DocumentRecord, IngestOptions, Ingestion, ListDocumentsOptions, LoadedDocument, PageSpan, SubmitOptions } from './types.ts';

/** Turns chunk texts into vectors (the embedding model), when one is configured. */
export type ChunkEmbedder = {
  dimension: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
};

export type IngestionServiceOptions = {
  repository: DocumentRepository;
  store: ChunkStore;
  uploads: UploadStore;
  /**
   * Several processes on one PostgreSQL database: jobs wait in `jobs` (a queue with leases)
   * instead of this process's memory, and only a process with `work` takes them. See
   * "Work queue" in the file comment.
   */
  queue?: WorkQueueOptions;
  /** Locks per content hash and URL across processes (PostgreSQL), besides this process's own. */
  contentLock?: DistributedKeyedLock;
  /** Loads a document (src/ingest/load-document.ts in production). */
  load: (input: DocumentInput, options: LoadOptions) => Promise<LoadedDocument>;
  /** Cuts a loaded document into chunks (chunkDocument with the Llama-2 tokenizer in production). */
  chunk: (document: LoadedDocument) => ChunkDraft[];
  embedder?: ChunkEmbedder;
  /** Limits for loading; the signal is set per job. */
  loadOptions: Omit<LoadOptions, 'signal'>;
  /** Documents that may wait or run at once before `submit` throws OverloadedError. */
  queueSize: number;
  /** Most documents indexed together in one batch (default 64); see #processBatch. */
  batchSize?: number;
  /** Called by `close()` after work has stopped: closes the stores. */
  release?: () => Promise<void>;
};

/** The shared work queue's settings (PostgreSQL mode). */
export type WorkQueueOptions = {
  jobs: JobQueue;
  /** Whether this process takes jobs (`--role worker` or `all`); an `api` replica only records them. */
  work: boolean;
  /** How long a lease lasts; renewed every third of it while the job runs. */
  leaseMs: number;
  /** How often an idle worker looks for jobs, and a waiting caller for a document's end. */
  pollMs: number;
};

export { DocumentNotReadyError };

/** A document loaded and chunked, waiting for its batch's write. */
type PreparedDocument = { id: string; job: IngestJobRow; rows: ChunkRow[]; ready: ReadyDocument; attachments?: DocumentAttachment[] };

type Waiter = { resolve: (record: DocumentRecord) => void; reject: (error: unknown) => void };

/** A batch stops taking documents after this many chunks or this long preparing, so big files don't delay acknowledgements. */
const BATCH_MAX_CHUNKS = 2048;
const BATCH_MAX_PREPARE_MS = 1000;
const LIST_LIMIT_DEFAULT = 50;
const LIST_LIMIT_MAX = 1000;

/** What `submit` accepts; checked here because the API and the CLI both hand inputs in. */
const documentInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    fileName: z.string().min(1).max(1024),
    bytes: z.instanceof(Uint8Array),
    mimeType: z.string().max(255).optional(),
  }),
  z.object({ kind: z.literal('url'), url: z.string().max(8192) }),
  z.object({
    kind: z.literal('text'),
    fileName: z.string().max(1024).optional(),
    title: z.string().max(1024).optional(),
    text: z.string(),
    mimeType: z.enum(['text/plain', 'text/markdown']).optional(),
  }),
]);

function parseInput(input: DocumentInput): DocumentInput {
  const parsed = documentInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { path, problem } = describeFirstIssue(documentInputSchema, input, parsed.error);
  throw new ValidationError(userMessage('validation_failed.document_input', { field: path || 'kind', problem }), { field: path });
}

/**
 * A metadata row as the ingestion contract's record, with the ids of its attachments when it has
 * some and OCR progress while it is being indexed.
 */
function toDocumentRecord(row: DocumentRow, attachmentIds: readonly string[] = [], progress?: OcrProgress, collectionIds: readonly string[] = []): DocumentRecord {
  return {
    ...row,
    collectionIds: [...collectionIds],
    ...(attachmentIds.length > 0 ? { attachmentIds: [...attachmentIds] } : {}),
    ...(progress && row.status === 'indexing' ? { progress: { ...progress } } : {}),
  };
}

/** Shorter side of an image attachment, in pixels, from which it is taken for a scanned page (an A5 page at 150 dpi has 874). */
const SCANNED_PAGE_MIN_PIXELS = 800;

/** Whether an image attachment is the size of a scanned page (both sides at least SCANNED_PAGE_MIN_PIXELS). */
function looksLikeScannedPage(bytes: Uint8Array): boolean {
  const header = readImageHeader(bytes);
  return header !== null && Math.min(header.width, header.height) >= SCANNED_PAGE_MIN_PIXELS;
}

/** An attachment's file name as stored: no control characters or path separators, at most 255 characters. */
function attachmentFileName(fileName: string): string {
  const cleaned = fileName.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim().slice(0, 255);
  return cleaned.length > 0 ? cleaned : 'anhang';
}

/** sha256 of bytes, lowercase hex. */
export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class IngestionService implements Ingestion {
  readonly #repository: DocumentRepository;
  readonly #store: ChunkStore;
  readonly #uploads: UploadStore;
  readonly #options: IngestionServiceOptions;
  readonly #batchSize: number;
  readonly #queue: string[] = [];
  /** The ids in #queue, for constant-time membership checks with thousands queued. */
  readonly #queued = new Set<string>();
  /** Documents of the running batch, each with its own abort (remove aborts one, close all). */
  readonly #running = new Map<string, AbortController>();
  #batch: Promise<void> | null = null;
  #pumpScheduled = false;
  readonly #waiters = new Map<string, Waiter[]>();
  /** Documents removed while queued or running: their job must not write anything more. */
  readonly #removed = new Set<string>();
  #closing = false;
  /** The latest copy of collections onto chunks (they run one after another, each reading SQLite when it starts). */
  #collectionSync: Promise<void> = Promise.resolve();
  #closed: Promise<void> | null = null;
  /** OCR progress of documents being loaded now, by id (memory only: it is gone once they are ready). */
  readonly #progress = new Map<string, OcrProgress>();
  /** Who waits in `ingest` with an `onProgress`, by document id. */
  readonly #progressListeners = new Map<string, Array<(progress: OcrProgress) => void>>();
  /**
   * Serializes the check-then-write steps per content hash (`sha256:…`) and per URL (`url:…`):
   * finding identical content and inserting, and deciding whether an upload is still needed and
   * deleting it, must not interleave with each other across awaited queries.
   */
  readonly #contentLock = new KeyedLock();
  /** Documents whose lease this worker lost (work queue): their chunks belong to whoever took them over. */
  readonly #leaseLost = new Set<string>();
  /** Wakes the idle claim loop (work queue). */
  #wakeClaimer: (() => void) | null = null;
  #claiming: Promise<void> | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #waitPoll: NodeJS.Timeout | null = null;
  /** The shared queue's depth, looked up at most once a second (work queue). */
  #sharedDepth: { at: number; waiting: number; leased: number } | null = null;

  constructor(options: IngestionServiceOptions) {
    this.#options = options;
    this.#repository = options.repository;
    this.#store = options.store;
    this.#uploads = options.uploads;
    this.#batchSize = Math.max(1, options.batchSize ?? 64);
  }

  // ---- the Ingestion contract ------------------------------------------------------------------

  async submit(input: DocumentInput, options: SubmitOptions = {}): Promise<DocumentRecord> {
    this.#assertOpen();
    const row = await this.#submitRow(input, null, options.collectionId);
    await this.#collectionSync;
    return this.#record(row);
  }

  /**
   * Like submit, but resolves once the document is `ready` or `failed`; an e-mail once its
   * attachments are too (so `beleg ingest mail.eml` leaves nothing half done). `onProgress` hears
   * OCR progress while a scan is read.
   */
  async ingest(input: DocumentInput, options: IngestOptions = {}): Promise<DocumentRecord> {
    this.#assertOpen();
    const row = await this.#submitRow(input, null, options.collectionId);
    // Wait from now on: the document may be indexed while collections are still being copied onto chunks.
    const settling = row.status === 'ready' || row.status === 'failed' ? this.#record(row) : this.#settledWithProgress(row.id, options.onProgress);
    if (row.status !== 'ready' && row.status !== 'failed') {
      // Handled below (Promise.all); marked now so a rejection meanwhile is not reported as unhandled.
      Promise.resolve(settling).catch(() => undefined);
      // Identical content another submission was already indexing may have settled while this one
      // awaited the database (PostgreSQL): then nobody would wake the waiter registered just now.
      const now = await this.#repository.find(row.id);
      if (now && (now.status === 'ready' || now.status === 'failed')) this.#resolveWaiters(row.id, await this.#record(now));
    }
    const [record] = await Promise.all([settling, this.#collectionSync]);
    if (!record.attachmentIds) return record;
    // An attachment that is not queued (removed, or shutting down) simply is not waited for.
    await Promise.all(record.attachmentIds.map((id) => this.settled(id).catch(() => undefined)));
    return record;
  }

  async #settledWithProgress(id: string, onProgress: IngestOptions['onProgress']): Promise<DocumentRecord> {
    if (!onProgress) return this.#settled(id);
    const listeners = this.#progressListeners.get(id) ?? [];
    listeners.push(onProgress);
    this.#progressListeners.set(id, listeners);
    try {
      return await this.#settled(id);
    } finally {
      const left = (this.#progressListeners.get(id) ?? []).filter((listener) => listener !== onProgress);
      if (left.length > 0) this.#progressListeners.set(id, left);
      else this.#progressListeners.delete(id);
    }
  }

  /**
   * Resolves once the document is `ready` or `failed` (at once if it is already); rejects with
   * NotFoundError if it does not exist or is removed, CancelledError if beleg shuts down first.
   */
  async settled(id: string): Promise<DocumentRecord> {
    const row = await this.#repository.find(id);
    if (!row) throw new NotFoundError('document', id);
    if (row.status === 'ready' || row.status === 'failed') return this.#record(row);
    // Work queue: any worker may be indexing it; it is on its way while its job exists.
    const onItsWay = this.#options.queue ? !this.#closing && (await this.#repository.job(row.id)) !== undefined : this.#running.has(row.id) || this.#queued.has(row.id);
    if (!onItsWay) {
      throw new CancelledError(userMessage('cancelled.not_queued', { id: row.id, status: userMessage(`fragment.document_status.${row.status}`) }));
    }
    return this.#settled(row.id);
  }

  async get(id: string, scope: CollectionScope = '*'): Promise<DocumentRecord> {
    return this.#record(await this.#visible(id, scope));
  }

  /** The document's row when it exists and is in a collection of `scope`; else NotFoundError (a document outside the scope does not exist for the caller). */
  async #visible(id: string, scope: CollectionScope): Promise<DocumentRow> {
    const row = await this.#repository.find(id);
    if (!row || !(await this.#repository.collections.isVisible(row.id, scope))) throw new NotFoundError('document', id);
    return row;
  }

  async list(options: ListDocumentsOptions = {}): Promise<{ documents: DocumentRecord[]; total: number }> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? LIST_LIMIT_DEFAULT), 1), LIST_LIMIT_MAX);
    const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
    const { rows, total } = await this.#repository.list({ limit, offset, status: options.status, collectionIds: options.collectionIds });
    const ids = rows.map((row) => row.id);
    const attachments = await this.#repository.attachmentIdsOf(ids);
    const memberships = await this.#repository.collections.collectionsOfMany(ids);
    return {
      documents: rows.map((row) => toDocumentRecord(row, attachments.get(row.id), this.#progress.get(row.id), memberships.get(row.id))),
      total,
    };
  }

  /**
   * Removes the document. An e-mail takes its attachments along, except those another mail still
   * has attached (they now count as coming from that mail) and those the user uploaded on their own.
   */
  async remove(id: string, scope: CollectionScope = '*'): Promise<void> {
    const row = await this.#visible(id, scope);
    const attachmentIds = await this.#repository.attachmentIds(row.id);
    if (scope !== '*' && (await this.#repository.collections.removeDocument(row.id, scope)) > 0) {
      // Still in a collection the caller cannot see: only its place in the caller's collections goes, and its attachments' with it.
      const kept = [row.id];
      for (const attachmentId of attachmentIds) {
        const attachment = await this.#repository.find(attachmentId);
        if (!attachment || attachment.parentId === null) continue;
        if ((await this.#repository.collections.removeDocument(attachment.id, scope)) === 0) await this.remove(attachment.id);
        else kept.push(attachment.id);
      }
      await this.#syncCollections(kept);
      return;
    }
    await this.#removeOne(row);
    for (const attachmentId of attachmentIds) {
      const attachment = await this.#repository.find(attachmentId);
      if (!attachment || attachment.parentId === null) continue;
      const parents = await this.#repository.parentIds(attachment.id);
      if (parents.length === 0) await this.remove(attachment.id);
      else if (attachment.parentId === row.id) await this.#repository.setParent(attachment.id, parents[0]!);
    }
  }

  async #removeOne(row: DocumentRow): Promise<void> {
    // Taken off the queue and stopped before the first await, so no batch starts writing it meanwhile.
    this.#removed.add(row.id);
    if (this.#queued.delete(row.id)) this.#queue.splice(this.#queue.indexOf(row.id), 1);
    this.#running.get(row.id)?.abort(new CancelledError(userMessage('cancelled.document_removed', { id: row.id })));
    const job = await this.#repository.job(row.id);
    // The metadata first: once this commits the document is gone for retrieval, whatever happens next.
    await this.#repository.remove(row.id);
    await this.#store.deleteDocuments([row.id]);
    if (job?.uploadSha256) await this.#releaseUpload(job.uploadSha256, row.id);
    this.#rejectWaiters(row.id, new NotFoundError('document', row.id));
  }

  /**
   * Moves a document out of the caller's collections (every collection for an unscoped caller)
   * into `collectionId`; a mail's attachments move with it. Visible in the new collection and gone
   * from the old ones for retrieval as soon as this resolves (questions already running check
   * again after their search). The caller must be allowed to use `collectionId` (the API checks).
   */
  async move(id: string, collectionId: string, scope: CollectionScope = '*'): Promise<DocumentRecord> {
    const row = await this.#visible(id, scope);
    if (!(await this.#repository.collections.find(collectionId))) throw new CollectionNotFoundError(collectionId);
    const attachmentIds: string[] = [];
    for (const attachmentId of await this.#repository.attachmentIds(row.id)) {
      if ((await this.#repository.find(attachmentId))?.parentId != null) attachmentIds.push(attachmentId);
    }
    for (const documentId of [row.id, ...attachmentIds]) await this.#repository.collections.moveDocument(documentId, scope, collectionId);
    await this.#syncCollections([row.id, ...attachmentIds]);
    return this.#record((await this.#repository.find(row.id)) ?? row);
  }

  async text(id: string, scope: CollectionScope = '*'): Promise<string> {
    const row = await this.#visible(id, scope);
    const text = row.status === 'ready' ? await this.#repository.text(row.id) : undefined;
    if (text === undefined) throw new DocumentNotReadyError(row.id, row.status);
    return text;
  }

  /** The PDF page spans of a ready document (offsets into its stored text), null when it is not paged. */
  async pages(id: string, scope: CollectionScope = '*'): Promise<PageSpan[] | null> {
    const row = await this.#visible(id, scope);
    if (row.status !== 'ready') throw new DocumentNotReadyError(row.id, row.status);
    return this.#repository.pages(row.id);
  }

  /** Documents waiting or being indexed: this process's queue, or (work queue) every worker's, as last looked up. */
  queueDepth(): number {
    const local = this.#queue.length + this.#running.size;
    if (!this.#options.queue) return local;
    return Math.max(local, (this.#sharedDepth?.waiting ?? 0) + (this.#sharedDepth?.leased ?? 0));
  }

  /** Where the queue is and how deep, looked up now (for /health and /metrics). */
  async queueStatus(): Promise<QueueStatus> {
    const local = this.#queue.length + this.#running.size;
    if (!this.#options.queue) return { kind: 'memory', working: true, waiting: this.#queue.length, running: this.#running.size, local };
    const shared = await this.#refreshSharedDepth(0);
    return { kind: 'postgres', working: this.#options.queue.work, waiting: shared.waiting, running: shared.leased, local };
  }

  async #refreshSharedDepth(maxAgeMs = 1000): Promise<{ waiting: number; leased: number }> {
    const cached = this.#sharedDepth;
    if (cached && performance.now() - cached.at <= maxAgeMs) return cached;
    const depth = await this.#options.queue!.jobs.depth();
    this.#sharedDepth = { at: performance.now(), ...depth };
    return depth;
  }

  /**
   * Work queue: starts taking jobs from the shared queue (a worker's part; call it once start-up
   * reconciliation is done). Without a work queue, or for an `api` replica, it does nothing.
   */
  startWorking(): void {
    const queue = this.#options.queue;
    if (!queue?.work || this.#claiming || this.#closing) return;
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(50, Math.floor(queue.leaseMs / 3)));
    this.#heartbeat.unref();
    this.#claiming = this.#claimLoop(queue).catch((error) => {
      console.error('beleg: the work queue loop stopped unexpectedly:', error);
    });
  }

  /**
   * Takes jobs while there is room in this process (two batches' worth), else waits to be woken or
   * `pollMs`. Every other lease period it also deletes uploads no job needs any more (a worker
   * killed between a document's `ready` and the deletion of its upload leaves it behind).
   */
  async #claimLoop(queue: WorkQueueOptions): Promise<void> {
    let sweptAt = performance.now();
    while (!this.#closing) {
      if (performance.now() - sweptAt >= queue.leaseMs * 2) {
        sweptAt = performance.now();
        await this.#sweepUploads().catch(() => undefined);
      }
      const room = this.#batchSize * 2 - (this.#queue.length + this.#running.size);
      let claimed: string[] = [];
      if (room > 0) {
        try {
          claimed = await queue.jobs.claim(Math.min(room, this.#batchSize));
        } catch (error) {
          // The database is away for a moment: try again after the poll interval.
          if (!this.#closing) console.error('beleg: could not take jobs from the work queue:', error instanceof Error ? error.message : error);
        }
        if (this.#closing) {
          await queue.jobs.release(claimed).catch(() => undefined);
          return;
        }
        for (const id of claimed) this.#enqueueLocal(id);
      }
      if (claimed.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, queue.pollMs);
          timer.unref();
          this.#wakeClaimer = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wakeClaimer = null;
      }
    }
  }

  /** The heartbeat: renews the leases of everything this worker holds; drops what it lost. */
  async #renewLeases(): Promise<void> {
    const ids = [...this.#queued, ...this.#running.keys()];
    if (ids.length === 0 || this.#closing) return;
    try {
      await this.#holding(ids);
    } catch {
      // Could not reach the database: the leases still run; the next beat tries again.
    }
  }

  /**
   * Renews the leases on `ids` and returns those still held; the others are dropped from this
   * process (taken off the queue, their running job aborted, remembered in #leaseLost).
   */
  async #holding(ids: readonly string[]): Promise<Set<string>> {
    const queue = this.#options.queue;
    if (!queue) return new Set(ids);
    const held = await queue.jobs.renew(ids);
    for (const id of ids) {
      if (held.has(id)) continue;
      this.#leaseLost.add(id);
      if (this.#queued.delete(id)) this.#queue.splice(this.#queue.indexOf(id), 1);
      this.#running.get(id)?.abort(new CancelledError(userMessage('cancelled.lease_lost', { id })));
    }
    return held;
  }

  /**
   * Of documents whose lease was lost, those removed meanwhile: their chunks are this worker's to
   * delete. The others were taken over; their chunks belong to the new worker.
   */
  async #removedAmong(ids: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const id of ids) if ((await this.#repository.find(id)) === undefined) removed.push(id);
    return removed;
  }

  /**
   * Ids of the `ready` documents. Retrieval restricts chunk search to these: SQLite is the source
   * of truth, and chunks of any other document (being written, or left by a crash) stay invisible.
   */
  async readyDocumentIds(): Promise<string[]> {
    return this.#repository.readyIds();
  }

  /**
   * Which of these document ids are `ready`, checked in SQLite now. For filtering search hits
   * after the fact: with many documents this is far cheaper than passing every ready id into the
   * chunk store's filter, and, checked after the search returns, it also drops hits of a document
   * deleted while the search ran.
   */
  async readyAmong(documentIds: readonly string[]): Promise<Set<string>> {
    return this.#repository.readyAmong(documentIds);
  }

  /** Which of these document ids are `ready` and in a collection of `scope`, checked in SQLite now (a document moved or deleted meanwhile drops out). */
  async visibleReadyAmong(documentIds: readonly string[], scope: CollectionScope): Promise<Set<string>> {
    return this.#repository.collections.visibleReadyAmong(documentIds, scope);
  }

  /** Ids of the `ready` documents in at least one of these collections: retrieval's filter, passed into the chunk store's query. */
  async readyDocumentIdsIn(collectionIds: readonly string[]): Promise<string[]> {
    return this.#repository.collections.readyIdsIn(collectionIds);
  }

  /**
   * Queues documents found `pending`/`indexing` at start-up (see reconcile). Their rows and jobs
   * already exist; they run again from their saved input.
   */
  resume(documentIds: readonly string[]): void {
    for (const id of documentIds) this.#enqueueLocal(id);
  }

  /**
   * Rebuilds the chunks of ready documents from their stored text (after reconcile found them
   * missing from the chunk store). The documents stay `ready` throughout; until their chunks are
   * back, search simply does not find them. Returns the ids rebuilt.
   */
  async rebuild(documentIds: readonly string[]): Promise<string[]> {
    const rebuilt: string[] = [];
    for (const id of documentIds) {
      if (this.#closing) break;
      const stored = await this.#repository.storedDocument(id);
      if (!stored) continue;
      const loaded: LoadedDocument = {
        text: stored.text,
        title: stored.title,
        mimeType: stored.mimeType ?? 'text/plain',
        language: stored.language,
        ...(stored.pages ? { pages: stored.pages } : {}),
        ...(stored.sections ? { sections: stored.sections } : {}),
        bytes: new Uint8Array(0),
      };
      const drafts = this.#options.chunk(loaded);
      const vectors = this.#options.embedder ? await this.#options.embedder.embed(drafts.map((draft) => draft.text)) : undefined;
      const collections = await this.#repository.collections.collectionsOf(id);
      await this.#store.deleteDocuments([id]);
      await this.#store.add(drafts.map((draft, index) => toChunkRow(id, draft, vectors?.[index], collections)));
      await this.#repository.setChunkCount(id, drafts.length);
      rebuilt.push(id);
    }
    return rebuilt;
  }

  /**
   * Stops taking work, aborts running jobs (their documents stay `indexing` with their jobs and
   * resume at the next start), waits for them to stop, then releases the stores.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      const held = [...this.#queue, ...this.#running.keys()];
      this.#queue.length = 0;
      this.#queued.clear();
      if (this.#heartbeat) clearInterval(this.#heartbeat);
      if (this.#waitPoll) clearTimeout(this.#waitPoll);
      this.#wakeClaimer?.();
      for (const controller of this.#running.values()) controller.abort(new CancelledError(userMessage('cancelled.shutting_down')));
      await this.#batch;
      await this.#claiming;
      // Work queue: what this worker held goes back at once, not when its leases run out.
      if (this.#options.queue) await this.#options.queue.jobs.release(held).catch(() => undefined);
      for (const id of [...this.#waiters.keys()]) this.#rejectWaiters(id, new CancelledError(userMessage('cancelled.shut_down_before_indexed')));
      await this.#options.release?.();
    })();
    return this.#closed;
  }

  // ---- submitting ------------------------------------------------------------------------------

  /**
   * Records a document as `pending` (or finds the one with identical content). `parentId`: the
   * input is an attachment of that mail; it skips the queue-room check (a mail's attachments are
   * few and already inside its size limit) and, when new, counts as coming from the mail.
   */
  async #submitRow(unchecked: DocumentInput, parentId: string | null = null, collectionId?: string): Promise<DocumentRow> {
    const input = parseInput(unchecked);
    const collection = collectionId ?? DEFAULT_COLLECTION_ID;
    if (parentId === null && !(await this.#repository.collections.find(collection))) throw new CollectionNotFoundError(collection);
    const { row, queue } = input.kind === 'url' ? await this.#submitUrl(input.url) : await this.#submitContent(input, parentId);
    // An attachment is in its mail's collections; anything else in the one it was uploaded to
    // (identical content already stored joins that collection too: stored once, visible where uploaded).
    if (parentId === null) {
      await this.#repository.collections.addDocument(row.id, collection);
      // A mail uploaded again into another collection brings its attachments along.
      const attachmentIds = await this.#repository.attachmentIds(row.id);
      for (const attachmentId of attachmentIds) await this.#repository.collections.addDocument(attachmentId, collection);
      if (row.status === 'ready') void this.#syncCollections([row.id, ...attachmentIds]);
    } else {
      await this.#repository.collections.copyMemberships(parentId, row.id);
      if (row.status === 'ready') void this.#syncCollections([row.id]);
    }
    // Queued only now, after its collection is recorded.
    if (queue) this.#enqueue(row.id);
    return row;
  }

  /** A new or retried `pending` row for content (`queue`: it is to be queued), or the stored row of identical content. */
  async #submitContent(input: Exclude<DocumentInput, { kind: 'url' }>, parentId: string | null): Promise<{ row: DocumentRow; queue: boolean }> {
    const bytes = input.kind === 'file' ? input.bytes : new TextEncoder().encode(input.text);
    if (bytes.length > this.#options.loadOptions.maxBytes) throw new DocumentTooLargeError(bytes.length, this.#options.loadOptions.maxBytes);
    const sha256 = sha256Of(bytes);
    return this.#locked(`sha256:${sha256}`, () => this.#submitContentLocked(input, bytes, sha256, parentId));
  }

  async #submitContentLocked(input: Exclude<DocumentInput, { kind: 'url' }>, bytes: Uint8Array, sha256: string, parentId: string | null): Promise<{ row: DocumentRow; queue: boolean }> {
    const existing = await this.#repository.findBySha256(sha256);
    if (existing && existing.status !== 'failed') {
      // Uploaded on its own as well: the user's document now, kept when the mail goes.
      if (parentId === null && existing.parentId !== null) await this.#repository.setParent(existing.id, null);
      return { row: existing, queue: false };
    }
    if (parentId === null) await this.#assertRoom();
    const job: JobInput = {
      inputKind: input.kind,
      uploadSha256: input.kind === 'file' ? sha256 : null,
      text: input.kind === 'text' ? input.text : null,
      fileName: input.fileName ?? null,
      title: input.kind === 'text' ? (input.title ?? null) : null,
      mimeType: input.mimeType ?? null,
    };
    if (input.kind === 'file') await this.#uploads.save(sha256, bytes);
    const row = existing
      ? await this.#retry(existing, job)
      : await this.#repository.createPending(
          { id: crypto.randomUUID(), sourceKind: input.kind, fileName: input.fileName ?? null, title: job.title, mimeType: job.mimeType, sha256, byteSize: bytes.length, parentId },
          job,
        );
    return { row, queue: true };
  }

  /** Puts a failed document back to `pending`; a document removed meanwhile stays as it was last seen. */
  async #retry(failed: DocumentRow, job: JobInput): Promise<DocumentRow> {
    return (await this.#repository.retry(failed.id, job)) ?? failed;
  }

  /** A new (or retried) `pending` version of a URL, or the version already on its way. */
  async #submitUrl(url: string): Promise<{ row: DocumentRow; queue: boolean }> {
    // Unparseable URLs, other schemes and credentials are refused now, with the code the API and the fetcher use.
    parseFetchableUrl(url);
    return this.#locked(`url:${url}`, () => this.#submitUrlLocked(url));
  }

  async #submitUrlLocked(url: string): Promise<{ row: DocumentRow; queue: boolean }> {
    const latest = await this.#repository.latestVersionOfUrl(url);
    // Already on its way: one fetch is enough.
    if (latest && (latest.status === 'pending' || latest.status === 'indexing')) return { row: latest, queue: false };
    await this.#assertRoom();
    const job: JobInput = { inputKind: 'url', url, uploadSha256: null, text: null, fileName: null, title: null, mimeType: null };
    const row =
      latest?.status === 'failed'
        ? await this.#retry(latest, job)
        : await this.#repository.createPending(
            { id: crypto.randomUUID(), sourceKind: 'url', url, version: latest ? latest.version + 1 : 1, supersedes: latest?.id ?? null },
            job,
          );
    return { row, queue: true };
  }

  #assertOpen(): void {
    if (this.#closing) throw new CancelledError(userMessage('cancelled.no_new_documents'));
  }

  /**
   * Submits the attachments of a mail about to turn ready as documents of their own, each
   * linked to the mail; returns their rows. Only types beleg reads are submitted (by the same check as an upload);
   * the others (archives, unknown types) stay named in the mail's text only. Images go to OCR
   * only when they are the size of a scanned page (see `looksLikeScannedPage`): logos, signatures
   * and photos in mails would otherwise become failed documents (`ocr_no_text`). Identical
   * content is one document, linked to every mail that has it attached.
   */
  async #submitAttachments(parentId: string, attachments: readonly DocumentAttachment[]): Promise<DocumentRow[]> {
    const submitted: DocumentRow[] = [];
    for (const attachment of attachments) {
      const fileName = attachmentFileName(attachment.fileName);
      const mimeType = attachment.mimeType.length <= 255 ? attachment.mimeType : undefined;
      try {
        const type = detectDocumentType(attachment.bytes, { fileName, mimeType });
        assertOcrAllowed(type, attachment.bytes, (this.#options.loadOptions.ocr ?? DEFAULT_OCR_SETTINGS).mode);
        if (type === 'image' && !looksLikeScannedPage(attachment.bytes)) continue;
      } catch {
        continue;
      }
      if (attachment.bytes.length > this.#options.loadOptions.maxBytes || this.#closing) continue;
      const row = await this.#submitRow({ kind: 'file', fileName, bytes: attachment.bytes, ...(mimeType ? { mimeType } : {}) }, parentId);
      if (row.id === parentId) continue;
      await this.#repository.linkAttachment(parentId, row.id, fileName);
      submitted.push(row);
    }
    return submitted;
  }

  /** Removes the attachments submitted for a mail that was removed meanwhile, unless another mail has them or the user uploaded them. */
  async #removeOrphanAttachments(parentId: string, attachments: readonly DocumentRow[]): Promise<void> {
    for (const attachment of attachments) {
      if (attachment.parentId !== parentId || (await this.#repository.parentIds(attachment.id)).length > 0) continue;
      await this.remove(attachment.id).catch(() => undefined);
    }
  }

  /** A metadata row as a record, with its attachments' ids. */
  async #record(row: DocumentRow): Promise<DocumentRecord> {
    const [attachmentIds, collectionIds] = await Promise.all([this.#repository.attachmentIds(row.id), this.#repository.collections.collectionsOf(row.id)]);
    return toDocumentRecord(row, attachmentIds, this.#progress.get(row.id), collectionIds);
  }

  async #assertRoom(): Promise<void> {
    if (this.#options.queue) await this.#refreshSharedDepth();
    if (this.queueDepth() >= this.#options.queueSize) {
      throw new OverloadedError(userMessage('overloaded.ingest_queue', { queueSize: this.#options.queueSize }), 5);
    }
  }

  // ---- the queue -------------------------------------------------------------------------------

  /** A document's job is recorded: queued here, or (work queue) left for a worker, waking this one if it works. */
  #enqueue(id: string): void {
    if (this.#options.queue) {
      this.#sharedDepth = null;
      this.#wakeClaimer?.();
      return;
    }
    this.#enqueueLocal(id);
  }

  #enqueueLocal(id: string): void {
    if (this.#closing || this.#running.has(id) || this.#queued.has(id)) return;
    this.#removed.delete(id);
    // Taken (again) from the work queue: whatever lease this worker lost on it before is in the past.
    this.#leaseLost.delete(id);
    this.#queue.push(id);
    this.#queued.add(id);
    // On the next turn of the event loop, so documents submitted together share a batch.
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      setImmediate(() => {
        this.#pumpScheduled = false;
        this.#pump();
      });
    }
  }

  /** Starts a batch of whatever is queued (up to `batchSize`) unless one is running. */
  #pump(): void {
    if (this.#closing || this.#batch !== null || this.#queue.length === 0) return;
    const ids = this.#queue.splice(0, this.#batchSize);
    for (const id of ids) this.#queued.delete(id);
    for (const id of ids) this.#running.set(id, new AbortController());
    this.#batch = (async () => {
      try {
        await this.#processBatch(ids);
      } catch (error) {
        // #processBatch handles its own failures; reaching here is a bug, and must not crash the service.
        console.error(`beleg: unexpected ingestion error for documents ${ids.join(', ')}:`, error);
        // Work queue: give the unfinished ones back now rather than when their leases run out
        // (finished ones have no job any more, lost ones another owner: neither changes).
        if (this.#options.queue) await this.#options.queue.jobs.release(ids).catch(() => undefined);
      }
      for (const id of ids) this.#running.delete(id);
      for (const id of ids) this.#leaseLost.delete(id);
      // Work queue: room for more; a retried document's new job is the queue's.
      if (this.#options.queue) {
        this.#wakeClaimer?.();
        return;
      }
      // Identical content submitted again while this batch was still writing its failure was put
      // back to `pending` but not queued (it was running): queue it now, or its waiters wait forever.
      for (const id of ids) {
        const row = await this.#repository.find(id).catch(() => undefined);
        if (row?.status === 'pending') this.#enqueue(id);
      }
    })().finally(() => {
      this.#batch = null;
      this.#pump();
    });
  }

  /**
   * Indexes a batch: each document is loaded and chunked on its own (a failure fails only that
   * one; the batch closes early at BATCH_MAX_CHUNKS or BATCH_MAX_PREPARE_MS), then the chunks of all that succeeded go to LanceDB in one write and they turn `ready`
   * in one SQLite transaction. Batching only what is already queued costs no latency when idle
   * and turns per-write overheads (a LanceDB commit, fsyncs) into per-batch ones under load.
   */
  async #processBatch(ids: readonly string[]): Promise<void> {
    const prepared: PreparedDocument[] = [];
    const started = performance.now();
    let chunks = 0;
    for (const [position, id] of ids.entries()) {
      // A full batch is written now; the rest go back to the front of the queue.
      if (prepared.length > 0 && (chunks >= BATCH_MAX_CHUNKS || performance.now() - started >= BATCH_MAX_PREPARE_MS)) {
        const rest = ids.slice(position);
        for (const restId of rest) this.#running.delete(restId);
        this.#queue.unshift(...rest);
        for (const restId of rest) this.#queued.add(restId);
        break;
      }
      const job = await this.#repository.job(id);
      if (!job || this.#removed.has(id) || this.#leaseLost.has(id)) continue;
      await this.#repository.markIndexing([id]);
      const signal = this.#running.get(id)!.signal;
      try {
        const document = await this.#prepare(id, job, signal);
        if (document) {
          prepared.push(document);
          chunks += document.rows.length;
        }
      } catch (error) {
        if (!signal.aborted) await this.#fail(id, job.uploadSha256, error);
      }
    }
    if (prepared.length === 0) return;
    // Work queue: only documents this worker still holds are written.
    if (!(await this.#stillHeld(prepared))) return;

    try {
      // Earlier attempts may have written chunks before they were killed: never duplicate them.
      const retried = prepared.filter((document) => document.job.attempts > 0).map((document) => document.id);
      if (retried.length > 0) await this.#store.deleteDocuments(retried);
      await this.#store.add(prepared.flatMap((document) => document.rows));
    } catch (error) {
      for (const document of prepared) await this.#fail(document.id, document.job.uploadSha256, error);
      return;
    }
    // Removed or shut down while writing: those chunks must not stay. Work queue: a document
    // whose lease went meanwhile keeps them (another worker has it) unless it was removed.
    let current = prepared.filter((document) => !this.#running.get(document.id)!.signal.aborted);
    if (this.#options.queue && current.length > 0) {
      const held = await this.#holding(current.map((document) => document.id)).catch(() => new Set<string>());
      current = current.filter((document) => held.has(document.id));
    }
    const aborted = prepared.filter((document) => !current.includes(document)).map((document) => document.id);
    const lost = aborted.filter((id) => this.#leaseLost.has(id));
    const dropped = [...aborted.filter((id) => !this.#leaseLost.has(id)), ...(await this.#removedAmong(lost))];
    if (dropped.length > 0) await this.#store.deleteDocuments(dropped);

    // A mail's attachments are submitted and linked before the mail turns ready: whoever sees it
    // ready sees its attachments too (with awaited queries, a reader could otherwise come between).
    const submittedAttachments = new Map<string, DocumentRow[]>();
    for (const document of current) {
      if (document.attachments) submittedAttachments.set(document.id, await this.#submitAttachments(document.id, document.attachments));
    }
    const outcomes = await this.#repository.markReady(current.map((document) => document.ready));
    const gone = current.filter((_, index) => outcomes[index] === null).map((document) => document.id);
    const retired = outcomes.flatMap((outcome) => (outcome?.retiredId ? [outcome.retiredId] : []));
    if (gone.length + retired.length > 0) await this.#store.deleteDocuments([...gone, ...retired]);
    // Collections gained while indexing (identical content uploaded elsewhere, a URL's earlier version's) reach the chunks before anyone waits for them.
    const written = current.filter((_, index) => outcomes[index] !== null);
    const memberships = await this.#repository.collections.collectionsOfMany(written.map((document) => document.id));
    const changed = written.filter((document) => (document.rows[0]?.collections ?? []).join('\n') !== (memberships.get(document.id) ?? []).join('\n'));
    if (changed.length > 0) await this.#syncCollections(changed.map((document) => document.id));
    for (const [index, document] of current.entries()) {
      const outcome = outcomes[index];
      if (document.job.uploadSha256) await this.#releaseUpload(document.job.uploadSha256, document.id);
      // A mail removed while its attachments were submitted takes those that came only from it along.
      if (!outcome) await this.#removeOrphanAttachments(document.id, submittedAttachments.get(document.id) ?? []);
      if (outcome) this.#resolveWaiters(document.id, await this.#record(outcome.document));
    }
  }

  /**
   * Work queue: renews the leases of a batch about to be written and keeps only the documents
   * still held (in place); false when none is left. Without a work queue, always true.
   */
  async #stillHeld(prepared: PreparedDocument[]): Promise<boolean> {
    if (!this.#options.queue) return true;
    let held: Set<string>;
    try {
      held = await this.#holding(prepared.map((document) => document.id));
    } catch {
      // The database is away: write nothing now; the jobs go back (or, if that fails too, their leases run out).
      await this.#options.queue.jobs.release(prepared.map((document) => document.id)).catch(() => undefined);
      held = new Set();
    }
    const kept = prepared.filter((document) => held.has(document.id));
    prepared.splice(0, prepared.length, ...kept);
    return kept.length > 0;
  }

  /** Loads and chunks one document; null when it merged into an identical existing one. */
  async #prepare(id: string, job: IngestJobRow, signal: AbortSignal): Promise<PreparedDocument | null> {
    const input = await this.#inputOf(job);
    let loaded: LoadedDocument;
    try {
      const onOcrProgress = (progress: OcrProgress) => {
        this.#progress.set(id, progress);
        for (const listener of this.#progressListeners.get(id) ?? []) listener({ ...progress });
      };
      loaded = await this.#options.load(input, { ...this.#options.loadOptions, signal, onOcrProgress });
    } finally {
      this.#progress.delete(id);
    }
    signal.throwIfAborted();
    const sha256 = sha256Of(loaded.bytes);
    if (job.inputKind === 'url') {
      const identical = await this.#repository.findBySha256(sha256);
      if (identical && identical.id !== id && identical.status === 'ready') {
        await this.#repository.mergeInto(id, identical.id);
        await this.#syncCollections([identical.id]);
        this.#resolveWaiters(id, await this.#record(identical));
        return null;
      }
    }
    const drafts = this.#options.chunk(loaded);
    if (drafts.length === 0) {
      throw new UnprocessableDocumentError(userMessage('empty_document.nothing_to_index'));
    }
    const vectors = this.#options.embedder ? await this.#options.embedder.embed(drafts.map((draft) => draft.text), signal) : undefined;
    signal.throwIfAborted();
    const collections = await this.#repository.collections.collectionsOf(id);
    return {
      id,
      job,
      ...(loaded.attachments && loaded.attachments.length > 0 ? { attachments: loaded.attachments } : {}),
      // The collections as they are now; any change until the document is ready is copied on afterwards.
      rows: drafts.map((draft, index) => toChunkRow(id, draft, vectors?.[index], collections)),
      ready: {
        id,
        title: loaded.title ?? job.title ?? null,
        mimeType: loaded.mimeType,
        language: loaded.language,
        finalUrl: loaded.finalUrl ?? null,
        sha256,
        byteSize: loaded.bytes.length,
        pageCount: loaded.pages?.[0]?.kind === 'row' ? null : (loaded.pages?.length ?? null),
        chunkCount: drafts.length,
        text: loaded.text,
        pages: loaded.pages ?? null,
        sections: loaded.sections ?? null,
      },
    };
  }

  async #fail(id: string, uploadSha256: string | null, error: unknown): Promise<void> {
    // Work queue: a document this worker no longer holds is another's to finish (or removed).
    if (this.#options.queue && !(await this.#holding([id]).catch(() => new Set<string>())).has(id)) return;
    const message = error instanceof BelegError ? error.userMessage : userMessage('ingestion_failed', { reason: error instanceof Error ? error.message : String(error) });
    const row = await this.#repository.markFailed(id, message);
    // Settle before the chunk store's await: identical content submitted meanwhile retries this
    // document and must find its upload saved anew, not released afterwards (the content lock
    // orders the release against such a submit).
    if (uploadSha256) await this.#releaseUpload(uploadSha256, id);
    if (row) this.#resolveWaiters(id, await this.#record(row));
    await this.#store.deleteDocuments([id]).catch(() => undefined);
  }

  /** The job's input as the loader takes it, from the saved upload. */
  async #inputOf(job: IngestJobRow): Promise<DocumentInput> {
    if (job.inputKind === 'url') return { kind: 'url', url: job.url ?? '' };
    if (job.inputKind === 'text' && job.text !== null) {
      const mimeType = job.mimeType === 'text/markdown' || job.mimeType === 'text/plain' ? job.mimeType : undefined;
      return { kind: 'text', text: job.text, fileName: job.fileName ?? undefined, title: job.title ?? undefined, mimeType };
    }
    const bytes = job.inputKind === 'file' && job.uploadSha256 ? await this.#uploads.read(job.uploadSha256) : undefined;
    if (!bytes) {
      throw new BelegError(userMessage('input_lost'));
    }
    return { kind: 'file', fileName: job.fileName ?? 'document', bytes, ...(job.mimeType ? { mimeType: job.mimeType } : {}) };
  }

  /** Deletes every saved upload no job needs (each under its content lock, like #releaseUpload). */
  async #sweepUploads(): Promise<void> {
    for (const sha256 of await this.#uploads.list()) {
      if (this.#closing) return;
      await this.#releaseUpload(sha256, '');
    }
  }

  /** Deletes an upload no job needs any more; under the content lock, so a submit of the same bytes saving it anew is never undone. */
  async #releaseUpload(sha256: string, documentId: string): Promise<void> {
    await this.#locked(`sha256:${sha256}`, async () => {
      if (!(await this.#repository.uploadInUse(sha256, documentId))) await this.#uploads.remove(sha256);
    });
  }

  /**
   * Copies the ready documents' collections from SQLite onto their chunks (documents not ready
   * get theirs when their chunks are written). Runs after the syncs before it, reading SQLite when
   * it starts, so the last one always writes the latest memberships. Retrieval never depends on
   * this for safety — answers check SQLite's memberships again — only for finding a document in a
   * collection it joined. A failed copy leaves the old collections on the chunks until the next
   * change or start-up reconciliation, which repairs every difference.
   */
  #syncCollections(ids: readonly string[]): Promise<void> {
    const sync = this.#collectionSync.then(async () => {
      const ready: string[] = [];
      for (const id of new Set(ids)) if ((await this.#repository.find(id))?.status === 'ready') ready.push(id);
      if (ready.length === 0) return;
      const memberships = await this.#repository.collections.collectionsOfMany(ready);
      await this.#store.setCollections(new Map(ready.map((id) => [id, memberships.get(id) ?? []])));
    });
    this.#collectionSync = sync.catch(() => undefined);
    return this.#collectionSync;
  }

  /** Runs `task` holding `key`'s lock in this process and, with PostgreSQL, across processes. */
  #locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    const shared = this.#options.contentLock;
    return this.#contentLock.run(key, shared ? () => shared.run(key, task) : task);
  }

  // ---- waiting for a document ------------------------------------------------------------------

  #settled(id: string): Promise<DocumentRecord> {
    const settled = new Promise<DocumentRecord>((resolve, reject) => {
      const waiters = this.#waiters.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.#waiters.set(id, waiters);
    });
    this.#watchWaiters();
    return settled;
  }

  /**
   * Work queue: another process may index what callers here wait for, so while anyone waits the
   * documents' rows are looked at every `pollMs` (ready or failed: the waiters hear it; gone: not found).
   */
  #watchWaiters(): void {
    const queue = this.#options.queue;
    if (!queue || this.#waitPoll || this.#closing || this.#waiters.size === 0) return;
    this.#waitPoll = setTimeout(async () => {
      for (const id of [...this.#waiters.keys()]) {
        const row = await this.#repository.find(id).catch(() => null);
        if (row === undefined) this.#rejectWaiters(id, new NotFoundError('document', id));
        else if (row && (row.status === 'ready' || row.status === 'failed')) this.#resolveWaiters(id, await this.#record(row));
      }
      this.#waitPoll = null;
      this.#watchWaiters();
    }, queue.pollMs);
    this.#waitPoll.unref();
  }

  #resolveWaiters(id: string, record: DocumentRecord): void {
    for (const waiter of this.#waiters.get(id) ?? []) waiter.resolve(record);
    this.#waiters.delete(id);
  }

  #rejectWaiters(id: string, error: unknown): void {
    for (const waiter of this.#waiters.get(id) ?? []) waiter.reject(error);
    this.#waiters.delete(id);
  }
}

/** A chunk draft as a stored row; ids are `<documentId>:<ordinal>`, sentence offsets relative to the chunk, block flags as bits. */
export function toChunkRow(documentId: string, draft: ChunkDraft, vector?: Float32Array, collections: readonly string[] = []): ChunkRow {
  return {
    id: `${documentId}:${draft.ordinal}`,
    documentId,
    ordinal: draft.ordinal,
    text: draft.text,
    charStart: draft.charStart,
    charEnd: draft.charEnd,
    page: draft.page,
    headingPath: draft.headingPath,
    tokenCount: draft.tokenCount,
    sentenceOffsets: draft.sentences.flatMap((sentence) => [sentence.charStart - draft.charStart, sentence.charEnd - draft.charStart]),
    sentenceFlags: draft.sentences.map((sentence) => (sentence.blockStart ? SENTENCE_BLOCK_START : 0) | (sentence.heading ? SENTENCE_HEADING : 0)),
    vector: vector ?? null,
    collections,
  };
}
