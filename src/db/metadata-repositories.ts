/**
 * The contract of beleg's metadata database: every query beleg makes, as named asynchronous
 * operations. Two dialects implement it — SQLite (`./document-repository.ts` and its siblings,
 * the embedded default) and PostgreSQL (`./postgres/`, chosen with BELEG_DATABASE_URL) — and one
 * contract test suite (tests/metadata-contract.test.ts) runs against both.
 *
 * Every operation that reads and then writes (a document turning `ready` and retiring the version
 * it supersedes, a collection deleted only when empty) is one transaction inside the repository,
 * so no caller's `await` can split it.
 */
import type { UserMessage } from '../messages/index.ts';
import type { IndexMaintenanceLease } from '../store/index-maintenance-lease.ts';
import type { UploadStore } from './upload-store.ts';
import type { ApiKeyRow, AuditEventRow, CollectionRow, DocumentRow, IngestJobRow, NewDocumentRow } from './schema.ts';

/** What is saved to run a document's ingestion again after a crash. */
export type JobInput = Pick<IngestJobRow, 'inputKind'> & Partial<Pick<IngestJobRow, 'uploadSha256' | 'text' | 'url' | 'fileName' | 'title' | 'mimeType'>>;

/** What is known about a document when it is submitted. */
export type PendingDocument = Pick<NewDocumentRow, 'id' | 'sourceKind'> &
  Partial<Pick<NewDocumentRow, 'fileName' | 'url' | 'title' | 'mimeType' | 'sha256' | 'byteSize' | 'version' | 'supersedes' | 'parentId'>>;

/** PDF page (or slide, sheet row) spans of a stored text. */
export type StoredPageSpans = { number: number; charStart: number; charEnd: number; kind?: 'page' | 'slide' | 'row'; sheet?: string; cells?: string; ocr?: boolean; ocrConfidence?: number }[];

/** Heading sections of a stored text. */
export type StoredSectionSpans = { headingPath: string[]; charStart: number; charEnd: number }[];

/** What loading found out about a document, stored when it becomes ready. */
export type ReadyDocument = {
  id: string;
  title: string | null;
  mimeType: string;
  language: string | null;
  finalUrl: string | null;
  sha256: string;
  byteSize: number;
  pageCount: number | null;
  chunkCount: number;
  text: string;
  pages: StoredPageSpans | null;
  sections: StoredSectionSpans | null;
};

/** A ready document's stored text with its spans and what loading found. */
export type StoredDocument = {
  text: string;
  pages: StoredPageSpans | null;
  sections: StoredSectionSpans | null;
  title: string | null;
  mimeType: string | null;
  language: string | null;
  finalUrl: string | null;
};

/** The collections a caller may use: every one (`'*'`) or these ids. */
export type CollectionScope = '*' | readonly string[];

/** A collection with how many documents are in it. */
export type CollectionWithCount = CollectionRow & { documentCount: number };

/** A key as listed: everything but the secret's hash. */
export type ApiKeyInfo = Omit<ApiKeyRow, 'secretSha256'>;

/** What a stored key's role may be. */
export type ApiKeyRole = ApiKeyRow['role'];

/** An audit entry as written (id and time are given by the database). */
export type AuditEvent = Omit<AuditEventRow, 'id' | 'at'>;

