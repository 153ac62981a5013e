/**
 * Crash consistency: a child process ingests (and deletes) a stream of documents and is killed
 * with SIGKILL five times — at random moments, right after a chunk write before SQLite said
 * ready, and in the middle of a delete — then beleg opens the data directory again and we check
 * what it promises: every acknowledged document is ready, complete and searchable; removed ones
 * are gone; nothing is half visible, orphaned or duplicated; SQLite and LanceDB are intact.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { crashDocumentText, uniqueWord } from './helpers/storage-crash-documents.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const WORKER = fileURLToPath(new URL('./helpers/storage-crash-worker.ts', import.meta.url));

type RunResult = {
  acknowledged: Map<number, string>;
  /** Removals that had started; those without a DEL may or may not have taken effect. */
  removing: Map<number, string>;
  deleted: Map<number, string>;
  lastIndex: number;
  killedBy: string | null;
  /** What reconciliation did when this worker opened the data directory. */
  reconciled: { removedChunkDocuments: string[]; resumed: string[]; failed: string[] } | null;
};

/**
 * Runs the worker from `firstIndex`; kills it after `killAfterAcks` acknowledgements plus a random
 * delay of up to 120 ms (mode `random`), or lets it kill itself (other modes).
 */
function runWorker(dataDir: string, firstIndex: number, mode: string, killAfterAcks: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dataDir, String(firstIndex), '40', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const result: RunResult = { acknowledged: new Map(), removing: new Map(), deleted: new Map(), lastIndex: firstIndex - 1, killedBy: null, reconciled: null };
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    let acks = 0;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('OPEN ')) result.reconciled = JSON.parse(line.slice(5));
      const [kind, index, id] = line.split(' ');
      if (kind === 'ACK') {
        result.acknowledged.set(Number(index), id!);
        result.lastIndex = Math.max(result.lastIndex, Number(index));
        acks += 1;
        if (mode === 'random' && acks === killAfterAcks) setTimeout(() => child.kill('SIGKILL'), Math.random() * 120);
      }
      if (kind === 'RM') result.removing.set(Number(index), id!);
      if (kind === 'DEL') result.deleted.set(Number(index), id!);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      result.killedBy = signal;
      if (signal !== 'SIGKILL') reject(new Error(`worker ended with ${code ?? signal} instead of being killed:\n${stderr}`));
      else resolve(result);
    });
  });
}

/** `npm run test:stress` sets BELEG_STRESS=1 for the long variant. */
const STRESS = process.env.BELEG_STRESS === '1';

describe('crash consistency', () => {
  it('keeps every acknowledged document whole and nothing else visible after five SIGKILLs (twenty under test:stress)', { timeout: 600_000 }, async () => {
    const config = testConfig();
    const acknowledged = new Map<number, string>();
    const deleted = new Map<number, string>();
    const inDoubt = new Map<number, string>();
    let nextIndex = 0;
    const plan: [mode: string, killAfterAcks: number][] = [
      ['random', 3 + Math.floor(Math.random() * 3)],
      ['after-add', 0],
      ['random', 1 + Math.floor(Math.random() * 4)],
      ['before-delete', 0],
      ['random', 1 + Math.floor(Math.random() * 3)],
      // `npm run test:stress` adds 15 more kills at random moments: 20 in all.
      ...Array.from({ length: STRESS ? 15 : 0 }, (): [string, number] => ['random', 1 + Math.floor(Math.random() * 4)]),
    ];
    const runs: RunResult[] = [];
    for (const [mode, killAfterAcks] of plan) {
      const run = await runWorker(config.dataDir, nextIndex, mode, killAfterAcks);
      runs.push(run);
      for (const [index, id] of run.acknowledged) acknowledged.set(index, id);
      for (const [index, id] of run.removing) {
        acknowledged.delete(index);
        if (run.deleted.has(index)) deleted.set(index, id);
        else inDoubt.set(index, id);
      }
      nextIndex = run.lastIndex + 1;
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(5);
    expect(deleted.size).toBeGreaterThanOrEqual(1);
    // The injected faults left what they should: chunks of a document SQLite never called ready
    // (after-add, removed and the document resumed), and chunks of a deleted document (before-delete).
    expect(runs[2]!.reconciled!.removedChunkDocuments.length).toBeGreaterThanOrEqual(1);
    expect(runs[2]!.reconciled!.resumed.length).toBeGreaterThanOrEqual(1);
    expect(runs[4]!.reconciled!.removedChunkDocuments.length).toBeGreaterThanOrEqual(1);

    // Restart: reconcile, then let resumed documents finish.
    const context = await openTestContext(config);
    const resumedEnds = await Promise.all(context.reconciled.resumed.map((id) => context.ingestion.settled(id)));
    expect(resumedEnds.every((document) => document.status === 'ready')).toBe(true);

    const integrity = context.database!.connection.pragma('integrity_check', { simple: true });
    expect(integrity).toBe('ok');

    const { documents } = await context.ingestion.list({ limit: 1000 });
    expect(documents.filter((document) => document.status !== 'ready')).toEqual([]);
    const ready = await context.ingestion.readyDocumentIds();

    // Every acknowledged document: ready, complete, its text verbatim, searchable by its word.
    for (const [index, id] of acknowledged) {
      const document = await context.ingestion.get(id);
      expect(document.status).toBe('ready');
      const text = await context.ingestion.text(id);
      expect(text).toBe(crashDocumentText(index));
      const chunks = await context.store.chunksOf(id);
      expect(chunks.map((chunk) => chunk.ordinal)).toEqual([...Array(document.chunkCount).keys()]);
      for (const chunk of chunks) expect(text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
      const hits = await context.store.searchText(uniqueWord(index), { limit: 5, documentIds: ready });
      expect(hits.map((hit) => hit.chunk.documentId)).toEqual([id]);
    }
    // Removed documents are gone from both stores.
    for (const id of deleted.values()) {
      await expect(context.ingestion.get(id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await context.store.countChunks(id)).toBe(0);
    }
    // A removal cut short by the kill took effect entirely or not at all.
    for (const id of inDoubt.values()) {
      const present = await context.ingestion.get(id).then(
        (document) => document.status === 'ready',
        () => false,
      );
      expect(await context.store.countChunks(id)).toBe(present ? (await context.ingestion.get(id)).chunkCount : 0);
    }
    // No orphans, no duplicates, and the chunk table is readable end to end.
    expect(new Set(await context.store.documentIds())).toEqual(new Set(ready));
    let total = 0;
    for (const id of ready) {
      const document = await context.ingestion.get(id);
      expect(await context.store.countChunks(id)).toBe(document.chunkCount);
      total += document.chunkCount;
    }
    expect(await context.store.countChunks()).toBe(total);
    await context.close();
  });
});
