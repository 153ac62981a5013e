/**
 * Where beleg keeps things inside its data directory. One place, so the composition root, backup
 * and restore name the same files (see src/app-context.ts for what each holds).
 */
import path from 'node:path';

/** Paths inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    database: path.join(dataDir, 'beleg.sqlite'),
    lancedb: path.join(dataDir, 'lancedb'),
    uploads: path.join(dataDir, 'uploads'),
  };
}
