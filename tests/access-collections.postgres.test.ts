/** tests/access-collections.test.ts again, with the metadata in PostgreSQL (BELEG_DATABASE_URL) and its work queue. */
import { usePostgresMetadata } from './helpers/test-metadata.ts';

usePostgresMetadata();
await import('./access-collections.test.ts');