/** Documents, their texts, jobs, aliases and attachments. */
export interface DocumentRepository {
  /** The collections documents are in (same database). */
  readonly collections: CollectionRepository;
  /** The document with this id, following aliases (retired versions, duplicates); undefined if none. */
  find(id: string): Promise<DocumentRow | undefined>;
  /** A document with this content: ready or in progress first, then failed ones. */
  findBySha256(sha256: string): Promise<DocumentRow | undefined>;
  /** The newest version of a URL's document, if any. */
  latestVersionOfUrl(url: string): Promise<DocumentRow | undefined>;
  /** Inserts a `pending` document together with its job, atomically. */
  createPending(document: PendingDocument, job: JobInput): Promise<DocumentRow>;
  /** Puts a failed document back to `pending` with a fresh job (a retry of identical content). */
  retry(id: string, job: JobInput): Promise<DocumentRow | undefined>;
  /** Records that `attachmentId` is attached to `parentId` under `fileName` (again, or either is gone: nothing changes). */
  linkAttachment(parentId: string, attachmentId: string, fileName: string): Promise<void>;
  /** The ids of a document's attachments, in the order they were linked. */
  attachmentIds(parentId: string): Promise<string[]>;
  /** The attachment ids of each of these documents (only those that have some). */
  attachmentIdsOf(parentIds: readonly string[]): Promise<Map<string, string[]>>;
  /** The documents (mails) that `attachmentId` is attached to. */
  parentIds(attachmentId: string): Promise<string[]>;
  /** Sets the mail a document counts as coming from (null: the user's own document, kept when mails go). */
  setParent(id: string, parentId: string | null): Promise<void>;
  /** Marks documents `indexing` and counts the attempt, in one transaction. */
  markIndexing(ids: readonly string[]): Promise<void>;
  /**
   * Marks documents `ready` with their texts in ONE transaction: ends their jobs and, where one
   * supersedes an older version, deletes that version's row (its id becomes an alias of the new
   * one). Returns, per document, the row and the retired id whose chunks the caller removes from
   * the chunk store — or null for a document removed meanwhile.
   */
  markReady(readies: readonly ReadyDocument[]): Promise<({ document: DocumentRow; retiredId: string | null } | null)[]>;
  /** Drops a document that turned out identical to `existingId`; its id now resolves to that one. */
  mergeInto(id: string, existingId: string): Promise<void>;
  /** Marks a document `failed` with the error's catalogue message and ends its job. */
  markFailed(id: string, error: UserMessage): Promise<DocumentRow | undefined>;
  /** Deletes a document with its text, job, aliases and memberships. Returns whether it existed. */
  remove(id: string): Promise<boolean>;
  /** One page of documents, newest first, and how many there are; with `collectionIds`, only documents in at least one of them. */
  list(options: { limit: number; offset: number; status?: DocumentRow['status']; collectionIds?: readonly string[] }): Promise<{ rows: DocumentRow[]; total: number }>;
  /** Every `ready` document's id and the number of chunks it should have. */
  readyChunkCounts(): Promise<Map<string, number>>;
  /** A ready document's stored text with its page and section spans and what loading found. */
  storedDocument(id: string): Promise<StoredDocument | undefined>;
  /** Records a new chunk count (after chunks were rebuilt from the stored text). */
  setChunkCount(id: string, chunkCount: number): Promise<void>;
  /** Ids of every `ready` document. */
  readyIds(): Promise<string[]>;
  /** Which of these ids are `ready` documents. */
  readyAmong(ids: readonly string[]): Promise<Set<string>>;
  /** The stored text of a document, if it has one. */
  text(id: string): Promise<string | undefined>;
  /** A document's page spans, null when it has none or no stored text. */
  pages(id: string): Promise<StoredPageSpans | null>;
  /** Documents left `pending` or `indexing`, oldest first, with their jobs. */
  interrupted(): Promise<{ document: DocumentRow; job: IngestJobRow | null }[]>;
  /** The job of a document, if it still has one. */
  job(id: string): Promise<IngestJobRow | undefined>;
  /** sha256 names of uploads that some job still needs. */
  uploadsInUse(): Promise<Set<string>>;
  /** Whether any job other than `exceptId`'s still needs this upload. */
  uploadInUse(sha256: string, exceptId: string): Promise<boolean>;
}

