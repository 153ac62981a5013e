/**
 * The SQLite implementation of the document repository (./metadata-repositories.ts): every query
 * beleg makes against its documents, over the drizzle schema, so drizzle stays inside `src/db`.
 * The work is synchronous (better-sqlite3); the methods are async only to share the contract with
 * PostgreSQL, and each one's body runs whole before it returns, so its transactions stay synchronous. State changes that must not be seen half done (a document turning
 * `ready` with its text, a version retiring its predecessor) are single transactions.
 */
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { BelegDatabase } from './client.ts';
import { SqliteCollectionRepository } from './collection-repository.ts';
import type { DocumentRepository, JobInput, PendingDocument, ReadyDocument, StoredDocument, StoredPageSpans } from './metadata-repositories.ts';
import { errorCodeOf, formatMessage, type UserMessage } from '../messages/index.ts';
import { documentAliases, documentAttachments, documentCollections, documents, documentTexts, ingestJobs, type DocumentRow, type IngestJobRow } from './schema.ts';

const now = () => new Date().toISOString();

/**
 * The queries run once or more per document, prepared once: building and preparing a statement
 * per call cost more than running it (measured: over half of ingestion's SQLite time).
 */
function prepareStatements(db: BelegDatabase) {
  const id = sql.placeholder('id');
  const updatedAt = sql`${sql.placeholder('updatedAt')}`;
  return {
    documentById: db.select().from(documents).where(eq(documents.id, id)).prepare(),
    aliasById: db.select().from(documentAliases).where(eq(documentAliases.aliasId, id)).prepare(),
    documentBySha256: db
      .select()
      .from(documents)
      .where(eq(documents.sha256, sql.placeholder('sha256')))
      .orderBy(sql`case ${documents.status} when 'ready' then 0 when 'indexing' then 1 when 'pending' then 2 else 3 end`, asc(documents.createdAt))
      .limit(1)
      .prepare(),
    jobById: db.select().from(ingestJobs).where(eq(ingestJobs.documentId, id)).prepare(),
    deleteJob: db.delete(ingestJobs).where(eq(ingestJobs.documentId, id)).prepare(),
    insertDocument: db
      .insert(documents)
      .values({
        id,
        sourceKind: sql.placeholder('sourceKind'),
        fileName: sql.placeholder('fileName'),
        url: sql.placeholder('url'),
        title: sql.placeholder('title'),
        mimeType: sql.placeholder('mimeType'),
        sha256: sql.placeholder('sha256'),
        byteSize: sql.placeholder('byteSize'),
        version: sql.placeholder('version'),
        supersedes: sql.placeholder('supersedes'),
        parentId: sql.placeholder('parentId'),
        status: 'pending',
        createdAt: sql.placeholder('createdAt'),
        updatedAt: sql.placeholder('createdAt'),
      })
      .returning()
      .prepare(),
    insertJob: db
      .insert(ingestJobs)
      .values({
        documentId: id,
        inputKind: sql.placeholder('inputKind'),
        uploadSha256: sql.placeholder('uploadSha256'),
        text: sql.placeholder('text'),
        url: sql.placeholder('url'),
        fileName: sql.placeholder('fileName'),
        title: sql.placeholder('title'),
        mimeType: sql.placeholder('mimeType'),
      })
      .prepare(),
    markReady: db
      .update(documents)
      .set({
        status: 'ready',
        title: sql`${sql.placeholder('title')}`,
        mimeType: sql`${sql.placeholder('mimeType')}`,
        language: sql`${sql.placeholder('language')}`,
        finalUrl: sql`${sql.placeholder('finalUrl')}`,
        sha256: sql`${sql.placeholder('sha256')}`,
        byteSize: sql`${sql.placeholder('byteSize')}`,
        pageCount: sql`${sql.placeholder('pageCount')}`,
        chunkCount: sql`${sql.placeholder('chunkCount')}`,
        errorCode: null,
        errorMessage: null,
        errorUserMessage: null,
        updatedAt,
      })
      .where(eq(documents.id, id))
      .returning()
      .prepare(),
    markIndexing: db.update(documents).set({ status: 'indexing', updatedAt }).where(eq(documents.id, id)).prepare(),
    attachmentsOf: db
      .select({ attachmentId: documentAttachments.attachmentId })
      .from(documentAttachments)
      .where(eq(documentAttachments.parentId, id))
      .orderBy(asc(sql`rowid`))
      .prepare(),
    countAttempt: db
      .update(ingestJobs)
      .set({ attempts: sql`${ingestJobs.attempts} + 1` })
      .where(eq(ingestJobs.documentId, id))
      .prepare(),
  };
}

