/**
 * Scale out (issue 17) as an operator runs it: three `beleg serve --role api` replicas and two
 * `beleg worker` processes on one PostgreSQL database and one LanceDB directory. 500 documents
 * (texts and files; every 25th through all three replicas at once) are uploaded through random
 * replicas while a worker is killed with SIGKILL three times, each time while it holds jobs, and started again. Afterwards every acknowledged
 * document is ready exactly once, its chunks are in the store exactly once, no chunk belongs to
 * anything else, the jobs the killed workers held were finished by others, and every replica
 * answers the same question with the same quote.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanceChunkStore } from '../src/store/lancedb/index.ts';
import { killAllBelegProcesses, startBelegProcess, type BelegProcess } from './helpers/beleg-process.ts';
import { startPostgres, type TestPostgres } from './helpers/start-postgres.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const DOCUMENTS = 500;
/** Uploads in flight at once. */
const CONCURRENT_UPLOADS = 6;
const KILLS = 3;

const CITIES = ['Aachen', 'Bamberg', 'Coburg', 'Dessau', 'Erfurt', 'Fulda', 'Görlitz', 'Hameln', 'Ingolstadt', 'Jena'];

/** Document `index`: a short German report with facts only it has (its number in words and digits). */
function documentText(index: number): string {
  const city = CITIES[index % CITIES.length]!;
  return [
    `Bericht Nummer ${index} über ${city}.`,
    `Im Jahr ${1800 + index} eröffnete in ${city} die Werkstatt Nummer ${index} mit ${index % 40 + 3} Lehrlingen.`,
    `Die Werkstatt Nummer ${index} stellte vor allem Uhren und Waagen her.`,
    `Später zog die Werkstatt Nummer ${index} in ein größeres Gebäude am Markt.`,
  ].join(' ');
}

let postgres: TestPostgres;
let databaseUrl: string;
let environment: Record<string, string>;
const lancedbDirectory = mkdtempSync(path.join(os.tmpdir(), 'beleg-scale-lancedb-'));

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  environment = {
    BELEG_DATABASE_URL: databaseUrl,
    BELEG_LANCEDB_URI: lancedbDirectory,
    BELEG_QUEUE_LEASE_MS: '1500',
    BELEG_QUEUE_POLL_MS: '50',
    BELEG_ENGINE: 'extractive',
    // 500 near-identical synthetic reports leave the calibrated reader at ~0.64 for the right
    // sentence; this test is about replicas answering alike, not about calibration.
    BELEG_MIN_CONFIDENCE: '0.5',
  };
}, 60_000);

afterAll(async () => {
  killAllBelegProcesses();
  await postgres?.stop();
  removeTemporaryDirectories();
});

function startProcess(role: 'api' | 'worker'): Promise<BelegProcess> {
  return startBelegProcess(['--role', role, '--data-dir', temporaryDirectory(`beleg-scale-${role}-`)], environment);
}

