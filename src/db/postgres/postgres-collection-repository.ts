/** Collections and memberships in PostgreSQL: the same operations as ../collection-repository.ts (SQLite). */
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { CollectionRepository, CollectionScope, CollectionWithCount } from '../metadata-repositories.ts';
import type { CollectionRow } from '../schema.ts';
import type { PostgresDatabase } from './client.ts';
import { collections, documentCollections, documents } from './schema.ts';

const IN_BATCH = 500;

/**
 * Orders by bytes, as SQLite does: a database's default collation (say `de_DE.UTF-8`) would
 * otherwise put `a-c` after `ab`, and the two dialects would list collections differently.
 */
const byBytes = (column: AnyPgColumn) => sql`${column} collate "C"`;

/** Collections in PostgreSQL. */
export class PostgresCollectionRepository implements CollectionRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async list(scope: CollectionScope = '*'): Promise<CollectionWithCount[]> {
    return this.#db
      .select({ id: collections.id, name: collections.name, createdAt: collections.createdAt, documentCount: sql<number>`count(${documentCollections.documentId})::int` })
      .from(collections)
      .leftJoin(documentCollections, eq(documentCollections.collectionId, collections.id))
      .where(scope === '*' ? undefined : inArray(collections.id, [...scope]))
      .groupBy(collections.id)
      .orderBy(byBytes(collections.id));
  }

  async find(id: string): Promise<CollectionRow | undefined> {
    const [row] = await this.#db.select().from(collections).where(eq(collections.id, id));
    return row;
  }

  async create(id: string, name: string): Promise<boolean> {
    const inserted = await this.#db.insert(collections).values({ id, name }).onConflictDoNothing().returning({ id: collections.id });
    return inserted.length > 0;
  }

  async rename(id: string, name: string): Promise<boolean> {
    const updated = await this.#db.update(collections).set({ name }).where(eq(collections.id, id)).returning({ id: collections.id });
    return updated.length > 0;
  }

  /**
   * Deletes an empty collection. The row is locked first (`for update`): a membership inserted
   * meanwhile needs a key-share lock on it, so it waits, and no document loses its collection.
   */
  async remove(id: string): Promise<'missing' | 'not_empty' | 'deleted'> {
    return this.#db.transaction(async (transaction) => {
      const [found] = await transaction.select({ id: collections.id }).from(collections).where(eq(collections.id, id)).for('update');
      if (!found) return 'missing';
      const [members] = await transaction.select({ total: count() }).from(documentCollections).where(eq(documentCollections.collectionId, id));
      if ((members?.total ?? 0) > 0) return 'not_empty';
      await transaction.delete(collections).where(eq(collections.id, id));
      return 'deleted';
    });
  }

  async addDocument(documentId: string, collectionId: string): Promise<void> {
    // Only while the document exists: a document removed meanwhile joins nothing.
    await this.#db.execute(
      sql`insert into document_collections (document_id, collection_id) select ${documentId}, ${collectionId} where exists (select 1 from documents where id = ${documentId}) on conflict do nothing`,
    );
  }

  async copyMemberships(fromDocumentId: string, toDocumentId: string): Promise<void> {
    await this.#db.execute(
      sql`insert into document_collections (document_id, collection_id) select ${toDocumentId}, collection_id from document_collections where document_id = ${fromDocumentId} on conflict do nothing`,
    );
  }

  async removeDocument(documentId: string, collectionIds: readonly string[]): Promise<number> {
    return this.#db.transaction(async (transaction) => {
      if (collectionIds.length > 0) {
        await transaction
          .delete(documentCollections)
          .where(and(eq(documentCollections.documentId, documentId), inArray(documentCollections.collectionId, [...collectionIds])));
      }
      const [left] = await transaction.select({ total: count() }).from(documentCollections).where(eq(documentCollections.documentId, documentId));
      return left?.total ?? 0;
    });
  }

  async moveDocument(documentId: string, from: CollectionScope, to: string): Promise<void> {
    await this.#db.transaction(async (transaction) => {
      const leaving = eq(documentCollections.documentId, documentId);
      await transaction.delete(documentCollections).where(from === '*' ? leaving : and(leaving, inArray(documentCollections.collectionId, [...from])));
      await transaction.insert(documentCollections).values({ documentId, collectionId: to }).onConflictDoNothing();
    });
  }

  async collectionsOf(documentId: string): Promise<string[]> {
    const rows = await this.#db
      .select({ id: documentCollections.collectionId })
      .from(documentCollections)
      .where(eq(documentCollections.documentId, documentId))
      .orderBy(byBytes(documentCollections.collectionId));
    return rows.map((row) => row.id);
  }

  async collectionsOfMany(documentIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (let start = 0; start < documentIds.length; start += IN_BATCH) {
      const rows = await this.#db
        .select()
        .from(documentCollections)
        .where(inArray(documentCollections.documentId, documentIds.slice(start, start + IN_BATCH)))
        .orderBy(byBytes(documentCollections.collectionId));
      for (const row of rows) found.set(row.documentId, [...(found.get(row.documentId) ?? []), row.collectionId]);
    }
    return found;
  }

  async isVisible(documentId: string, scope: CollectionScope): Promise<boolean> {
    if (scope === '*') return true;
    if (scope.length === 0) return false;
    const rows = await this.#db
      .select({ id: documentCollections.documentId })
      .from(documentCollections)
      .where(and(eq(documentCollections.documentId, documentId), inArray(documentCollections.collectionId, [...scope])))
      .limit(1);
    return rows.length > 0;
  }

  async visibleReadyAmong(documentIds: readonly string[], scope: CollectionScope): Promise<Set<string>> {
    const unique = [...new Set(documentIds)];
    const visible = new Set<string>();
    if (scope !== '*' && scope.length === 0) return visible;
    for (let start = 0; start < unique.length; start += IN_BATCH) {
      const slice = unique.slice(start, start + IN_BATCH);
      const rows =
        scope === '*'
          ? await this.#db
              .select({ id: documents.id })
              .from(documents)
              .where(and(eq(documents.status, 'ready'), inArray(documents.id, slice)))
          : await this.#db
              .selectDistinct({ id: documents.id })
              .from(documents)
              .innerJoin(documentCollections, eq(documentCollections.documentId, documents.id))
              .where(and(eq(documents.status, 'ready'), inArray(documents.id, slice), inArray(documentCollections.collectionId, [...scope])));
      for (const row of rows) visible.add(row.id);
    }
    return visible;
  }

  async readyIdsIn(collectionIds: readonly string[]): Promise<string[]> {
    if (collectionIds.length === 0) return [];
    const rows = await this.#db
      .selectDistinct({ id: documentCollections.documentId })
      .from(documentCollections)
      .innerJoin(documents, eq(documents.id, documentCollections.documentId))
      .where(and(inArray(documentCollections.collectionId, [...collectionIds]), eq(documents.status, 'ready')));
    return rows.map((row) => row.id);
  }
}