/** Documents in SQLite (the embedded default). */
export class SqliteDocumentRepository implements DocumentRepository {
  readonly #db: BelegDatabase;
  readonly #statements: ReturnType<typeof prepareStatements>;
  /** The collections documents are in (same database). */
  readonly collections: SqliteCollectionRepository;

  constructor(db: BelegDatabase) {
    this.#db = db;
    this.collections = new SqliteCollectionRepository(db);
    this.#statements = prepareStatements(db);
  }

  /** The document with this id, following aliases (retired versions, duplicates); undefined if none. */
  async find(id: string): Promise<DocumentRow | undefined> {
    const row = this.#statements.documentById.get({ id });
    if (row) return row;
    const alias = this.#statements.aliasById.get({ id });
    return alias ? this.#statements.documentById.get({ id: alias.documentId }) : undefined;
  }

  /** A document with this content: ready or in progress first, then failed ones. */
  async findBySha256(sha256: string): Promise<DocumentRow | undefined> {
    return this.#statements.documentBySha256.get({ sha256 });
  }

  /** The newest version of a URL's document, if any. */
  async latestVersionOfUrl(url: string): Promise<DocumentRow | undefined> {
    return this.#db.select().from(documents).where(eq(documents.url, url)).orderBy(desc(documents.version)).get();
  }

