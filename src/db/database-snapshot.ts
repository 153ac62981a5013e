/**
 * A consistent copy of beleg's SQLite database taken beside a live server, for backups, and what
 * such a copy holds (schema level, documents by status), for the backup manifest and restore.
 *
 * The copy goes through SQLite's online backup API on a read-only connection of its own: it never
 * takes beleg's data-directory lock and never writes to the database, so it works whether a
 * server holds the directory or not. All pages are copied in ONE backup step, which is one read
 * transaction: in WAL mode the server keeps writing meanwhile, and the copy is the database as of
 * the moment that transaction began (a step-by-step copy would restart whenever another
 * connection commits, and might never finish under steady ingestion). The copy is switched to a
 * rollback journal, so it is one self-contained file; `openDatabase` turns WAL on again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { MIGRATIONS_DIR } from './migrate.ts';

/** How far a database's schema is migrated: drizzle-kit migrations applied, and the newest one. */
export type SchemaLevel = {
  /** Migrations applied. */
  migrations: number;
  /** Tag of the newest applied migration (e.g. `0001_ingest_job_text`); null when this beleg does not know it. */
  latestMigration: string | null;
  /** When the newest applied migration was generated (drizzle's `created_at`, ms); null before any. */
  latestMigrationAt: number | null;
};

/** What a database copy holds. */
export type DatabaseSummary = {
  schema: SchemaLevel;
  /** Documents by status. */
  documents: { pending: number; indexing: number; ready: number; failed: number };
  /** Chunks the ready documents should have in the chunk store (the sum of their chunk counts). */
  readyChunks: number;
  /** sha256 names of the saved uploads the copy's jobs still need, sorted. */
  uploadsInUse: string[];
};

const journalSchema = z.object({ entries: z.array(z.object({ idx: z.number(), when: z.number(), tag: z.string() })) });

/** The migrations this beleg ships, oldest first. */
function migrationJournal(): { when: number; tag: string }[] {
  const journal = journalSchema.parse(JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')));
  return [...journal.entries].sort((left, right) => left.idx - right.idx);
}

/** The schema level this beleg migrates a database to. */
export function currentSchemaLevel(): SchemaLevel {
  const entries = migrationJournal();
  const latest = entries.at(-1);
  return { migrations: entries.length, latestMigration: latest?.tag ?? null, latestMigrationAt: latest?.when ?? null };
}

/**
 * Copies the live database `sourceFile` to `targetFile` (which must not exist) and summarizes the
 * copy. Throws if the source cannot be read or the copy fails SQLite's quick check.
 */
export async function snapshotDatabase(sourceFile: string, targetFile: string): Promise<DatabaseSummary> {
  const source = new Database(sourceFile, { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // The first step only sizes the copy; returning the largest step size makes the second step copy everything at once.
    await source.backup(targetFile, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const copy = new Database(targetFile, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  return summarizeDatabase(targetFile);
}

/**
 * Summarizes a database copy (read-only) after SQLite's quick check; throws an Error naming the
 * problem when the file is not an intact SQLite database.
 */
export function summarizeDatabase(file: string): DatabaseSummary {
  const connection = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = connection.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`SQLite quick check of '${file}' failed: ${String(check)}`);
    const documents = { pending: 0, indexing: 0, ready: 0, failed: 0 };
    for (const row of connection.prepare('SELECT status, count(*) AS total FROM documents GROUP BY status').all() as { status: string; total: number }[]) {
      if (row.status in documents) documents[row.status as keyof typeof documents] = row.total;
    }
    const readyChunks = (connection.prepare("SELECT coalesce(sum(chunk_count), 0) AS total FROM documents WHERE status = 'ready'").get() as { total: number }).total;
    const uploadsInUse = (connection.prepare('SELECT DISTINCT upload_sha256 AS sha256 FROM ingest_jobs WHERE upload_sha256 IS NOT NULL ORDER BY 1').all() as { sha256: string }[]).map(
      (row) => row.sha256,
    );
    return { schema: schemaLevel(connection), documents, readyChunks, uploadsInUse };
  } finally {
    connection.close();
  }
}

/** Reads drizzle's record of applied migrations (`__drizzle_migrations`). */
function schemaLevel(connection: Database.Database): SchemaLevel {
  const table = connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return { migrations: 0, latestMigration: null, latestMigrationAt: null };
  const row = connection.prepare('SELECT count(*) AS migrations, max(created_at) AS latest FROM __drizzle_migrations').get() as { migrations: number; latest: number | null };
  const latestMigrationAt = row.latest === null ? null : Number(row.latest);
  const latestMigration = migrationJournal().find((entry) => entry.when === latestMigrationAt)?.tag ?? null;
  return { migrations: row.migrations, latestMigration, latestMigrationAt };
}
