/** beleg's metadata database (SQLite or PostgreSQL through drizzle-orm): the only folder that imports drizzle. */
export { openDatabase, type BelegDatabase, type DatabaseHandle } from './client.ts';
export * as schema from './schema.ts';
export type { DocumentRow, NewDocumentRow, IngestJobRow } from './schema.ts';
export type {
  MetadataDatabase,
  DocumentRepository,
  CollectionRepository,
  ApiKeyRepository,
  AuditRepository,
  JobInput,
  PendingDocument,
  ReadyDocument,
  StoredDocument,
  CollectionScope,
  CollectionWithCount,
  ApiKeyInfo,
  ApiKeyRole,
  AuditEvent,
  JobQueue,
  DistributedKeyedLock,
} from './metadata-repositories.ts';
export { SqliteDocumentRepository } from './document-repository.ts';
export { SqliteCollectionRepository } from './collection-repository.ts';
export { SqliteApiKeyRepository, secretDigest } from './api-key-repository.ts';
export { SqliteAuditRepository } from './audit-repository.ts';
export { openSqliteMetadata, sqliteMetadata, type SqliteMetadataDatabase } from './sqlite-metadata-database.ts';
export { openPostgresMetadata, type PostgresMetadataDatabase } from './postgres/postgres-metadata-database.ts';
export { openMetadataDatabase, type MetadataLocation } from './open-metadata-database.ts';
export { DEFAULT_COLLECTION_ID } from './schema.ts';
export type { CollectionRow, AuditEventRow } from './schema.ts';
export { UploadFiles } from './upload-files.ts';
export type { UploadStore } from './upload-store.ts';
export {
  lockDataDirectory,
  readDataDirectoryHolder,
  DataDirectoryLockedError,
  type DataDirectoryLock,
  type DataDirectoryHolder,
} from './data-directory-lock.ts';
export { snapshotDatabase, summarizeDatabase, currentSchemaLevel, type DatabaseSummary, type SchemaLevel } from './database-snapshot.ts';
