/** The PostgreSQL dialect of the metadata contract (../metadata-repositories.ts), chosen with BELEG_DATABASE_URL. */
import type { MetadataDatabase } from '../metadata-repositories.ts';
import { openPostgres, type PostgresOptions } from './client.ts';
import { PostgresApiKeyRepository } from './postgres-api-key-repository.ts';
import { PostgresAuditRepository } from './postgres-audit-repository.ts';
import { PostgresDocumentRepository } from './postgres-document-repository.ts';
import { PostgresContentLock } from './postgres-content-lock.ts';
import { PostgresJobQueue } from './postgres-job-queue.ts';
import { PostgresMaintenanceLease } from './postgres-maintenance-lease.ts';
import { PostgresUploadStore } from './postgres-upload-store.ts';

/** PostgreSQL's metadata database. */
export type PostgresMetadataDatabase = MetadataDatabase & { readonly dialect: 'postgres' };

/** Connects to `url`, migrates (under the migration advisory lock) and returns the repositories. */
export async function openPostgresMetadata(url: string, options: PostgresOptions = {}): Promise<PostgresMetadataDatabase> {
  const handle = await openPostgres(url, options);
  const documents = new PostgresDocumentRepository(handle.db);
  return {
    dialect: 'postgres',
    documents,
    collections: documents.collections,
    apiKeys: new PostgresApiKeyRepository(handle.db),
    audit: (retentionDays) => new PostgresAuditRepository(handle.db, retentionDays),
    maintenanceLease: () => new PostgresMaintenanceLease(() => handle.pool.connect()),
    jobQueue: (leaseMs) => new PostgresJobQueue(handle.db, leaseMs),
    uploads: () => new PostgresUploadStore(handle.db),
    contentLock: () => new PostgresContentLock(() => handle.lockPool.connect()),
    close: () => handle.close(),
  };
}
