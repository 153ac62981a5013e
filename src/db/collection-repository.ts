/**
 * Collections and which documents are in them. Every question of visibility ("may this key see
 * that document?") is one SQL query here over `document_collections`, so the API never filters
 * what it already fetched.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { BelegDatabase } from './client.ts';
import type { CollectionRepository, CollectionScope, CollectionWithCount } from './metadata-repositories.ts';
import { collections, documentCollections, documents, type CollectionRow } from './schema.ts';


const IN_BATCH = 500;

/** Collections in SQLite (the embedded default); async only to share the contract with PostgreSQL. */
export class SqliteCollectionRepository implements CollectionRepository {
  readonly #db: BelegDatabase;

  constructor(db: BelegDatabase) {
    this.#db = db;
  }

  /** Every collection in `scope`, by id, with its document count. */
  async list(scope: CollectionScope = '*'): Promise<CollectionWithCount[]> {
    const rows = this.#db
      .select({ id: collections.id, name: collections.name, createdAt: collections.createdAt, documentCount: sql<number>`count(${documentCollections.documentId})` })
      .from(collections)
      .leftJoin(documentCollections, eq(documentCollections.collectionId, collections.id))
      .where(scope === '*' ? undefined : inArray(collections.id, [...scope]))
      .groupBy(collections.id)
      .orderBy(asc(collections.id))
      .all();
    return rows;
  }

  async find(id: string): Promise<CollectionRow | undefined> {
    return this.#db.select().from(collections).where(eq(collections.id, id)).get();
  }

  /** Creates a collection; false when the id is taken. */
  async create(id: string, name: string): Promise<boolean> {
    return this.#db.insert(collections).values({ id, name }).onConflictDoNothing().run().changes > 0;
  }

  async rename(id: string, name: string): Promise<boolean> {
    return this.#db.update(collections).set({ name }).where(eq(collections.id, id)).run().changes > 0;
  }

  /** Deletes an empty collection; returns 'missing', 'not_empty' or 'deleted'. */
  async remove(id: string): Promise<'missing' | 'not_empty' | 'deleted'> {
    return this.#db.transaction((transaction) => {
      if (!transaction.select().from(collections).where(eq(collections.id, id)).get()) return 'missing';
      const members = transaction.select({ total: count() }).from(documentCollections).where(eq(documentCollections.collectionId, id)).get()?.total ?? 0;
      if (members > 0) return 'not_empty';
      transaction.delete(collections).where(eq(collections.id, id)).run();
      return 'deleted';
    });
  }

  /** Puts a document into a collection (already there: nothing changes). */
  async addDocument(documentId: string, collectionId: string): Promise<void> {
    // Only while the document exists: a document removed meanwhile (between awaits) joins nothing.
    this.#db.run(
      sql`insert or ignore into document_collections (document_id, collection_id) select ${documentId}, ${collectionId} where exists (select 1 from documents where id = ${documentId})`,
    );
  }

  /** Puts a document into every collection another document is in (a URL's new version, a merged duplicate, a mail's attachment). */
  async copyMemberships(fromDocumentId: string, toDocumentId: string): Promise<void> {
    this.#db.run(
      sql`insert or ignore into document_collections (document_id, collection_id) select ${toDocumentId}, collection_id from document_collections where document_id = ${fromDocumentId}`,
    );
  }

  /** Takes a document out of these collections; returns how many collections it is still in. */
  async removeDocument(documentId: string, collectionIds: readonly string[]): Promise<number> {
    return this.#db.transaction((transaction) => {
      if (collectionIds.length > 0) {
        transaction
          .delete(documentCollections)
          .where(and(eq(documentCollections.documentId, documentId), inArray(documentCollections.collectionId, [...collectionIds])))
          .run();
      }
      return transaction.select({ total: count() }).from(documentCollections).where(eq(documentCollections.documentId, documentId)).get()?.total ?? 0;
    });
  }

  /**
   * Takes a document out of the collections of `from` (every collection for `'*'`) and puts it
   * into `to`, in one transaction (no moment where it is in neither or in both).
   */
  async moveDocument(documentId: string, from: CollectionScope, to: string): Promise<void> {
    this.#db.transaction((transaction) => {
      const leaving = eq(documentCollections.documentId, documentId);
      transaction
        .delete(documentCollections)
        .where(from === '*' ? leaving : and(leaving, inArray(documentCollections.collectionId, [...from])))
        .run();
      transaction.insert(documentCollections).values({ documentId, collectionId: to }).onConflictDoNothing().run();
    });
  }

  /** The collections a document is in, by id. */
  async collectionsOf(documentId: string): Promise<string[]> {
    return this.#db
      .select({ id: documentCollections.collectionId })
      .from(documentCollections)
      .where(eq(documentCollections.documentId, documentId))
      .orderBy(asc(documentCollections.collectionId))
      .all()
      .map((row) => row.id);
  }

  /** The collections of each of these documents. */
  async collectionsOfMany(documentIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (let start = 0; start < documentIds.length; start += IN_BATCH) {
      const rows = this.#db
        .select()
        .from(documentCollections)
        .where(inArray(documentCollections.documentId, documentIds.slice(start, start + IN_BATCH)))
        .orderBy(asc(documentCollections.collectionId))
        .all();
      for (const row of rows) found.set(row.documentId, [...(found.get(row.documentId) ?? []), row.collectionId]);
    }
    return found;
  }

  /** Whether the document is in at least one collection of `scope`. */
  async isVisible(documentId: string, scope: CollectionScope): Promise<boolean> {
    if (scope === '*') return true;
    if (scope.length === 0) return false;
    return (
      this.#db
        .select({ id: documentCollections.documentId })
        .from(documentCollections)
        .where(and(eq(documentCollections.documentId, documentId), inArray(documentCollections.collectionId, [...scope])))
        .get() !== undefined
    );
  }

  /** Which of these documents are `ready` and in at least one collection of `scope` (checked now, in one query per 500). */
  async visibleReadyAmong(documentIds: readonly string[], scope: CollectionScope): Promise<Set<string>> {
    const unique = [...new Set(documentIds)];
    const visible = new Set<string>();
    if (scope !== '*' && scope.length === 0) return visible;
    for (let start = 0; start < unique.length; start += IN_BATCH) {
      const slice = unique.slice(start, start + IN_BATCH);
      const rows =
        scope === '*'
          ? this.#db
              .select({ id: documents.id })
              .from(documents)
              .where(and(eq(documents.status, 'ready'), inArray(documents.id, slice)))
              .all()
          : this.#db
              .selectDistinct({ id: documents.id })
              .from(documents)
              .innerJoin(documentCollections, eq(documentCollections.documentId, documents.id))
              .where(and(eq(documents.status, 'ready'), inArray(documents.id, slice), inArray(documentCollections.collectionId, [...scope])))
              .all();
      for (const row of rows) visible.add(row.id);
    }
    return visible;
  }

  /** Ids of the `ready` documents in at least one of these collections (the retrieval filter). */
  async readyIdsIn(collectionIds: readonly string[]): Promise<string[]> {
    if (collectionIds.length === 0) return [];
    return this.#db
      .selectDistinct({ id: documentCollections.documentId })
      .from(documentCollections)
      .innerJoin(documents, eq(documents.id, documentCollections.documentId))
      .where(and(inArray(documentCollections.collectionId, [...collectionIds]), eq(documents.status, 'ready')))
      .all()
      .map((row) => row.id);
  }
}
