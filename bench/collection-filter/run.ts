/**
 * Retrieval latency with a collection filter against unfiltered retrieval, at 100K chunks.
 *
 * What is timed is what the answer service does per question (src/create-answerer.ts):
 * - unfiltered: the ready document ids from SQLite, then hybrid/lexical search over every chunk
 *   (results of documents that are not ready dropped afterwards);
 * - filtered: the ready ids of the asked collection from SQLite (join over document_collections),
 *   which drop chunks of documents not ready, and the collection passed into the LanceDB query as
 *   its `array_has_any(collections, […])` prefilter on the chunks' collections (label-list index).
 *   (Until 2026-12-04 the filter was the collection's ready ids as a `document_id IN (…)` list:
 *   +42 % at a third of the documents; `--document-ids` measures that variant again.)
 * Each query runs both ways, one right after the other, alternating which goes first, so load
 * from other work on the machine falls on both alike.
 *
 * Data: 5,000 documents of 20 chunks (100,000 chunks) of 60–120 words sampled (Zipf-like) from
 * the XQuAD-de vocabulary; documents are spread over collections so that one holds a third of
 * them (`third`) and one a tenth (`tenth`). Lexical mode (beleg's default without an embedding
 * model) and hybrid mode with random 384-d unit vectors (flat vector search).
 *
 * Run: `npx tsx bench/collection-filter/run.ts [chunks, default 100000] [--document-ids]`
 * Writes bench/results/collection-filter.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { SqliteDocumentRepository, openDatabase } from '../../src/db/index.ts';
import type { EmbeddingModel } from '../../src/engine/embedding-model.ts';
import { createHybridSearch } from '../../src/retrieve/hybrid-search.ts';
import type { ChunkRow } from '../../src/store/chunk-store.ts';
import { CHUNKS_TABLE, chunkTableSchema, toTableRow } from '../../src/store/lancedb/chunk-table-schema.ts';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { syntheticCorpus } from '../helpers/synthetic-corpus.ts';

const DIMENSIONS = 384;
const CHUNKS_PER_DOCUMENT = 20;
const QUERIES = 200;
const WARM_UP = 20;
const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const size = Number(positional[0] ?? 100_000);
/** Filter by the collection's document ids (the earlier implementation) instead of the chunks' collections. */
const byDocumentIds = process.argv.includes('--document-ids');
const documentCount = Math.ceil(size / CHUNKS_PER_DOCUMENT);

const { random, words, unitVector: randomVector } = syntheticCorpus(16);
const unitVector = () => randomVector(DIMENSIONS);
const randomModel: EmbeddingModel = {
  modelId: 'bench/random',
  dimensions: DIMENSIONS,
  maxBatch: 64,
  embedDocuments: async (texts) => texts.map(unitVector),
  embedQuery: async () => unitVector(),
  dispose: async () => {},
};

/** Which collection document `index` is in: every third in `third`, every tenth of the rest in `tenth`, the others in `allgemein`. */
const collectionOf = (index: number) => (index % 3 === 0 ? 'third' : index % 10 === 1 ? 'tenth' : 'allgemein');

type Latency = { p50: number; p95: number; mean: number };
const summarize = (timings: number[]): Latency => {
  const sorted = [...timings].sort((left, right) => left - right);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length };
};

