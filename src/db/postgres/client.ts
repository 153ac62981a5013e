/**
 * Opens beleg's PostgreSQL metadata database through drizzle-orm + node-postgres (the only place
 * that connects to it) and applies pending migrations from `migrations/postgres/`.
 *
 * Migrations run under a session-level advisory lock (`pg_advisory_lock`): replicas started
 * together queue on it, the first applies what is pending, the others then find nothing left to
 * do. Without it two of them could both try to create the same tables.
 */
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { DatabaseUnavailableError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import * as schema from './schema.ts';

/** The typed drizzle handle over the PostgreSQL schema. */
export type PostgresDatabase = NodePgDatabase<typeof schema>;

/** The repository's `migrations/postgres/` folder, found relative to this file so any working directory works. */
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

/** The advisory lock key migrations hold (any fixed 64-bit number; this one spells "beleg-mi"). */
export const MIGRATION_LOCK_KEY = 0x62656c65672d6d69n;

/** An open PostgreSQL database: the drizzle handle, its pool, and `close()`. */
export type PostgresHandle = {
  db: PostgresDatabase;
  pool: pg.Pool;
  /** A small pool of its own for connections that hold advisory locks while other queries run (src/db/postgres/postgres-content-lock.ts). */
  lockPool: pg.Pool;
  close(): Promise<void>;
};

/** Connections holding content locks at once (more lock holders wait for one). */
const LOCK_CONNECTIONS = 4;

/** Options for the connection pool. */
export type PostgresOptions = {
  /** Most connections this process opens (default 10). */
  maxConnections?: number;
};

/** Connects to `url` (`postgres://user:password@host:port/database`), migrates, and returns the handle. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresHandle> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle connection that the server drops must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    // The host and database only: the URL's password never reaches a message or log.
    const where = new URL(url);
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseUnavailableError(userMessage('database_unavailable', { host: `${where.host}${where.pathname}`, reason }), { cause: error });
  }
  const db = drizzle(pool, { schema });
  const lockPool = new pg.Pool({ connectionString: url, max: LOCK_CONNECTIONS });
  lockPool.on('error', () => undefined);
  return {
    db,
    pool,
    lockPool,
    close: async () => {
      await lockPool.end();
      await pool.end();
    },
  };
}

/** Applies pending migrations under the migration advisory lock. Idempotent; safe from several processes at once. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await migrate(drizzle(client), { migrationsFolder: POSTGRES_MIGRATIONS_DIR });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}
