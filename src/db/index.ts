/** beleg's metadata database (SQLite through drizzle-orm): the only folder that imports drizzle. */
export { openDatabase, type BelegDatabase, type DatabaseHandle } from './client.ts';
export * as schema from './schema.ts';
export type { DocumentRow, NewDocumentRow, IngestJobRow } from './schema.ts';
export { DocumentRepository, type JobInput, type ReadyDocument } from './document-repository.ts';
export { CollectionRepository, type CollectionScope, type CollectionWithCount } from './collection-repository.ts';
export { ApiKeyRepository, secretDigest, type ApiKeyInfo, type ApiKeyRole } from './api-key-repository.ts';
export { AuditRepository, type AuditEvent } from './audit-repository.ts';
export { DEFAULT_COLLECTION_ID } from './schema.ts';
export type { CollectionRow, AuditEventRow } from './schema.ts';
export { UploadFiles } from './upload-files.ts';
export {
  lockDataDirectory,
  readDataDirectoryHolder,
  DataDirectoryLockedError,
  type DataDirectoryLock,
  type DataDirectoryHolder,
} from './data-directory-lock.ts';
export { snapshotDatabase, summarizeDatabase, currentSchemaLevel, type DatabaseSummary, type SchemaLevel } from './database-snapshot.ts';
