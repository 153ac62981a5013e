/**
 * Runs a test file's real apps on PostgreSQL metadata instead of SQLite: a wrapper test file calls
 * `usePostgresMetadata()` at the top (it starts a throwaway PostgreSQL for the file) and then
 * imports the suite; `startRealApp` gives every app it starts a fresh database on that server.
 */
import { afterAll, expect } from 'vitest';
import { useTestPostgres } from './start-postgres.ts';

let createDatabase: (() => Promise<string>) | null = null;
let databases = 0;

/** Starts PostgreSQL before the file's tests and stops it after them; apps started meanwhile use it. */
export function usePostgresMetadata(): void {
  createDatabase = useTestPostgres();
  afterAll(() => {
    // The suite really ran on PostgreSQL: its apps asked for databases.
    expect(databases).toBeGreaterThan(0);
  });
}

/** The environment an app gets for its metadata: a fresh PostgreSQL database when the file asked for one, else nothing (SQLite). */
export async function metadataEnvironment(): Promise<Record<string, string>> {
  if (!createDatabase) return {};
  databases += 1;
  return { BELEG_DATABASE_URL: await createDatabase() };
}
