/**
 * Documents per second into beleg's storage at 1K and 10K small documents (two German sentences
 * each), two ways:
 *   pipeline  IngestionService end to end (loader, chunker, SQLite, LanceDB; batches as the queue
 *             forms them), submitted all at once
 *   store     LanceChunkStore.add alone, 64 documents per call (the queue's largest batch)
 * and, on the pipeline's result, full-text search latency with and without the ready-document
 * filter retrieval uses (an IN list of every ready id).
 *
 *   npx tsx bench/ingest/store-throughput.ts [sizes, default 1000,10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { LanceChunkStore } from '../../src/store/index.ts';
import { printTable, writeStoreResults } from './store-results.ts';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
/** Documents per LanceDB write in the store-only run: the ingestion queue's default batch. */
const STORE_BATCH = 64;
const CITIES = ['Köln', 'Hamburg', 'Leipzig', 'Dresden', 'Bremen', 'Erfurt', 'Kiel', 'Mainz'];

function smallDocument(index: number): string {
  const city = CITIES[index % CITIES.length]!;
  return `Bericht ${index}: In ${city} wurden im Jahr ${1900 + (index % 120)} insgesamt ${index * 7} Häuser gebaut. Die Straßenbahn fährt dort seit ${1880 + (index % 40)}.`;
}

async function timeSearches(run: (query: string) => Promise<unknown>): Promise<number> {
  const queries = ['Häuser Köln', 'Straßenbahn Leipzig', 'Bericht gebaut', 'Jahr Hamburg Häuser'];
  const started = performance.now();
  for (let repeat = 0; repeat < 5; repeat += 1) for (const query of queries) await run(query);
  return (performance.now() - started) / (queries.length * 5);
}

async function pipeline(count: number) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beleg-bench-pipeline-'));
  try {
    const context = await openAppContext(loadConfig({ BELEG_DATA_DIR: dataDir, BELEG_INGEST_QUEUE_SIZE: String(count + 1) }));
    const started = performance.now();
    const submitted = [];
    for (let index = 0; index < count; index += 1) submitted.push(await context.ingestion.submit({ kind: 'text', text: smallDocument(index) }));
    const submitMs = performance.now() - started;
    const documents = await Promise.all(submitted.map((document) => context.ingestion.settled(document.id)));
    const totalMs = performance.now() - started;
    if (documents.some((document) => document.status !== 'ready')) throw new Error('a document failed');
    const ready = await context.ingestion.readyDocumentIds();
    const unindexedBefore = await context.store.unindexedRows();
    const searchUnfilteredMs = await timeSearches((query) => context.store.searchText(query, { limit: 10 }));
    const searchFilteredMs = await timeSearches(async (query) => context.store.searchText(query, { limit: 10, documentIds: await context.ingestion.readyDocumentIds() }));
    const searchPostFilteredMs = await timeSearches(async (query) => {
      const hits = await context.store.searchText(query, { limit: 26 });
      const ready = await context.ingestion.readyAmong(hits.map((hit) => hit.chunk.documentId));
      return hits.filter((hit) => ready.has(hit.chunk.documentId)).slice(0, 10);
    });
    await context.close();
    return {
      documents: count,
      submitMs: Math.round(submitMs),
      totalMs: Math.round(totalMs),
      documentsPerSecond: Math.round(count / (totalMs / 1000)),
      readyIds: ready.length,
      unindexedRowsAfterIngest: unindexedBefore,
      searchUnfilteredMs: Number(searchUnfilteredMs.toFixed(1)),
      searchWithReadyFilterMs: Number(searchFilteredMs.toFixed(1)),
      searchThenReadyAmongMs: Number(searchPostFilteredMs.toFixed(1)),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function storeOnly(count: number) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'beleg-bench-store-'));
  try {
    const store = await LanceChunkStore.open({ directory });
    const started = performance.now();
    for (let first = 0; first < count; first += STORE_BATCH) {
      const rows = [];
      for (let index = first; index < Math.min(first + STORE_BATCH, count); index += 1) {
        const text = smallDocument(index);
        rows.push({ id: `d${index}:0`, documentId: `d${index}`, ordinal: 0, text, charStart: 0, charEnd: text.length, page: null, headingPath: null, tokenCount: 40, sentenceOffsets: [0, text.length] });
      }
      await store.add(rows);
    }
    const totalMs = performance.now() - started;
    await store.close();
    return { documents: count, totalMs: Math.round(totalMs), documentsPerSecond: Math.round(count / (totalMs / 1000)) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const results: Record<string, unknown>[] = [];
for (const count of sizes) {
  const pipelineResult = await pipeline(count);
  const storeResult = await storeOnly(count);
  results.push({ documents: count, pipeline: pipelineResult, storeBatchesOf64: storeResult });
  printTable(
    ['documents', 'pipeline docs/s', 'pipeline ms', 'store docs/s', 'FTS ms', 'FTS+IN(ready) ms', 'FTS then readyAmong ms'],
    [[count, pipelineResult.documentsPerSecond, pipelineResult.totalMs, storeResult.documentsPerSecond, pipelineResult.searchUnfilteredMs, pipelineResult.searchWithReadyFilterMs, pipelineResult.searchThenReadyAmongMs]],
  );
}
writeStoreResults('storeThroughput', { loadAverage: os.loadavg().map((value) => Number(value.toFixed(1))), results });