  /** Inserts a `pending` document together with its job, atomically. */
  async createPending(document: PendingDocument, job: JobInput): Promise<DocumentRow> {
    return this.#db.transaction(() => {
      const row = this.#statements.insertDocument.get({
        id: document.id,
        sourceKind: document.sourceKind,
        fileName: document.fileName ?? null,
        url: document.url ?? null,
        title: document.title ?? null,
        mimeType: document.mimeType ?? null,
        sha256: document.sha256 ?? null,
        byteSize: document.byteSize ?? null,
        version: document.version ?? 1,
        supersedes: document.supersedes ?? null,
        parentId: document.parentId ?? null,
        createdAt: now(),
      })!;
      this.#statements.insertJob.run({
        id: row.id,
        inputKind: job.inputKind,
        uploadSha256: job.uploadSha256 ?? null,
        text: job.text ?? null,
        url: job.url ?? null,
        fileName: job.fileName ?? null,
        title: job.title ?? null,
        mimeType: job.mimeType ?? null,
      });
      return row;
    });
  }

  /** Puts a failed document back to `pending` with a fresh job (a retry of identical content). */
  async retry(id: string, job: JobInput): Promise<DocumentRow | undefined> {
    return this.#db.transaction((transaction) => {
      transaction.delete(ingestJobs).where(eq(ingestJobs.documentId, id)).run();
      transaction.insert(ingestJobs).values({ ...job, documentId: id }).run();
      return transaction
        .update(documents)
        .set({ status: 'pending', errorCode: null, errorMessage: null, errorUserMessage: null, updatedAt: now() })
        .where(eq(documents.id, id))
        .returning()
        .get();
    });
  }

  // ---- attachments (an e-mail's files, each a document of its own) ---------------------------

  /** Records that `attachmentId` is attached to `parentId` under `fileName` (again: nothing changes). */
  async linkAttachment(parentId: string, attachmentId: string, fileName: string): Promise<void> {
    // Only while both exist: a mail removed meanwhile links nothing.
    this.#db.run(
      sql`insert or ignore into document_attachments (parent_id, attachment_id, file_name) select ${parentId}, ${attachmentId}, ${fileName} where exists (select 1 from documents where id = ${parentId}) and exists (select 1 from documents where id = ${attachmentId})`,
    );
  }

  /** The ids of a document's attachments, in the order they were linked. */
  async attachmentIds(parentId: string): Promise<string[]> {
    return this.#statements.attachmentsOf.all({ id: parentId }).map((row) => row.attachmentId);
  }

  /** The attachment ids of each of these documents (only those that have some). */
  async attachmentIdsOf(parentIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (let start = 0; start < parentIds.length; start += 500) {
      const rows = this.#db
        .select()
        .from(documentAttachments)
        .where(inArray(documentAttachments.parentId, parentIds.slice(start, start + 500)))
        .orderBy(asc(sql`rowid`))
        .all();
      for (const row of rows) found.set(row.parentId, [...(found.get(row.parentId) ?? []), row.attachmentId]);
    }
    return found;
  }

  /** The documents (mails) that `attachmentId` is attached to. */
  async parentIds(attachmentId: string): Promise<string[]> {
    return this.#db
      .select({ parentId: documentAttachments.parentId })
      .from(documentAttachments)
      .where(eq(documentAttachments.attachmentId, attachmentId))
      .all()
      .map((row) => row.parentId);
  }

  /** Sets the mail a document counts as coming from (null: the user's own document, kept when mails go). */
  async setParent(id: string, parentId: string | null): Promise<void> {
    this.#db.update(documents).set({ parentId, updatedAt: now() }).where(eq(documents.id, id)).run();
  }

  /** Marks documents `indexing` and counts the attempt, in one transaction. */
  async markIndexing(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const updatedAt = now();
    this.#db.transaction(() => {
      for (const id of ids) {
        this.#statements.markIndexing.run({ id, updatedAt });
        this.#statements.countAttempt.run({ id });
      }
    });
  }

  /**
   * Marks documents `ready` with their texts in ONE transaction: ends their jobs and, where one
   * supersedes an older version, deletes that version's row (its id becomes an alias of the new
   * one). Returns, per document, the row and the retired id whose chunks the caller removes from
   * the chunk store — or null for a document removed meanwhile.
   */
  async markReady(readies: readonly ReadyDocument[]): Promise<({ document: DocumentRow; retiredId: string | null } | null)[]> {
    return this.#durably(() => this.#db.transaction((transaction) => readies.map((ready) => this.#markOneReady(transaction, ready))));
  }

  /** Drops a document that turned out identical to `existingId`; its id now resolves to that one. */
  async mergeInto(id: string, existingId: string): Promise<void> {
    this.#db.transaction((transaction) => {
      transaction.update(documentAliases).set({ documentId: existingId }).where(eq(documentAliases.documentId, id)).run();
      copyMemberships(transaction, id, existingId);
      transaction.delete(documents).where(eq(documents.id, id)).run();
      transaction.insert(documentAliases).values({ aliasId: id, documentId: existingId }).onConflictDoNothing().run();
    });
  }

  /**
   * Marks a document `failed` with the error's catalogue message and ends its job. The row keeps
   * the code, the English message and the message itself, to be said in the reader's language.
   */
  async markFailed(id: string, error: UserMessage): Promise<DocumentRow | undefined> {
    const failure = { errorCode: errorCodeOf(error.id), errorMessage: formatMessage(error, 'en'), errorUserMessage: error };
    return this.#db.transaction((transaction) => {
      transaction.delete(ingestJobs).where(eq(ingestJobs.documentId, id)).run();
      return transaction
        .update(documents)
        .set({ status: 'failed', ...failure, updatedAt: now() })
        .where(eq(documents.id, id))
        .returning()
        .get();
    });
  }

  /** Deletes a document with its text, job and aliases. Returns whether it existed. */
  async remove(id: string): Promise<boolean> {
    return this.#durably(() => this.#db.delete(documents).where(eq(documents.id, id)).run().changes > 0);
  }

  /**
   * Runs an acknowledging write with `synchronous = FULL`: its commit (and every earlier one)
   * reaches the disk before it returns, so it survives a power loss too (see ./client.ts).
   */
  #durably<T>(write: () => T): T {
    this.#db.run(sql`PRAGMA synchronous = FULL`);
    try {
      return write();
    } finally {
      this.#db.run(sql`PRAGMA synchronous = NORMAL`);
    }
  }

  /**
   * One page of documents, newest first, and how many there are; with `collectionIds`, only
   * documents in at least one of them (an `exists` over the membership table, inside the query).
   */
  async list(options: { limit: number; offset: number; status?: DocumentRow['status']; collectionIds?: readonly string[] }): Promise<{ rows: DocumentRow[]; total: number }> {
    const inCollections =
      options.collectionIds === undefined
        ? undefined
        : options.collectionIds.length === 0
          ? sql`0`
          : sql`exists (select 1 from ${documentCollections} where ${documentCollections.documentId} = ${documents.id} and ${inArray(documentCollections.collectionId, [...options.collectionIds])})`;
    const filter = and(options.status ? eq(documents.status, options.status) : undefined, inCollections);
    const rows = this.#db
      .select()
      .from(documents)
      .where(filter)
      .orderBy(desc(documents.createdAt), desc(documents.id))
      .limit(options.limit)
      .offset(options.offset)
      .all();
    const total = this.#db.select({ total: count() }).from(documents).where(filter).get()?.total ?? 0;
    return { rows, total };
  }

  /** Every `ready` document's id and the number of chunks it should have. */
  async readyChunkCounts(): Promise<Map<string, number>> {
    const rows = this.#db.select({ id: documents.id, chunkCount: documents.chunkCount }).from(documents).where(eq(documents.status, 'ready')).all();
    return new Map(rows.map((row) => [row.id, row.chunkCount]));
  }

  /** A ready document's stored text with its page and section spans and what loading found. */
  async storedDocument(id: string): Promise<StoredDocument | undefined> {
    return this.#db
      .select({
        text: documentTexts.text,
        pages: documentTexts.pages,
        sections: documentTexts.sections,
        title: documents.title,
        mimeType: documents.mimeType,
        language: documents.language,
        finalUrl: documents.finalUrl,
      })
      .from(documentTexts)
      .innerJoin(documents, eq(documents.id, documentTexts.documentId))
      .where(eq(documentTexts.documentId, id))
      .get();
  }

  /** Records a new chunk count (after chunks were rebuilt from the stored text). */
  async setChunkCount(id: string, chunkCount: number): Promise<void> {
    this.#db.update(documents).set({ chunkCount, updatedAt: now() }).where(eq(documents.id, id)).run();
  }

  /** Ids of every `ready` document. */
  async readyIds(): Promise<string[]> {
    return this.#db
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.status, 'ready'))
      .all()
      .map((row) => row.id);
  }

  /** Which of these ids are `ready` documents (one query; for filtering search hits). */
  async readyAmong(ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const ready = new Set<string>();
    for (let start = 0; start < unique.length; start += 500) {
      const rows = this.#db
        .select({ id: documents.id })
        .from(documents)
        .where(and(eq(documents.status, 'ready'), inArray(documents.id, unique.slice(start, start + 500))))
        .all();
      for (const row of rows) ready.add(row.id);
    }
    return ready;
  }

  /** The stored text of a document, if it has one. */
  async text(id: string): Promise<string | undefined> {
    return this.#db.select({ text: documentTexts.text }).from(documentTexts).where(eq(documentTexts.documentId, id)).get()?.text;
  }

  /** A document's PDF page spans (offsets into its stored text), null when it has none or no stored text. */
  async pages(id: string): Promise<StoredPageSpans | null> {
    return this.#db.select({ pages: documentTexts.pages }).from(documentTexts).where(eq(documentTexts.documentId, id)).get()?.pages ?? null;
  }

  /** Documents left `pending` or `indexing` (by a killed process, at start-up), oldest first, with their jobs. */
  async interrupted(): Promise<{ document: DocumentRow; job: IngestJobRow | null }[]> {
    return this.#db
      .select()
      .from(documents)
      .leftJoin(ingestJobs, eq(ingestJobs.documentId, documents.id))
      .where(inArray(documents.status, ['pending', 'indexing']))
      .orderBy(asc(documents.createdAt))
      .all()
      .map((row) => ({ document: row.documents, job: row.ingest_jobs }));
  }

  /** The job of a document, if it still has one. */
  async job(id: string): Promise<IngestJobRow | undefined> {
    return this.#statements.jobById.get({ id });
  }

  /** sha256 names of uploads that some job still needs. */
  async uploadsInUse(): Promise<Set<string>> {
    const rows = this.#db.select({ sha256: ingestJobs.uploadSha256 }).from(ingestJobs).all();
    return new Set(rows.map((row) => row.sha256).filter((sha256): sha256 is string => sha256 !== null));
  }

  /** Whether any job other than `exceptId`'s still needs this upload. */
  async uploadInUse(sha256: string, exceptId: string): Promise<boolean> {
    return (
      this.#db
        .select({ id: ingestJobs.documentId })
        .from(ingestJobs)
        .where(and(eq(ingestJobs.uploadSha256, sha256), sql`${ingestJobs.documentId} <> ${exceptId}`))
        .get() !== undefined
    );
  }

  /** One document of markReady, inside its transaction. */
  #markOneReady(transaction: Transaction, ready: ReadyDocument): { document: DocumentRow; retiredId: string | null } | null {
    const row = this.#statements.markReady.get({
      id: ready.id,
      title: ready.title,
      mimeType: ready.mimeType,
      language: ready.language,
      finalUrl: ready.finalUrl,
      sha256: ready.sha256,
      byteSize: ready.byteSize,
      pageCount: ready.pageCount,
      chunkCount: ready.chunkCount,
      updatedAt: now(),
    });
    // Removed while it was being indexed: nothing to mark.
    if (!row) return null;
    transaction
      .insert(documentTexts)
      .values({ documentId: ready.id, text: ready.text, pages: ready.pages, sections: ready.sections })
      .onConflictDoUpdate({ target: documentTexts.documentId, set: { text: ready.text, pages: ready.pages, sections: ready.sections } })
      .run();
    this.#statements.deleteJob.run({ id: ready.id });
    const previous = row.supersedes ? this.#statements.documentById.get({ id: row.supersedes }) : undefined;
    if (!previous) return { document: row, retiredId: null };
    transaction.update(documentAliases).set({ documentId: row.id }).where(eq(documentAliases.documentId, previous.id)).run();
    copyMemberships(transaction, previous.id, row.id);
    transaction.delete(documents).where(eq(documents.id, previous.id)).run();
    transaction.insert(documentAliases).values({ aliasId: previous.id, documentId: row.id }).onConflictDoNothing().run();
    return { document: row, retiredId: previous.id };
  }
}

/** Puts `toId` into every collection `fromId` is in (inside the caller's transaction). */
function copyMemberships(transaction: Transaction, fromId: string, toId: string): void {
  transaction.run(
    sql`insert or ignore into document_collections (document_id, collection_id) select ${toId}, collection_id from document_collections where document_id = ${fromId}`,
  );
}

type Transaction = Parameters<Parameters<BelegDatabase['transaction']>[0]>[0];
