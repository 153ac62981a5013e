/** Applies the drizzle-kit migrations in `migrations/` (run at every start-up; applied ones are skipped). */
import { fileURLToPath } from 'node:url';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

/** The repository's `migrations/` folder, found relative to this file so any working directory works. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Brings the database schema up to date. Idempotent. */
export function migrateDatabase(db: BetterSQLite3Database<Record<string, unknown>>): void {
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}
