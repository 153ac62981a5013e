/**
 * Several real processes on one LanceDB directory (`BELEG_LANCEDB_URI`): concurrent appends and
 * deletes lose and duplicate nothing, only the holder of the index maintenance lease optimizes,
 * another process takes the lease over when its holder is killed, and a reader sees other
 * processes' chunks (by full text and by document) without reopening.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LanceChunkStore } from '../src/store/index.ts';
import type { IndexMaintenanceLease } from '../src/store/index-maintenance-lease.ts';
import { documentWord, sharedStoreChunks } from './helpers/shared-store-chunks.ts';
import { SharedStoreProcess } from './helpers/shared-store-process.ts';

const root = mkdtempSync(path.join(tmpdir(), 'beleg-shared-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const running: SharedStoreProcess[] = [];
afterEach(async () => {
  for (const worker of running.splice(0)) if (worker.child.exitCode === null && worker.child.signalCode === null) await worker.kill();
});

/** A lease this process never gets: the test's own store only reads and writes rows. */
const neverHeld: IndexMaintenanceLease = { tryAcquire: async () => false, release: async () => undefined };

async function startWorkers(directory: string, count: number, maintenanceIntervalMs = 200): Promise<SharedStoreProcess[]> {
  const workers = await Promise.all(Array.from({ length: count }, () => SharedStoreProcess.start(directory, { maintenanceIntervalMs })));
  running.push(...workers);
  return workers;
}

function openReader(directory: string): Promise<LanceChunkStore> {
  return LanceChunkStore.open({ directory, shared: { lease: neverHeld, readConsistencyMs: 0 } });
}

