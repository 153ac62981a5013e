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
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_COLLECTION_ID, UploadFiles, type DocumentRepository, type DocumentRow, type IngestJobRow, type JobInput, type ReadyDocument } from '../db/index.ts';
import { BelegError, CancelledError, CollectionNotFoundError, DocumentNotReadyError, DocumentTooLargeError, NotFoundError, OverloadedError, UnprocessableDocumentError, ValidationError } from '../errors.ts';
import { describeFirstIssue, userMessage } from '../messages/index.ts';
import { SENTENCE_BLOCK_START, SENTENCE_HEADING, type ChunkRow, type ChunkStore } from '../store/chunk-store.ts';
import { parseFetchableUrl } from './fetch/fetchable-url.ts';
import { KeyedLock } from './keyed-lock.ts';
import { assertOcrAllowed, type LoadOptions } from './load-document.ts';
import { detectDocumentType } from './loaders/detect-document-type.ts';
import { readImageHeader } from './ocr/image-header.ts';
import { DEFAULT_OCR_SETTINGS, type OcrProgress } from './ocr/ocr-settings.ts';
import type { ChunkDraft, CollectionScope, DocumentAttachment, DocumentInput, DocumentRecord, IngestOptions, Ingestion, ListDocumentsOptions, LoadedDocument, PageSpan, SubmitOptions } from './types.ts';

/** Turns chunk texts into vectors (the embedding model), when one is configured. */
export type ChunkEmbedder = {
  dimension: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
};

export type IngestionServiceOptions = {
  repository: DocumentRepository;
  store: ChunkStore;
  uploads: UploadFiles;
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
  readonly #uploads: UploadFiles;
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
    if (!this.#running.has(row.id) && !this.#queued.has(row.id)) {
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

  queueDepth(): number {
    return this.#queue.length + this.#running.size;
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
    for (const id of documentIds) this.#enqueue(id);
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
      this.#queue.length = 0;
      this.#queued.clear();
      for (const controller of this.#running.values()) controller.abort(new CancelledError(userMessage('cancelled.shutting_down')));
      await this.#batch;
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
    return this.#contentLock.run(`sha256:${sha256}`, () => this.#submitContentLocked(input, bytes, sha256, parentId));
  }

  async #submitContentLocked(input: Exclude<DocumentInput, { kind: 'url' }>, bytes: Uint8Array, sha256: string, parentId: string | null): Promise<{ row: DocumentRow; queue: boolean }> {
    const existing = await this.#repository.findBySha256(sha256);
    if (existing && existing.status !== 'failed') {
      // Uploaded on its own as well: the user's document now, kept when the mail goes.
      if (parentId === null && existing.parentId !== null) await this.#repository.setParent(existing.id, null);
      return { row: existing, queue: false };
    }
    if (parentId === null) this.#assertRoom();
    const job: JobInput = {
      inputKind: input.kind,
      uploadSha256: input.kind === 'file' ? sha256 : null,
      text: input.kind === 'text' ? input.text : null,
      fileName: input.fileName ?? null,
      title: input.kind === 'text' ? (input.title ?? null) : null,
      mimeType: input.mimeType ?? null,
    };
    if (input.kind === 'file') this.#uploads.save(sha256, bytes);
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
    return this.#contentLock.run(`url:${url}`, () => this.#submitUrlLocked(url));
  }

  async #submitUrlLocked(url: string): Promise<{ row: DocumentRow; queue: boolean }> {
    const latest = await this.#repository.latestVersionOfUrl(url);
    // Already on its way: one fetch is enough.
    if (latest && (latest.status === 'pending' || latest.status === 'indexing')) return { row: latest, queue: false };
    this.#assertRoom();
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

  #assertRoom(): void {
    if (this.queueDepth() >= this.#options.queueSize) {
      throw new OverloadedError(userMessage('overloaded.ingest_queue', { queueSize: this.#options.queueSize }), 5);
    }
  }

  // ---- the queue -------------------------------------------------------------------------------

  #enqueue(id: string): void {
    if (this.#closing || this.#running.has(id) || this.#queued.has(id)) return;
    this.#removed.delete(id);
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
      }
      for (const id of ids) this.#running.delete(id);
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
      if (!job || this.#removed.has(id)) continue;
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

    try {
      // Earlier attempts may have written chunks before they were killed: never duplicate them.
      const retried = prepared.filter((document) => document.job.attempts > 0).map((document) => document.id);
      if (retried.length > 0) await this.#store.deleteDocuments(retried);
      await this.#store.add(prepared.flatMap((document) => document.rows));
    } catch (error) {
      for (const document of prepared) await this.#fail(document.id, document.job.uploadSha256, error);
      return;
    }
    // Removed or shut down while writing: those chunks must not stay.
    const current = prepared.filter((document) => !this.#running.get(document.id)!.signal.aborted);
    const dropped = prepared.filter((document) => !current.includes(document)).map((document) => document.id);
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

  /** Loads and chunks one document; null when it merged into an identical existing one. */
  async #prepare(id: string, job: IngestJobRow, signal: AbortSignal): Promise<PreparedDocument | null> {
    const input = this.#inputOf(job);
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
  #inputOf(job: IngestJobRow): DocumentInput {
    if (job.inputKind === 'url') return { kind: 'url', url: job.url ?? '' };
    if (job.inputKind === 'text' && job.text !== null) {
      const mimeType = job.mimeType === 'text/markdown' || job.mimeType === 'text/plain' ? job.mimeType : undefined;
      return { kind: 'text', text: job.text, fileName: job.fileName ?? undefined, title: job.title ?? undefined, mimeType };
    }
    const bytes = job.inputKind === 'file' && job.uploadSha256 ? this.#uploads.read(job.uploadSha256) : undefined;
    if (!bytes) {
      throw new BelegError(userMessage('input_lost'));
    }
    return { kind: 'file', fileName: job.fileName ?? 'document', bytes, ...(job.mimeType ? { mimeType: job.mimeType } : {}) };
  }

  /** Deletes an upload no job needs any more; under the content lock, so a submit of the same bytes saving it anew is never undone. */
  async #releaseUpload(sha256: string, documentId: string): Promise<void> {
    await this.#contentLock.run(`sha256:${sha256}`, async () => {
      if (!(await this.#repository.uploadInUse(sha256, documentId))) this.#uploads.remove(sha256);
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

  // ---- waiting for a document ------------------------------------------------------------------

  #settled(id: string): Promise<DocumentRecord> {
    return new Promise((resolve, reject) => {
      const waiters = this.#waiters.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.#waiters.set(id, waiters);
    });
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