const root = mkdtempSync(path.join(tmpdir(), 'beleg-collection-filter-'));
try {
  const started = performance.now();
  // ---- SQLite: ready documents and their collections, written through the repositories.
  const database = openDatabase(path.join(root, 'beleg.sqlite'));
  const repository = new SqliteDocumentRepository(database.db);
  for (const name of ['third', 'tenth']) await repository.collections.create(name, name);
  const ids = Array.from({ length: documentCount }, (_, index) => `document-${index}`);
  for (const [index, id] of ids.entries()) {
    await repository.createPending({ id, sourceKind: 'text', sha256: id }, { inputKind: 'text', text: '-' });
    await repository.collections.addDocument(id, collectionOf(index));
  }
  await repository.markReady(ids.map((id) => ({ id, title: id, mimeType: 'text/plain', language: 'de', finalUrl: null, sha256: id, byteSize: 1, pageCount: null, chunkCount: CHUNKS_PER_DOCUMENT, text: '-', pages: null, sections: null })));

  // ---- LanceDB: the chunks in the store's own schema, then opened by the store (full-text index).
  const directory = path.join(root, 'lancedb');
  const writer = await lancedb.connect(directory);
  let table: lancedb.Table | null = null;
  for (let first = 0; first < size; first += 50_000) {
    const rows: ChunkRow[] = [];
    for (let index = first; index < Math.min(size, first + 50_000); index += 1) {
      const text = words(60 + Math.floor(random() * 60));
      rows.push({
        id: `chunk-${index}`,
        documentId: `document-${Math.floor(index / CHUNKS_PER_DOCUMENT)}`,
        ordinal: index % CHUNKS_PER_DOCUMENT,
        text,
        charStart: 0,
        charEnd: text.length,
        page: null,
        headingPath: null,
        tokenCount: 0,
        sentenceOffsets: [0, text.length],
        sentenceFlags: [0],
        vector: unitVector(),
        collections: [collectionOf(Math.floor(index / CHUNKS_PER_DOCUMENT))],
      });
    }
    const tableRows = rows.map((row) => toTableRow(row, DIMENSIONS));
    if (table) await table.add(tableRows);
    else table = await writer.createTable(CHUNKS_TABLE, tableRows, { schema: chunkTableSchema(DIMENSIONS) });
  }
  table!.close();
  writer.close();
  // Opening the store builds its full-text index and the B-tree on document_id.
  const store = await LanceChunkStore.open({ directory, vectorDimension: DIMENSIONS });
  console.log(`${size} chunks, ${documentCount} documents written and indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const results: Record<string, unknown> = {};
  for (const mode of ['lexical', 'hybrid'] as const) {
    const search = createHybridSearch({ store, embeddingModel: mode === 'hybrid' ? randomModel : null });
    for (const collection of ['third', 'tenth'] as const) {
      const unfiltered: number[] = [];
      const filtered: number[] = [];
      const runUnfiltered = async (query: string) => {
        const begin = performance.now();
        const ready = await repository.readyIds();
        await search.search({ query, limit: 10, candidates: 50, readyDocumentIds: ready });
        return performance.now() - begin;
      };
      const runFiltered = async (query: string) => {
        const begin = performance.now();
        const ready = await repository.collections.readyIdsIn([collection]);
        const filter = byDocumentIds ? { documentIds: ready } : { collectionIds: [collection] };
        const hits = await search.search({ query, limit: 10, candidates: 50, ...filter, readyDocumentIds: ready });
        for (const hit of hits) if (collectionOf(Number(hit.chunk.documentId.slice('document-'.length))) !== collection) throw new Error(`leak: ${hit.chunk.documentId}`);
        return performance.now() - begin;
      };
      for (let index = 0; index < WARM_UP + QUERIES; index += 1) {
        const query = words(6);
        const [first, second] = index % 2 === 0 ? [runUnfiltered, runFiltered] : [runFiltered, runUnfiltered];
        const firstMs = await first(query);
        const secondMs = await second(query);
        if (index < WARM_UP) continue;
        (first === runUnfiltered ? unfiltered : filtered).push(firstMs);
        (second === runUnfiltered ? unfiltered : filtered).push(secondMs);
      }
      const entry = { unfiltered: summarize(unfiltered), filtered: summarize(filtered) };
      const ratio = entry.filtered.p50 / entry.unfiltered.p50;
      results[`${mode}-${collection}`] = { ...entry, filteredOverUnfilteredP50: ratio, filteredOverUnfilteredMean: entry.filtered.mean / entry.unfiltered.mean };
      console.log(
        `${`${mode}, collection ${collection}`.padEnd(28)} unfiltered p50 ${entry.unfiltered.p50.toFixed(1)} ms (mean ${entry.unfiltered.mean.toFixed(1)})  filtered p50 ${entry.filtered.p50.toFixed(1)} ms (mean ${entry.filtered.mean.toFixed(1)})  ratio ${ratio.toFixed(3)}`,
      );
    }
  }
  await store.close();
  database.close();
  const output = {
    benchmark: 'collection-filter',
    what: `retrieval as the answer service runs it (ready ids from SQLite + search, top 10 of 50 candidates), unfiltered vs. filtered to one collection through the chunk store's ${byDocumentIds ? 'document_id IN (…) prefilter' : 'collections label-list prefilter'}; ${QUERIES} queries after ${WARM_UP} warm-up, each run both ways; milliseconds`,
    data: `${size} synthetic chunks in ${documentCount} documents of ${CHUNKS_PER_DOCUMENT}; collection 'third' holds every third document, 'tenth' about a tenth`,
    date: new Date().toISOString(),
    machine: '2 CPU cores shared with other work',
    loadAverage: loadavg()[0],
    results,
  };
  const resultsPath = path.resolve(import.meta.dirname, `../results/collection-filter${byDocumentIds ? '-document-ids' : ''}.json`);
  mkdirSync(path.dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(output, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