/** Collections and which documents are in them; every visibility question is one query here. */
export interface CollectionRepository {
  /** Every collection in `scope`, by id, with its document count. */
  list(scope?: CollectionScope): Promise<CollectionWithCount[]>;
  find(id: string): Promise<CollectionRow | undefined>;
  /** Creates a collection; false when the id is taken. */
  create(id: string, name: string): Promise<boolean>;
  rename(id: string, name: string): Promise<boolean>;
  /** Deletes an empty collection (checked in the same transaction). */
  remove(id: string): Promise<'missing' | 'not_empty' | 'deleted'>;
  /** Puts a document into a collection (already there, or the document is gone: nothing changes). */
  addDocument(documentId: string, collectionId: string): Promise<void>;
  /** Puts a document into every collection another document is in. */
  copyMemberships(fromDocumentId: string, toDocumentId: string): Promise<void>;
  /** Takes a document out of these collections; returns how many collections it is still in. */
  removeDocument(documentId: string, collectionIds: readonly string[]): Promise<number>;
  /**
   * Takes a document out of the collections of `from` (every collection for `'*'`) and puts it
   * into `to`, in one transaction (no moment where it is in neither or in both).
   */
  moveDocument(documentId: string, from: CollectionScope, to: string): Promise<void>;
  /** The collections a document is in, by id. */
  collectionsOf(documentId: string): Promise<string[]>;
  /** The collections of each of these documents. */
  collectionsOfMany(documentIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Whether the document is in at least one collection of `scope`. */
  isVisible(documentId: string, scope: CollectionScope): Promise<boolean>;
  /** Which of these documents are `ready` and in at least one collection of `scope`. */
  visibleReadyAmong(documentIds: readonly string[], scope: CollectionScope): Promise<Set<string>>;
  /** Ids of the `ready` documents in at least one of these collections (the retrieval filter). */
  readyIdsIn(collectionIds: readonly string[]): Promise<string[]>;
}

/** Stored API keys (only secrets' SHA-256). */
export interface ApiKeyRepository {
  /** Creates a key; returns it with its secret (the only time the secret is known). */
  create(options: { name: string; role: ApiKeyRole; collections: readonly string[] }): Promise<{ key: ApiKeyInfo; secret: string }>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyInfo[]>;
  /** A new secret for an active key; undefined when there is no such active key. */
  rotate(id: string): Promise<{ key: ApiKeyInfo; secret: string } | undefined>;
  /** Revokes a key (its row stays, for the audit); false when there is no such active key. */
  revoke(id: string): Promise<boolean>;
  /** The active key whose secret is `secret`, if any. */
  findBySecret(secret: string): Promise<ApiKeyInfo | undefined>;
  /** How many keys are active. */
  activeCount(): Promise<number>;
}

/** The audit log, pruned to its retention as entries are written. */
export interface AuditRepository {
  record(event: AuditEvent): Promise<void>;
  /** Deletes entries older than the retention; returns how many. */
  prune(now?: Date): Promise<number>;
  /** Newest entries first. */
  list(options: { limit: number; offset: number; actor?: string; action?: AuditEventRow['action']; since?: string }): Promise<AuditEventRow[]>;
}

/**
 * Ingestion jobs as a work queue shared by several processes (PostgreSQL): a worker takes jobs
 * with a lease it keeps renewing; a job whose lease ran out (its worker was killed, hung or lost
 * the database) is taken by the next worker that asks. Taking a job does not change it otherwise:
 * the document turns `indexing` and counts an attempt when its worker starts on it, and its job is
 * deleted when it turns `ready` or `failed`.
 */
export interface JobQueue {
  /** This process's lease owner name (host, pid and a random part). */
  readonly owner: string;
  /** Takes up to `limit` jobs that nobody holds (oldest first); returns their document ids. */
  claim(limit: number): Promise<string[]>;
  /** Extends this owner's leases on `documentIds`; returns the ids it still holds (the others were taken over, or their documents removed). */
  renew(documentIds: readonly string[]): Promise<Set<string>>;
  /** Gives leases back at once (shutting down), so another worker takes the jobs without waiting for them to run out. */
  release(documentIds: readonly string[]): Promise<void>;
  /** Jobs waiting for a worker, and jobs held by a live lease. */
  depth(): Promise<{ waiting: number; leased: number }>;
}

/** Mutual exclusion per key across every process of a deployment (PostgreSQL advisory locks). */
export interface DistributedKeyedLock {
  /** Runs `task` while holding `key`'s lock; others asking for `key` wait. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** An open metadata database of either dialect, migrated, with its repositories. */
export interface MetadataDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  readonly documents: DocumentRepository;
  readonly collections: CollectionRepository;
  readonly apiKeys: ApiKeyRepository;
  /** An audit log keeping entries `retentionDays` (0: forever). */
  audit(retentionDays: number): AuditRepository;
  /**
   * A lease electing the one process that maintains a shared chunk store's indexes, across hosts
   * (PostgreSQL: an advisory lock); absent for SQLite, whose processes share one host.
   */
  maintenanceLease?(): IndexMaintenanceLease;
  /** PostgreSQL: the shared work queue, leases lasting `leaseMs`. Absent for SQLite (one process, an in-memory queue). */
  jobQueue?(leaseMs: number): JobQueue;
  /** PostgreSQL: upload bytes every process reads. Absent for SQLite (files in the data directory). */
  uploads?(): UploadStore;
  /** PostgreSQL: per-key locks across processes (identical content submitted to two replicas at once). */
  contentLock?(): DistributedKeyedLock;
  close(): Promise<void>;
}
