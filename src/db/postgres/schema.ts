/**
 * beleg's metadata schema in PostgreSQL (drizzle-orm), kept in step with the SQLite schema in
 * ../schema.ts: the same tables, columns and indexes (tests/metadata-schema-drift.test.ts fails
 * when they part). Differences, each on purpose:
 *   - JSON columns are `jsonb`.
 *   - Timestamps stay ISO-8601 text in UTC with milliseconds (`2026-12-04T14:25:49.123Z`), the very
 *     strings SQLite stores, so both dialects sort, compare and return them alike.
 *   - `document_attachments.position` (an identity) keeps the order attachments were linked in,
 *     which SQLite reads from its implicit `rowid`.
 *   - `ingest_jobs.lease_owner`/`lease_expires_at`: the work queue's leases (several worker processes
 *     take jobs from one database; src/db/postgres/postgres-job-queue.ts). SQLite serves one process.
 *   - `upload_blobs`: saved upload bytes, shared by every process (SQLite mode keeps them as files in
 *     the data directory, src/db/upload-files.ts).
 * Change this file together with ../schema.ts, then run `npm run db:generate` (both dialects).
 */
import { sql } from 'drizzle-orm';
import { bigint, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp as timestampWithZone } from 'drizzle-orm/pg-core';
import type { UserMessage } from '../../messages/index.ts';
import type { StoredPageSpans, StoredSectionSpans } from '../metadata-repositories.ts';

const timestamp = (name: string) =>
  text(name)
    .notNull()
    .default(sql`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** One row per document (each version of a re-ingested URL is its own row). */
export const documents = pgTable(
  'documents',
  {
    id: text('id').primaryKey(),
    sourceKind: text('source_kind', { enum: ['file', 'url', 'text'] }).notNull(),
    fileName: text('file_name'),
    url: text('url'),
    finalUrl: text('final_url'),
    title: text('title'),
    mimeType: text('mime_type'),
    sha256: text('sha256'),
    byteSize: integer('byte_size'),
    pageCount: integer('page_count'),
    language: text('language'),
    status: text('status', { enum: ['pending', 'indexing', 'ready', 'failed'] }).notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorUserMessage: jsonb('error_user_message').$type<UserMessage>(),
    chunkCount: integer('chunk_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    supersedes: text('supersedes'),
    parentId: text('parent_id'),
    createdAt: timestamp('created_at'),
    updatedAt: timestamp('updated_at'),
  },
  (table) => [
    index('documents_sha256_index').on(table.sha256),
    index('documents_url_index').on(table.url),
    index('documents_status_index').on(table.status),
  ],
);

/** The normalized full text of each ready document, with page and section spans. */
export const documentTexts = pgTable('document_texts', {
  documentId: text('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  text: text('text').notNull(),
  pages: jsonb('pages').$type<StoredPageSpans>(),
  sections: jsonb('sections').$type<StoredSectionSpans>(),
});

/** What is needed to (re)run a document's ingestion after a crash. */
export const ingestJobs = pgTable('ingest_jobs', {
  documentId: text('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  inputKind: text('input_kind', { enum: ['file', 'url', 'text'] }).notNull(),
  uploadSha256: text('upload_sha256'),
  text: text('text'),
  url: text('url'),
  fileName: text('file_name'),
  title: text('title'),
  mimeType: text('mime_type'),
  attempts: integer('attempts').notNull().default(0),
  createdAt: timestamp('created_at'),
  /** The worker process holding the job (src/db/postgres/postgres-job-queue.ts); null while it waits. */
  leaseOwner: text('lease_owner'),
  /** Until when the lease holds; a job whose lease ran out is taken by the next worker that asks. */
  leaseExpiresAt: timestampWithZone('lease_expires_at', { withTimezone: true, mode: 'string' }),
});

/** Raw bytes as PostgreSQL `bytea`. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Saved upload bytes by sha256, kept while a job needs them (every process reads them; see src/db/postgres/postgres-upload-store.ts). */
export const uploadBlobs = pgTable('upload_blobs', {
  sha256: text('sha256').primaryKey(),
  bytes: bytea('bytes').notNull(),
  createdAt: timestamp('created_at'),
});

/** Ids that resolve to another document (a duplicate URL version, a retired version). */
export const documentAliases = pgTable(
  'document_aliases',
  {
    aliasId: text('alias_id').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
  },
  (table) => [index('document_aliases_document_index').on(table.documentId)],
);

/** Which documents are attached to which (an e-mail and its attachments). */
export const documentAttachments = pgTable(
  'document_attachments',
  {
    parentId: text('parent_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    attachmentId: text('attachment_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    /** The order attachments were linked in (SQLite: its rowid). */
    position: bigint('position', { mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (table) => [primaryKey({ columns: [table.parentId, table.attachmentId] }), index('document_attachments_attachment_index').on(table.attachmentId)],
);

/** A collection of documents; keys are scoped to collections. */
export const collections = pgTable('collections', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at'),
});

/** Which collections a document is in. */
export const documentCollections = pgTable(
  'document_collections',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    collectionId: text('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.documentId, table.collectionId] }), index('document_collections_collection_index').on(table.collectionId, table.documentId)],
);

/** API keys: only the secret's SHA-256 is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['read', 'write', 'admin'] }).notNull(),
    collections: jsonb('collections').$type<string[]>().notNull(),
    secretSha256: text('secret_sha256').notNull(),
    createdAt: timestamp('created_at'),
    rotatedAt: text('rotated_at'),
    revokedAt: text('revoked_at'),
  },
  (table) => [index('api_keys_secret_index').on(table.secretSha256)],
);

/** Who uploaded, deleted, moved and asked what. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at'),
    actor: text('actor').notNull(),
    action: text('action', { enum: ['upload', 'delete', 'move', 'ask'] }).notNull(),
    documentId: text('document_id'),
    question: text('question'),
    collectionIds: jsonb('collection_ids').$type<string[]>(),
    citedDocumentIds: jsonb('cited_document_ids').$type<string[]>(),
  },
  (table) => [index('audit_events_at_index').on(table.at)],
);
