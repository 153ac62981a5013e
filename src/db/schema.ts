/**
 * beleg's metadata schema in SQLite (drizzle-orm). SQLite is the source of truth: a document's
 * chunks in LanceDB count only once its row here says `ready`. Keys are camelCase, columns
 * snake_case. Change this file, then run `npx drizzle-kit generate` to write a migration into
 * `migrations/`; never edit a migration that has been applied.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import type { UserMessage } from '../messages/index.ts';

const timestamp = (name: string) =>
  text(name)
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** One row per document (each version of a re-ingested URL is its own row). */
export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    sourceKind: text('source_kind', { enum: ['file', 'url', 'text'] }).notNull(),
    fileName: text('file_name'),
    url: text('url'),
    finalUrl: text('final_url'),
    title: text('title'),
    mimeType: text('mime_type'),
    /** sha256 of the loaded bytes (files and text: known at submit; URLs: after fetching). */
    sha256: text('sha256'),
    byteSize: integer('byte_size'),
    pageCount: integer('page_count'),
    language: text('language'),
    status: text('status', { enum: ['pending', 'indexing', 'ready', 'failed'] }).notNull(),
    errorCode: text('error_code'),
    /** The error's English message (for logs and older readers). */
    errorMessage: text('error_message'),
    /** The error's catalogue message (id and values), so it can be said in the reader's language. */
    errorUserMessage: text('error_user_message', { mode: 'json' }).$type<UserMessage>(),
    chunkCount: integer('chunk_count').notNull().default(0),
    /** 1 for the first ingestion of a URL, +1 for each re-ingestion whose content changed. */
    version: integer('version').notNull().default(1),
    /** The id of the version this one replaces once it is ready (URLs only). */
    supersedes: text('supersedes'),
    /**
     * The e-mail this document was ingested from as an attachment (deleting that mail deletes it
     * when no other mail has it attached); null for a document uploaded on its own.
     */
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

/**
 * The normalized full text of each ready document, verbatim, so every quote can be checked
 * against exact offsets; with PDF page spans and HTML/Markdown section spans as JSON.
 */
export const documentTexts = sqliteTable('document_texts', {
  documentId: text('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  text: text('text').notNull(),
  /** `PageSpan[]` as JSON, or null. */
  // Optional keys in the JSON (no migration): `kind`/`sheet`/`cells` for slides and spreadsheet rows,
  // `ocr`/`ocrConfidence` for a page whose text came from OCR.
  pages: text('pages', { mode: 'json' }).$type<
    { number: number; charStart: number; charEnd: number; kind?: 'page' | 'slide' | 'row'; sheet?: string; cells?: string; ocr?: boolean; ocrConfidence?: number }[]
  >(),
  /** `SectionSpan[]` as JSON, or null. */
  sections: text('sections', { mode: 'json' }).$type<{ headingPath: string[]; charStart: number; charEnd: number }[]>(),
});

/**
 * What is needed to (re)run a document's ingestion after a crash. File bytes are saved under
 * `<dataDir>/uploads/<sha256>` (a file name never becomes a path); a text input's text is kept here.
 * A job exists while its document is `pending` or `indexing` and is deleted when it ends.
 */
export const ingestJobs = sqliteTable('ingest_jobs', {
  documentId: text('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  inputKind: text('input_kind', { enum: ['file', 'url', 'text'] }).notNull(),
  /** sha256 naming the saved upload (files), else null. */
  uploadSha256: text('upload_sha256'),
  /** The text of a text input, kept here rather than as a file (no extra fsync and unlink). */
  text: text('text'),
  url: text('url'),
  fileName: text('file_name'),
  title: text('title'),
  mimeType: text('mime_type'),
  attempts: integer('attempts').notNull().default(0),
  createdAt: timestamp('created_at'),
});

/**
 * Ids that resolve to another document: a URL version that turned out identical to an existing
 * document, or a retired version, points at the document that now holds its content.
 */
export const documentAliases = sqliteTable(
  'document_aliases',
  {
    aliasId: text('alias_id').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
  },
  (table) => [index('document_aliases_document_index').on(table.documentId)],
);

/**
 * Which documents are attached to which (an e-mail and its attachments). One attachment document
 * may belong to several mails: identical content is one document (sha256), linked to each.
 */
export const documentAttachments = sqliteTable(
  'document_attachments',
  {
    parentId: text('parent_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    attachmentId: text('attachment_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    /** The attachment's file name in this mail. */
    fileName: text('file_name').notNull(),
  },
  (table) => [primaryKey({ columns: [table.parentId, table.attachmentId] }), index('document_attachments_attachment_index').on(table.attachmentId)],
);

/** The collection every document lands in when none is named (and every document from before collections). */
export const DEFAULT_COLLECTION_ID = 'allgemein';

/** A collection of documents (one department's, say); keys are scoped to collections. */
export const collections = sqliteTable('collections', {
  /** A short slug (`allgemein`, `personal`): lower-case letters, digits and dashes. */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at'),
});

/**
 * Which collections a document is in. Identical content uploaded into two collections is one
 * document (sha256) with two rows here: it is visible only in the collections it was uploaded to.
 */
export const documentCollections = sqliteTable(
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

/**
 * API keys created through the admin route or `beleg keys`: only the secret's SHA-256 is stored.
 * `collections` is `["*"]` for every collection. A revoked key keeps its row (the audit names it).
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['read', 'write', 'admin'] }).notNull(),
    collections: text('collections', { mode: 'json' }).$type<string[]>().notNull(),
    secretSha256: text('secret_sha256').notNull(),
    createdAt: timestamp('created_at'),
    rotatedAt: text('rotated_at'),
    revokedAt: text('revoked_at'),
  },
  (table) => [index('api_keys_secret_index').on(table.secretSha256)],
);

/** Who uploaded, deleted, moved and asked what: question, collections, cited document ids (never document text). */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: timestamp('at'),
    /** The key's id (`key-1` for the first BELEG_API_KEYS entry, `local` without keys). */
    actor: text('actor').notNull(),
    action: text('action', { enum: ['upload', 'delete', 'move', 'ask'] }).notNull(),
    documentId: text('document_id'),
    question: text('question'),
    collectionIds: text('collection_ids', { mode: 'json' }).$type<string[]>(),
    citedDocumentIds: text('cited_document_ids', { mode: 'json' }).$type<string[]>(),
  },
  (table) => [index('audit_events_at_index').on(table.at)],
);

export type CollectionRow = typeof collections.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;

/** Validates rows read from `documents`. */
export const documentSelectSchema = createSelectSchema(documents);
/** Validates rows written to `documents`. */
export const documentInsertSchema = createInsertSchema(documents);
/** Validates rows written to `ingest_jobs`. */
export const ingestJobInsertSchema = createInsertSchema(ingestJobs);

export type DocumentRow = typeof documents.$inferSelect;
export type NewDocumentRow = typeof documents.$inferInsert;
export type IngestJobRow = typeof ingestJobs.$inferSelect;
