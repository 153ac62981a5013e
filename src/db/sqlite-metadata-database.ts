/** The SQLite dialect of the metadata contract (./metadata-repositories.ts): the embedded default. */
import { SqliteApiKeyRepository } from './api-key-repository.ts';
import { SqliteAuditRepository } from './audit-repository.ts';
import { openDatabase, type DatabaseHandle } from './client.ts';
import { SqliteDocumentRepository } from './document-repository.ts';
import type { MetadataDatabase } from './metadata-repositories.ts';

/** SQLite's metadata database, with the raw handle kept for pragmas, checks and backups. */
export type SqliteMetadataDatabase = MetadataDatabase & { readonly dialect: 'sqlite'; readonly handle: DatabaseHandle };

/** Opens (creating and migrating) the SQLite file and its repositories. */
export function openSqliteMetadata(file: string): SqliteMetadataDatabase {
  return sqliteMetadata(openDatabase(file));
}

/** The repositories over an already open SQLite handle; `close()` closes the handle. */
export function sqliteMetadata(handle: DatabaseHandle): SqliteMetadataDatabase {
  const documents = new SqliteDocumentRepository(handle.db);
  return {
    dialect: 'sqlite',
    handle,
    documents,
    collections: documents.collections,
    apiKeys: new SqliteApiKeyRepository(handle.db),
    audit: (retentionDays) => new SqliteAuditRepository(handle.db, retentionDays),
    close: async () => handle.close(),
  };
}
