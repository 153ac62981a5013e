/**
 * The work queue over PostgreSQL (src/db/postgres/postgres-job-queue.ts): two workers asking at
 * once never get the same job; a job stays with its worker while it renews; once a lease runs out
 * another worker takes it and the first learns it lost it; released jobs are taken at once; the
 * depth counts waiting and leased jobs. Upload bytes saved by one process are read by another.
 */
import { expect, it } from 'vitest';
import { openPostgresMetadata, type PostgresMetadataDatabase } from '../src/db/index.ts';
import { userMessage } from '../src/messages/index.ts';
import { useTestPostgres } from './helpers/start-postgres.ts';

const createDatabase = useTestPostgres();

async function createJobs(database: PostgresMetadataDatabase, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const row = await database.documents.createPending({ id: `doc-${index}`, sourceKind: 'text', sha256: `sha-${index}` }, { inputKind: 'text', text: `Text ${index}.` });
    ids.push(row.id);
  }
  return ids;
}

/** Resolves once `check` holds, asking again after each answer (bounded by the test's timeout). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

it('hands each job to one worker, keeps it while renewed, and gives it to another once the lease runs out', async () => {
  const url = await createDatabase();
  const [first, second] = await Promise.all([openPostgresMetadata(url), openPostgresMetadata(url)]);
  try {
    const ids = await createJobs(first, 10);
    const a = first.jobQueue!(1000);
    const b = second.jobQueue!(60_000);
    expect(a.owner).not.toBe(b.owner);
    expect(await a.depth()).toEqual({ waiting: 10, leased: 0 });

    // Asking at once: disjoint, and together everything (oldest first).
    const [takenByA, takenByB] = await Promise.all([a.claim(6), b.claim(6)]);
    expect(takenByA.filter((id) => takenByB.includes(id))).toEqual([]);
    expect([...takenByA, ...takenByB].sort()).toEqual([...ids].sort());
    expect(await a.claim(5)).toEqual([]);
    expect(await a.depth()).toEqual({ waiting: 0, leased: 10 });

    // Renewing keeps them; a worker cannot renew what it does not hold.
    expect(await a.renew(takenByA)).toEqual(new Set(takenByA));
    expect(await b.renew(takenByA)).toEqual(new Set());

    // A stops renewing (killed): once its lease runs out B takes exactly A's jobs, and A learns it lost them.
    const takenOver = new Set<string>();
    await eventually(async () => {
      for (const id of await b.claim(10)) takenOver.add(id);
      return takenOver.size >= takenByA.length;
    });
    expect([...takenOver].sort()).toEqual([...takenByA].sort());
    expect(await a.renew(takenByA)).toEqual(new Set());

    // Released jobs wait again at once.
    await b.release(takenByA.slice(0, 2));
    expect((await a.claim(10)).sort()).toEqual(takenByA.slice(0, 2).sort());

    // A job ends with its document: ready or failed, it leaves the queue.
    await first.documents.markFailed(takenByB[0]!, userMessage('ingestion_interrupted'));
    expect((await a.depth()).leased + (await a.depth()).waiting).toBe(9);
  } finally {
    await first.close();
    await second.close();
  }
}, 60_000);

it('shares upload bytes between processes and sweeps only old unused ones at start-up', async () => {
  const url = await createDatabase();
  const [first, second] = await Promise.all([openPostgresMetadata(url), openPostgresMetadata(url)]);
  try {
    const bytes = new TextEncoder().encode('Ein Bericht über Jena.');
    await first.uploads!().save('a'.repeat(64), bytes);
    await first.uploads!().save('a'.repeat(64), bytes);
    expect(await second.uploads!().read('a'.repeat(64))).toEqual(bytes);
    expect(await second.uploads!().list()).toEqual(['a'.repeat(64)]);
    // Saved a moment ago: another replica may be about to commit its job, so the start-up sweep keeps it.
    expect(await second.uploads!().removeAllExcept(new Set())).toBe(0);
    await second.uploads!().remove('a'.repeat(64));
    expect(await first.uploads!().has('a'.repeat(64))).toBe(false);
  } finally {
    await first.close();
    await second.close();
  }
}, 60_000);
