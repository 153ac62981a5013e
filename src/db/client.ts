/**
 * Opens beleg's SQLite database through drizzle-orm + better-sqlite3 (the only place that opens it)
 * and applies pending migrations from `migrations/` before anything else touches it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrateDatabase } from './migrate.ts';
import * as schema from './schema.ts';

/** The typed drizzle handle over beleg's schema. */
export type BelegDatabase = BetterSQLite3Database<typeof schema>;

/** An open database: the drizzle handle, the raw connection (for pragmas and checks), and `close()`. */
export type DatabaseHandle = {
  db: BelegDatabase;
  connection: Database.Database;
  close(): void;
};

/**
 * Opens (creating if needed) the database file and migrates it.
 *
 * Pragmas: WAL so readers never block the ingestion writer; `synchronous = NORMAL`, under which
 * every commit survives a killed process and the database never corrupts, but a power loss may
 * roll back the latest commits — so the commits that acknowledge something (a document turning
 * `ready`, a removal) switch to FULL for themselves (see DocumentRepository.#durably), which also
 * flushes everything committed before them. An fsync per submit would otherwise dominate
 * ingestion time here. Foreign keys on, so deleting a document removes its text, job and aliases;
 * a busy timeout for a second reader.
 */
export function openDatabase(file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const db = drizzle(connection, { schema });
  migrateDatabase(db);
  return { db, connection, close: () => connection.close() };
}
