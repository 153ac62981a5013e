/**
 * Documents, texts, jobs, aliases and attachments in PostgreSQL: the same operations as
 * ../document-repository.ts (SQLite), each state change that must not be seen half done in one
 * transaction. PostgreSQL commits are durable as they return (`synchronous_commit` on), so the
 * SQLite implementation's FULL-sync switch for acknowledging writes has no counterpart here.
 */
import { and, asc, count, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { errorCodeOf, formatMessage, type UserMessage } from '../../messages/index.ts';
import type { DocumentRepository, JobInput, PendingDocument, ReadyDocument, StoredDocument, StoredPageSpans } from '../metadata-repositories.ts';
import type { DocumentRow, IngestJobRow } from '../schema.ts';
import type { PostgresDatabase } from './client.ts';
import { PostgresCollectionRepository } from './postgres-collection-repository.ts';
import { documentAliases, documentAttachments, documentCollections, documents, documentTexts, ingestJobs } from './schema.ts';

const now = () => new Date().toISOString();
const IN_BATCH = 500;

type Transaction = Parameters<Parameters<PostgresDatabase['transaction']>[0]>[0];
type Executor = PostgresDatabase | Transaction;

/** Documents in PostgreSQL (BELEG_DATABASE_URL). */
export class PostgresDocumentRepository implements DocumentRepository {
  readonly #db: PostgresDatabase;
  readonly collections: PostgresCollectionRepository;

  constructor(db: PostgresDatabase) {
    this.#db = db;
    this.collections = new PostgresCollectionRepository(db);
  }

  async find(id: string): Promise<DocumentRow | undefined> {
    const row = await documentById(this.#db, id);
    if (row) return row;
    const [alias] = await this.#db.select().from(documentAliases).where(eq(documentAliases.aliasId, id));
    return alias ? documentById(this.#db, alias.documentId) : undefined;
  }

  async findBySha256(sha256: string): Promise<DocumentRow | undefined> {
    const [row] = await this.#db
      .select()
      .from(documents)
      .where(eq(documents.sha256, sha256))
      .orderBy(sql`case ${documents.status} when 'ready' then 0 when 'indexing' then 1 when 'pending' then 2 else 3 end`, asc(documents.createdAt))
      .limit(1);
    return row;
  }

  async latestVersionOfUrl(url: string): Promise<DocumentRow | undefined> {
    const [row] = await this.#db.select().from(documents).where(eq(documents.url, url)).orderBy(desc(documents.version)).limit(1);
    return row;
  }

  async createPending(document: PendingDocument, job: JobInput): Promise<DocumentRow> {
    const createdAt = now();
    return this.#db.transaction(async (transaction) => {
      const [row] = await transaction
        .insert(documents)
        .values({
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
          status: 'pending',
          createdAt,
          updatedAt: createdAt,
        })
        .returning();
      await transaction.insert(ingestJobs).values(jobValues(row!.id, job));
      return row!;
    });
  }

  async retry(id: string, job: JobInput): Promise<DocumentRow | undefined> {
    return this.#db.transaction(async (transaction) => {
      const [row] = await transaction
        .update(documents)
        .set({ status: 'pending', errorCode: null, errorMessage: null, errorUserMessage: null, updatedAt: now() })
        .where(eq(documents.id, id))
        .returning();
      if (!row) return undefined;
      await transaction.delete(ingestJobs).where(eq(ingestJobs.documentId, id));
      await transaction.insert(ingestJobs).values(jobValues(id, job));
      return row;
    });
  }

  // ---- attachments ------------------------------------------------------------------------------

  async linkAttachment(parentId: string, attachmentId: string, fileName: string): Promise<void> {
    // Only while both exist: a mail removed meanwhile links nothing.
    await this.#db.execute(
      sql`insert into document_attachments (parent_id, attachment_id, file_name) select ${parentId}, ${attachmentId}, ${fileName} where exists (select 1 from documents where id = ${parentId}) and exists (select 1 from documents where id = ${attachmentId}) on conflict do nothing`,
    );
  }

  async attachmentIds(parentId: string): Promise<string[]> {
    const rows = await this.#db
      .select({ attachmentId: documentAttachments.attachmentId })
      .from(documentAttachments)
      .where(eq(documentAttachments.parentId, parentId))
      .orderBy(asc(documentAttachments.position));
    return rows.map((row) => row.attachmentId);
  }

  async attachmentIdsOf(parentIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (let start = 0; start < parentIds.length; start += IN_BATCH) {
      const rows = await this.#db
        .select({ parentId: documentAttachments.parentId, attachmentId: documentAttachments.attachmentId })
        .from(documentAttachments)
        .where(inArray(documentAttachments.parentId, parentIds.slice(start, start + IN_BATCH)))
        .orderBy(asc(documentAttachments.position));
      for (const row of rows) found.set(row.parentId, [...(found.get(row.parentId) ?? []), row.attachmentId]);
    }
    return found;
  }

  async parentIds(attachmentId: string): Promise<string[]> {
    const rows = await this.#db
      .select({ parentId: documentAttachments.parentId })
      .from(documentAttachments)
      .where(eq(documentAttachments.attachmentId, attachmentId))
      .orderBy(asc(documentAttachments.position));
    return rows.map((row) => row.parentId);
  }

  async setParent(id: string, parentId: string | null): Promise<void> {
    await this.#db.update(documents).set({ parentId, updatedAt: now() }).where(eq(documents.id, id));
  }

  // ---- state changes ----------------------------------------------------------------------------

  async markIndexing(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const updatedAt = now();
    await this.#db.transaction(async (transaction) => {
      await transaction.update(documents).set({ status: 'indexing', updatedAt }).where(inArray(documents.id, [...ids]));
      await transaction
        .update(ingestJobs)
        .set({ attempts: sql`${ingestJobs.attempts} + 1` })
        .where(inArray(ingestJobs.documentId, [...ids]));
    });
  }

  async markReady(readies: readonly ReadyDocument[]): Promise<({ document: DocumentRow; retiredId: string | null } | null)[]> {
    return this.#db.transaction(async (transaction) => {
      const outcomes: ({ document: DocumentRow; retiredId: string | null } | null)[] = [];
      for (const ready of readies) outcomes.push(await markOneReady(transaction, ready));
      return outcomes;
    });
  }

  async mergeInto(id: string, existingId: string): Promise<void> {
    await this.#db.transaction(async (transaction) => {
      await transaction.update(documentAliases).set({ documentId: existingId }).where(eq(documentAliases.documentId, id));
      await copyMemberships(transaction, id, existingId);
      await transaction.delete(documents).where(eq(documents.id, id));
      await transaction.insert(documentAliases).values({ aliasId: id, documentId: existingId }).onConflictDoNothing();
    });
  }

  async markFailed(id: string, error: UserMessage): Promise<DocumentRow | undefined> {
    const failure = { errorCode: errorCodeOf(error.id), errorMessage: formatMessage(error, 'en'), errorUserMessage: error };
    return this.#db.transaction(async (transaction) => {
      await transaction.delete(ingestJobs).where(eq(ingestJobs.documentId, id));
      const [row] = await transaction
        .update(documents)
        .set({ status: 'failed', ...failure, updatedAt: now() })
        .where(eq(documents.id, id))
        .returning();
      return row;
    });
  }

  async remove(id: string): Promise<boolean> {
    const deleted = await this.#db.delete(documents).where(eq(documents.id, id)).returning({ id: documents.id });
    return deleted.length > 0;
  }

  // ---- reading ----------------------------------------------------------------------------------

  async list(options: { limit: number; offset: number; status?: DocumentRow['status']; collectionIds?: readonly string[] }): Promise<{ rows: DocumentRow[]; total: number }> {
    const inCollections: SQL | undefined =
      options.collectionIds === undefined
        ? undefined
        : options.collectionIds.length === 0
          ? sql`false`
          : sql`exists (select 1 from ${documentCollections} where ${documentCollections.documentId} = ${documents.id} and ${inArray(documentCollections.collectionId, [...options.collectionIds])})`;
    const filter = and(options.status ? eq(documents.status, options.status) : undefined, inCollections);
    const rows = await this.#db
      .select()
      .from(documents)
      .where(filter)
      .orderBy(desc(documents.createdAt), desc(documents.id))
      .limit(options.limit)
      .offset(options.offset);
    const [counted] = await this.#db.select({ total: count() }).from(documents).where(filter);
    return { rows, total: counted?.total ?? 0 };
  }

  async readyChunkCounts(): Promise<Map<string, number>> {
    const rows = await this.#db.select({ id: documents.id, chunkCount: documents.chunkCount }).from(documents).where(eq(documents.status, 'ready'));
    return new Map(rows.map((row) => [row.id, row.chunkCount]));
  }

  async storedDocument(id: string): Promise<StoredDocument | undefined> {
    const [row] = await this.#db
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
      .where(eq(documentTexts.documentId, id));
    return row;
  }

  async setChunkCount(id: string, chunkCount: number): Promise<void> {
    await this.#db.update(documents).set({ chunkCount, updatedAt: now() }).where(eq(documents.id, id));
  }

  async readyIds(): Promise<string[]> {
    const rows = await this.#db.select({ id: documents.id }).from(documents).where(eq(documents.status, 'ready'));
    return rows.map((row) => row.id);
  }

  async readyAmong(ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const ready = new Set<string>();
    for (let start = 0; start < unique.length; start += IN_BATCH) {
      const rows = await this.#db
        .select({ id: documents.id })
        .from(documents)
        .where(and(eq(documents.status, 'ready'), inArray(documents.id, unique.slice(start, start + IN_BATCH))));
      for (const row of rows) ready.add(row.id);
    }
    return ready;
  }

  async text(id: string): Promise<string | undefined> {
    const [row] = await this.#db.select({ text: documentTexts.text }).from(documentTexts).where(eq(documentTexts.documentId, id));
    return row?.text;
  }

  async pages(id: string): Promise<StoredPageSpans | null> {
    const [row] = await this.#db.select({ pages: documentTexts.pages }).from(documentTexts).where(eq(documentTexts.documentId, id));
    return row?.pages ?? null;
  }

  async interrupted(): Promise<{ document: DocumentRow; job: IngestJobRow | null }[]> {
    const rows = await this.#db
      .select()
      .from(documents)
      .leftJoin(ingestJobs, eq(ingestJobs.documentId, documents.id))
      .where(inArray(documents.status, ['pending', 'indexing']))
      .orderBy(asc(documents.createdAt));
    return rows.map((row) => ({ document: row.documents, job: row.ingest_jobs }));
  }

  async job(id: string): Promise<IngestJobRow | undefined> {
    const [row] = await this.#db.select().from(ingestJobs).where(eq(ingestJobs.documentId, id));
    return row;
  }

  async uploadsInUse(): Promise<Set<string>> {
    const rows = await this.#db.select({ sha256: ingestJobs.uploadSha256 }).from(ingestJobs);
    return new Set(rows.map((row) => row.sha256).filter((sha256): sha256 is string => sha256 !== null));
  }

  async uploadInUse(sha256: string, exceptId: string): Promise<boolean> {
    const rows = await this.#db
      .select({ id: ingestJobs.documentId })
      .from(ingestJobs)
      .where(and(eq(ingestJobs.uploadSha256, sha256), ne(ingestJobs.documentId, exceptId)))
      .limit(1);
    return rows.length > 0;
  }
}

