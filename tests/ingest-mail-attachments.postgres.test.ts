/** tests/ingest-mail-attachments.test.ts again, with the metadata in PostgreSQL (BELEG_DATABASE_URL) and its work queue. */
import { usePostgresMetadata } from './helpers/test-metadata.ts';

usePostgresMetadata();
await import('./ingest-mail-attachments.test.ts');