async function json<T>(response: Response): Promise<T> {
  const body = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${response.url}: ${body}`);
  return JSON.parse(body) as T;
}

type DocumentBody = { id: string; status: string; chunkCount: number };

/** Document `index` uploaded through `replica`: as JSON text, every fourth as a multipart file. */
async function upload(replica: BelegProcess, index: number): Promise<string> {
  const text = documentText(index);
  const request =
    index % 4 === 0
      ? (() => {
          const form = new FormData();
          form.append('file', new Blob([text], { type: 'text/plain' }), `bericht-${index}.txt`);
          return { method: 'POST', body: form };
        })()
      : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, title: `Bericht ${index}` }) };
  const { documents } = await json<{ documents: DocumentBody[] }>(await fetch(`${replica.url}/documents`, request));
  return documents[0]!.id;
}

/** Jobs the worker `pid` holds now, by document id (its lease owner name carries the pid). */
async function jobsHeldBy(client: pg.Client, pid: number): Promise<string[]> {
  const { rows } = await client.query<{ document_id: string }>("select document_id from ingest_jobs where lease_owner like $1 and lease_expires_at > now()", [`%:${pid}:%`]);
  return rows.map((row) => row.document_id);
}

describe('three API replicas and two workers on one PostgreSQL and one LanceDB directory', () => {
  it('indexes 500 documents uploaded through random replicas exactly once while a worker is killed three times, and every replica answers alike', async () => {
    const replicas = await Promise.all([startProcess('api'), startProcess('api'), startProcess('api')]);
    const workers = await Promise.all([startProcess('worker'), startProcess('worker')]);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      // Each process says what it is; a worker answers nothing but /health and /metrics.
      const workerHealth = await json<{ role: string; status: string; queue: { kind: string; working: boolean } }>(await fetch(`${workers[0]!.url}/health`));
      expect(workerHealth).toMatchObject({ role: 'worker', status: 'ok', queue: { kind: 'postgres', working: true } });
      const apiHealth = await json<{ role: string; queue: { kind: string; working: boolean } }>(await fetch(`${replicas[0]!.url}/health`));
      expect(apiHealth).toMatchObject({ role: 'api', queue: { kind: 'postgres', working: false } });
      expect((await fetch(`${workers[0]!.url}/ask`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect(await (await fetch(`${workers[1]!.url}/metrics`)).text()).toContain('beleg_process_role{role="worker"} 1');

      const acknowledged = new Map<number, string>();
      const heldByKilled = new Set<string>();
      let next = 0;
      let kills = 0;
      // Who waits for a number of acknowledged uploads.
      const reached: { count: number; resolve: () => void }[] = [];
      const acknowledgedAtLeast = (count: number) =>
        new Promise<void>((resolve) => (acknowledged.size >= count ? resolve() : reached.push({ count, resolve })));
      const uploader = async () => {
        while (next < DOCUMENTS) {
          const index = next++;
          if (index % 25 === 0) {
            // Every 25th goes to all three replicas at once: identical content is stored once.
            const ids = await Promise.all(replicas.map((replica) => upload(replica, index)));
            expect(new Set(ids).size).toBe(1);
            acknowledged.set(index, ids[0]!);
          } else {
            const replica = replicas[Math.floor(Math.random() * replicas.length)]!;
            acknowledged.set(index, await upload(replica, index));
          }
          for (const waiter of reached.filter((entry) => acknowledged.size >= entry.count)) {
            reached.splice(reached.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      };
      // Kills a worker once it holds jobs, at about a quarter, half and three quarters of the uploads.
      const killer = async () => {
        for (const threshold of [DOCUMENTS / 4, DOCUMENTS / 2, (DOCUMENTS * 3) / 4]) {
          await acknowledgedAtLeast(threshold);
          const victimIndex = kills % workers.length;
          const victim = workers[victimIndex]!;
          let held: string[] = [];
          // Wait (bounded by the remaining uploads) for a moment it holds jobs.
          while (held.length === 0 && acknowledged.size < DOCUMENTS) held = await jobsHeldBy(client, victim.pid);
          await victim.kill();
          for (const id of held) heldByKilled.add(id);
          kills += 1;
          workers[victimIndex] = await startProcess('worker');
        }
      };
      await Promise.all([...Array.from({ length: CONCURRENT_UPLOADS }, uploader), killer()]);
      expect(kills).toBe(KILLS);
      expect(acknowledged.size).toBe(DOCUMENTS);
      // The kills hit workers holding jobs, so some jobs had to be taken over.
      expect(heldByKilled.size).toBeGreaterThan(0);

      // Wait until the queue is empty (the killed workers' leases run out after 1.5 s).
      for (;;) {
        const { rows } = await client.query<{ jobs: string }>('select count(*) as jobs from ingest_jobs');
        if (Number(rows[0]!.jobs) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Every acknowledged document is ready, once: 500 distinct ids, 500 documents in all.
      const ids = new Set(acknowledged.values());
      expect(ids.size).toBe(DOCUMENTS);
      const { rows: statuses } = await client.query<{ status: string; count: string }>('select status, count(*) as count from documents group by status');
      expect(Object.fromEntries(statuses.map((row) => [row.status, Number(row.count)]))).toEqual({ ready: DOCUMENTS });
      const listing = await json<{ total: number }>(await fetch(`${replicas[1]!.url}/documents?status=ready&limit=1`));
      expect(listing.total).toBe(DOCUMENTS);
      // Uploads a killed worker left behind (it died between `ready` and deleting them) are swept
      // by a worker within two lease periods.
      for (;;) {
        const { rows: uploads } = await client.query<{ count: string }>('select count(*) as count from upload_blobs');
        if (Number(uploads[0]!.count) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Every replica answers the same question with the same verified quote — once the maintainer
      // has folded the last chunks into the full-text index: until then a replica searches them by
      // LanceDB's flat pass, which can miss a chunk naming a term three times (README, "Shared chunk store").
      const chunkDatabase = await lancedb.connect(lancedbDirectory);
      for (;;) {
        const chunks = await chunkDatabase.openTable('chunks');
        const unindexed = (await chunks.indexStats('search_text_idx'))?.numUnindexedRows ?? 1;
        chunks.close();
        if (unindexed === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      chunkDatabase.close();
      const answers = await Promise.all(
        replicas.map(async (replica) =>
          json<{ answer: string; confidence: number; citations: { documentId: string; quote: string; charStart: number; charEnd: number }[]; candidates?: { documentId: string; quote: string }[] }>(
            await fetch(`${replica.url}/ask`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ question: 'In welchem Jahr eröffnete in Hameln die Werkstatt Nummer 437?' }),
            }),
          ),
        ),
      );
      const cited = answers.map((answer) => answer.citations.map(({ documentId, quote, charStart, charEnd }) => ({ documentId, quote, charStart, charEnd })));
      expect(cited[0]![0]).toMatchObject({ documentId: acknowledged.get(437), quote: 'Im Jahr 2237 eröffnete in Hameln die Werkstatt Nummer 437 mit 40 Lehrlingen.' });
      expect(cited[1]).toEqual(cited[0]);
      expect(cited[2]).toEqual(cited[0]);
      expect(answers[1]!.answer).toBe(answers[0]!.answer);
      expect(answers[2]!.answer).toBe(answers[0]!.answer);
      for (const answer of answers.slice(1)) {
        expect(answer.confidence).toBe(answers[0]!.confidence);
        expect(answer.candidates?.map(({ documentId, quote }) => ({ documentId, quote }))).toEqual(answers[0]!.candidates?.map(({ documentId, quote }) => ({ documentId, quote })));
      }

      // The chunk store: each ready document's chunks once (count = its chunk count), nothing else.
      for (const process of [...replicas, ...workers]) expect(await process.stop()).toBe(0);
      const { rows: chunkCounts } = await client.query<{ id: string; chunk_count: number }>('select id, chunk_count from documents');
      const store = await LanceChunkStore.open({ directory: lancedbDirectory });
      try {
        const stored = await store.chunkCountsByDocument();
        expect([...stored.keys()].sort()).toEqual(chunkCounts.map((row) => row.id).sort());
        const miscounted = chunkCounts.filter((row) => row.chunk_count < 1 || stored.get(row.id) !== row.chunk_count);
        expect(miscounted).toEqual([]);
        for (const id of heldByKilled) expect(stored.get(id)).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
    }
  }, 300_000);
});
