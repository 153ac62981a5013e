/** tests/access-move.test.ts again, with the metadata in PostgreSQL (BELEG_DATABASE_URL) and its work queue. */
import { usePostgresMetadata } from './helpers/test-metadata.ts';

usePostgresMetadata();
await import('./access-move.test.ts');