async function documentById(executor: Executor, id: string): Promise<DocumentRow | undefined> {
  const [row] = await executor.select().from(documents).where(eq(documents.id, id));
  return row;
}

function jobValues(documentId: string, job: JobInput): typeof ingestJobs.$inferInsert {
  return {
    documentId,
    inputKind: job.inputKind,
    uploadSha256: job.uploadSha256 ?? null,
    text: job.text ?? null,
    url: job.url ?? null,
    fileName: job.fileName ?? null,
    title: job.title ?? null,
    mimeType: job.mimeType ?? null,
  };
}

/** One document of markReady, inside its transaction (see the SQLite implementation). */
async function markOneReady(transaction: Transaction, ready: ReadyDocument): Promise<{ document: DocumentRow; retiredId: string | null } | null> {
  const [row] = await transaction
    .update(documents)
    .set({
      status: 'ready',
      title: ready.title,
      mimeType: ready.mimeType,
      language: ready.language,
      finalUrl: ready.finalUrl,
      sha256: ready.sha256,
      byteSize: ready.byteSize,
      pageCount: ready.pageCount,
      chunkCount: ready.chunkCount,
      errorCode: null,
      errorMessage: null,
      errorUserMessage: null,
      updatedAt: now(),
    })
    .where(eq(documents.id, ready.id))
    .returning();
  // Removed while it was being indexed: nothing to mark.
  if (!row) return null;
  await transaction
    .insert(documentTexts)
    .values({ documentId: ready.id, text: ready.text, pages: ready.pages, sections: ready.sections })
    .onConflictDoUpdate({ target: documentTexts.documentId, set: { text: ready.text, pages: ready.pages, sections: ready.sections } });
  await transaction.delete(ingestJobs).where(eq(ingestJobs.documentId, ready.id));
  const previous = row.supersedes ? await documentById(transaction, row.supersedes) : undefined;
  if (!previous) return { document: row, retiredId: null };
  await transaction.update(documentAliases).set({ documentId: row.id }).where(eq(documentAliases.documentId, previous.id));
  await copyMemberships(transaction, previous.id, row.id);
  await transaction.delete(documents).where(eq(documents.id, previous.id));
  await transaction.insert(documentAliases).values({ aliasId: previous.id, documentId: row.id }).onConflictDoNothing();
  return { document: row, retiredId: previous.id };
}

/** Puts `toId` into every collection `fromId` is in (inside the caller's transaction). */
async function copyMemberships(transaction: Transaction, fromId: string, toId: string): Promise<void> {
  await transaction.execute(
    sql`insert into document_collections (document_id, collection_id) select ${toId}, collection_id from document_collections where document_id = ${fromId} on conflict do nothing`,
  );
}
