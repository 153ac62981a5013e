/**
 * The index maintenance lease over PostgreSQL (src/db/postgres/postgres-maintenance-lease.ts): of
 * several replicas sharing one database exactly one maintains a shared chunk store; it hands over
 * on release and when its connection dies, as with a killed process.
 */
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { openPostgresMetadata } from '../src/db/index.ts';
import { LanceChunkStore } from '../src/store/index.ts';
import { useTestPostgres } from './helpers/start-postgres.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const createDatabase = useTestPostgres();

afterAll(() => {
  removeTemporaryDirectories();
});

it('lets one of three replicas hold the lease, hands it over on release and when the holder’s connection dies', async () => {
  const url = await createDatabase();
  const replicas = await Promise.all([openPostgresMetadata(url), openPostgresMetadata(url), openPostgresMetadata(url)]);
  const leases = replicas.map((replica) => replica.maintenanceLease!());
  try {
    const first = await Promise.all(leases.map((lease) => lease.tryAcquire()));
    expect(first.filter(Boolean)).toHaveLength(1);
    const holder = first.indexOf(true);
    // The holder keeps it; the others keep being refused.
    expect(await leases[holder]!.tryAcquire()).toBe(true);
    for (const [index, lease] of leases.entries()) if (index !== holder) expect(await lease.tryAcquire()).toBe(false);

    // Released: the next asker takes it.
    await leases[holder]!.release();
    const next = (holder + 1) % leases.length;
    expect(await leases[next]!.tryAcquire()).toBe(true);
    expect(await leases[holder]!.tryAcquire()).toBe(false);

    // The holder's session ends as if its process were killed: PostgreSQL frees the lock.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const terminated = await admin.query(
        "select pg_terminate_backend(pid) as done from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid()",
      );
      expect(terminated.rows).toHaveLength(1);
    } finally {
      await admin.end();
    }
    const third = (next + 1) % leases.length;
    expect(await leases[third]!.tryAcquire()).toBe(true);
  } finally {
    for (const lease of leases) await lease.release();
    for (const replica of replicas) await replica.close();
  }
}, 60_000);

it('makes exactly one of two processes sharing a chunk store its maintainer', async () => {
  const url = await createDatabase();
  const replicas = await Promise.all([openPostgresMetadata(url), openPostgresMetadata(url)]);
  const directory = path.join(temporaryDirectory('beleg-pg-lease-'), 'lancedb');
  const stores: LanceChunkStore[] = [];
  try {
    for (const replica of replicas) {
      stores.push(await LanceChunkStore.open({ directory, shared: { lease: replica.maintenanceLease!(), readConsistencyMs: 0, maintenanceIntervalMs: 60_000 } }));
    }
    expect(stores.map((store) => store.indexMaintenance().maintainer).filter(Boolean)).toHaveLength(1);
  } finally {
    for (const store of stores) await store.close();
    for (const replica of replicas) await replica.close();
  }
}, 60_000);