/** Waits until `check` holds, asking again after each answer (no fixed sleeps). */
async function until<T>(probe: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const documentIds = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

describe('a chunk store shared by several processes', () => {
  it('keeps every chunk that four processes append at the same time exactly once', async () => {
    const directory = path.join(root, 'appends');
    const workers = await startWorkers(directory, 4);
    const batches = workers.map((_, worker) => documentIds(`w${worker}d`, 15));
    const answers = await Promise.all(workers.map((worker, index) => worker.send({ add: batches[index], chunks: 3 })));
    expect(answers.map((answer) => answer.added)).toEqual(batches);

    const reader = await openReader(directory);
    const counts = await reader.chunkCountsByDocument();
    expect(counts.size).toBe(60);
    for (const id of batches.flat()) expect(counts.get(id), id).toBe(3);
    expect(await reader.countChunks()).toBe(180);
    // Chunk ids are unique: the same chunk never landed twice.
    const chunks = (await Promise.all(batches.flat().map((id) => reader.chunksOf(id)))).flat();
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(180);
    // Another process's chunks are found by full text too (in the index or in the flat pass).
    for (const id of ['w0d0', 'w1d7', 'w3d14']) {
      const hits = await reader.searchText(documentWord(id), { limit: 10 });
      expect(hits.map((hit) => hit.chunk.documentId), id).toEqual([id, id, id]);
    }
    await reader.close();
    for (const worker of workers) await worker.close();
  });

  it('appends in one process while two others delete other documents and the maintainer compacts, losing nothing', async () => {
    const directory = path.join(root, 'append-delete');
    // Maintenance every 50 ms: compaction and index updates run while the deletes commit.
    const [appender, deleter, another] = await startWorkers(directory, 3, 50);
    const old = documentIds('old', 40);
    await deleter!.send({ add: old, chunks: 2 });
    const fresh = documentIds('new', 30);
    const removed = old.filter((_, index) => index % 2 === 0);
    const [added, deleted, deletedToo] = await Promise.all([
      appender!.send({ add: fresh, chunks: 2 }),
      deleter!.send({ delete: removed.slice(0, 10) }),
      another!.send({ delete: removed.slice(10) }),
    ]);
    expect(added.added).toEqual(fresh);
    expect([...(deleted.deleted as string[]), ...(deletedToo.deleted as string[])]).toEqual(removed);

    const reader = await openReader(directory);
    const counts = await reader.chunkCountsByDocument();
    const kept = old.filter((id) => !removed.includes(id));
    expect([...counts.keys()].sort()).toEqual([...kept, ...fresh].sort());
    for (const id of [...kept, ...fresh]) expect(counts.get(id), id).toBe(2);
    expect(await reader.searchText(documentWord(removed[3]!), { limit: 5 })).toEqual([]);
    expect((await reader.searchText(documentWord(fresh[29]!), { limit: 5 })).map((hit) => hit.chunk.id).sort()).toEqual(['new29-0', 'new29-1']);
    await reader.close();
    for (const worker of [appender!, deleter!, another!]) expect((await worker.close()).lastError).toBeNull();
  });

  it('lets only the lease holder optimize, and another process takes over when it is killed', async () => {
    const directory = path.join(root, 'maintenance');
    const workers = await startWorkers(directory, 2);
    await Promise.all(workers.map((worker, index) => worker.send({ add: documentIds(`m${index}d`, 10), chunks: 2 })));
    const statuses = await until(
      () => Promise.all(workers.map((worker) => worker.status())),
      (found) => found.some((status) => status.runs > 0),
      'a maintenance round',
    );
    expect(statuses.filter((status) => status.maintainer)).toHaveLength(1);
    const holder = workers[statuses.findIndex((status) => status.maintainer)]!;
    const other = workers[statuses.findIndex((status) => !status.maintainer)]!;

    const reader = await openReader(directory);
    await until(() => reader.unindexedRows(), (rows) => rows === 0, 'every row in the full-text index');
    // The other process appended and searched, but never optimized.
    expect(await other.status()).toMatchObject({ maintainer: false, runs: 0 });

    await holder.kill();
    await other.send({ add: ['after0', 'after1'], chunks: 2 });
    const taken = await until(() => other.status(), (status) => status.maintainer && status.runs > 0, 'the survivor to take the lease and optimize');
    expect(taken.lastError).toBeNull();
    await until(() => reader.unindexedRows(), (rows) => rows === 0, 'the new rows folded in by the new holder');
    expect(await reader.countChunks()).toBe(44);
    expect(reader.indexMaintenance()).toMatchObject({ shared: true, maintainer: false, runs: 0 });
    await reader.close();
    await other.close();
  });

  it('finds a new chunk that names the query term three times once the maintainer folded it into the index', async () => {
    const directory = path.join(root, 'flat-pass');
    const [maintainer] = await startWorkers(directory, 1);
    await maintainer!.send({ add: ['seed'], chunks: 1 });
    const reader = await openReader(directory);
    // Appended by a process that may not optimize: LanceDB's flat pass over unindexed rows misses it.
    await reader.add(sharedStoreChunks('dreimal', 1, 3));
    const hits = await until(() => reader.searchText(documentWord('dreimal'), { limit: 5 }), (found) => found.length > 0, 'the maintainer to index the chunk');
    expect(hits.map((hit) => hit.chunk.id)).toEqual(['dreimal-0']);
    expect(await reader.unindexedRows()).toBe(0);
    expect((await maintainer!.status()).runs).toBeGreaterThan(0);
    await reader.close();
    await maintainer!.close();
  });

  it('finds a chunk another process appended, by full text and by document, without reopening', async () => {
    const directory = path.join(root, 'visibility');
    const [writer] = await startWorkers(directory, 1);
    await writer!.send({ add: ['seed'], chunks: 1 });
    const reader = await openReader(directory);
    expect(await reader.countChunks()).toBe(1);
    await writer!.send({ add: ['late'], chunks: 2 });
    // Read consistency 0: the very next read sees the other process's commit.
    expect((await reader.chunksOf('late')).map((chunk) => chunk.id)).toEqual(['late-0', 'late-1']);
    const hits = await reader.searchText(documentWord('late'), { limit: 5 });
    expect(hits.map((hit) => hit.chunk.id).sort()).toEqual(['late-0', 'late-1']);
    expect(sharedStoreChunks('late', 1)[0]!.text).toContain(documentWord('late'));
    await reader.close();
    await writer!.close();
  });
});
