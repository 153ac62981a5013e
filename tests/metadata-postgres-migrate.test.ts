/**
 * Replicas starting together against a fresh PostgreSQL database: each migrates at start-up, and
 * the advisory lock makes the migrations run once (src/db/postgres/client.ts).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { expect, it } from 'vitest';
import { openPostgresMetadata } from '../src/db/index.ts';
import { useTestPostgres } from './helpers/start-postgres.ts';

const createDatabase = useTestPostgres();

it('migrates once when three processes open a fresh database at the same time, and all of them work', async () => {
  const url = await createDatabase();
  const replicas = await Promise.all([openPostgresMetadata(url), openPostgresMetadata(url), openPostgresMetadata(url)]);
  try {
    const journal = JSON.parse(readFileSync(new URL('../migrations/postgres/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const applied = await client.query<{ applied: string }>('select count(*) as applied from drizzle.__drizzle_migrations');
      expect(Number(applied.rows[0]!.applied)).toBe(journal.entries.length);
    } finally {
      await client.end();
    }
    // Each replica sees what another wrote, and the default collection exists once.
    await replicas[0]!.collections.create('personal', 'Personal');
    for (const replica of replicas) expect((await replica.collections.list()).map((collection) => collection.id)).toEqual(['allgemein', 'personal']);
  } finally {
    for (const replica of replicas) await replica.close();
  }

  // A later start finds nothing left to migrate.
  const later = await openPostgresMetadata(url);
  expect((await later.collections.list()).map((collection) => collection.id)).toEqual(['allgemein', 'personal']);
  await later.close();
});

it('refuses to start with database_unavailable, naming host and database but never the password, when PostgreSQL refuses the login', async () => {
  const url = new URL(await createDatabase());
  url.password = 'falsches-passwort';
  const opening = openPostgresMetadata(url.toString());
  await expect(opening).rejects.toMatchObject({ code: 'database_unavailable' });
  const error = (await opening.catch((caught: unknown) => caught)) as Error;
  expect(error.message).toContain(`${url.host}${url.pathname}`);
  expect(error.message).not.toContain('falsches-passwort');
});
