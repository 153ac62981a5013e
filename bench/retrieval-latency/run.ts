/**
 * Retrieval latency: p50/p95 of hybrid top-10 (full-text + vector, fused) on the LanceDB chunk
 * store at growing sizes, without and with an ANN (IVF-PQ) index on the vectors.
 *
 * Synthetic data: chunks of 60–120 words drawn (Zipf-like) from the vocabulary of the XQuAD-de
 * paragraphs, so the full-text index sees real German word forms; random unit vectors of 384
 * dimensions (multilingual-e5-small's size). Queries: 6 words drawn the same way, with a random
 * query vector (embedding time is not part of retrieval and is excluded).
 *
 * Found here: with @lancedb/lancedb 0.31.0 on this 2-core machine, building the German full-text
 * index over about 80,000 or more chunks never finished (the process idled in LanceDB). Cause:
 * LanceDB leaves a 2-core machine one compute thread, and the index build deadlocks on one thread.
 * The store now sets LANCE_CPU_THREADS to at least 2 (src/store/lancedb/lancedb-chunk-store.ts),
 * and 100,000 chunks index in about 2 s; the default sizes were chosen before that fix.
 *
 * The store searches vectors with dot distance on unit-length vectors (equal to cosine), so the
 * IVF-PQ index is built for dot distance too.
 *
 * Run: `npx tsx bench/retrieval-latency/run.ts [sizes, default 10000,40000]`
 * Writes bench/results/retrieval-latency.json, replacing only the sizes measured in this run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import type { EmbeddingModel } from '../../src/engine/embedding-model.ts';
import type { ChunkRow } from '../../src/store/chunk-store.ts';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { CHUNKS_TABLE, chunkTableSchema, toTableRow } from '../../src/store/lancedb/chunk-table-schema.ts';
import { createHybridSearch } from '../../src/retrieve/hybrid-search.ts';
import { GermanDecompounder } from '../../src/retrieve/decompound.ts';
import { createLexicalReranker } from '../../src/retrieve/rerank-lexical.ts';
import { syntheticCorpus } from '../helpers/synthetic-corpus.ts';

const DIMENSIONS = 384;
const QUERIES = 200;
const WARM_UP = 20;

const sizes = (process.argv[2] ?? '10000,40000').split(',').map(Number);
const { random, words, unitVector: randomVector } = syntheticCorpus(12345);
const unitVector = () => randomVector(DIMENSIONS);

/** Returns random query vectors: retrieval is measured, not embedding. */
const randomModel: EmbeddingModel = {
  modelId: 'bench/random',
  dimensions: DIMENSIONS,
  maxBatch: 64,
  embedDocuments: async (texts) => texts.map(unitVector),
  embedQuery: async () => unitVector(),
  dispose: async () => {},
};

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

type Latency = { p50: number; p95: number; mean: number };

// The app's lexical reranker (src/app-context.ts), for the run that measures what the service does.
const decompounder = GermanDecompounder.load();
const reranker = createLexicalReranker({ splitCompound: (word) => decompounder.split(word) });

async function measure(store: LanceChunkStore, label: string, weights?: { text?: number; vector?: number }, queries = QUERIES, rerank = false): Promise<Latency & { queries: number }> {
  const search = createHybridSearch({ store, embeddingModel: randomModel, weights, rerankText: rerank ? reranker : undefined });
  const timings: number[] = [];
  for (let index = 0; index < WARM_UP + queries; index += 1) {
    const query = words(6);
    const started = performance.now();
    await search.search({ query, limit: 10, candidates: 50 });
    const elapsed = performance.now() - started;
    if (index >= WARM_UP) timings.push(elapsed);
  }
  timings.sort((left, right) => left - right);
  const result = { queries, p50: percentile(timings, 0.5), p95: percentile(timings, 0.95), mean: timings.reduce((sum, value) => sum + value, 0) / timings.length };
  console.log(`${label.padEnd(34)} p50 ${result.p50.toFixed(1)} ms  p95 ${result.p95.toFixed(1)} ms  mean ${result.mean.toFixed(1)} ms`);
  return result;
}

const resultsPath = path.resolve(import.meta.dirname, '../results/retrieval-latency.json');
// Sizes not measured in this run keep their earlier results (each entry carries its own date).
const earlier = (() => {
  try {
    return (JSON.parse(readFileSync(resultsPath, 'utf8')) as { results?: Array<Record<string, unknown>> }).results ?? [];
  } catch {
    return [];
  }
})();
const results: Array<Record<string, unknown>> = earlier.filter((entry) => !sizes.includes(Number(entry.chunks)));

function writeResults(): void {
  const output = {
    benchmark: 'retrieval-latency',
    what: `hybrid top-10 (LanceDB German full-text + cosine vector search over ${DIMENSIONS}-d vectors, 50 candidates each, reciprocal rank fusion) through createHybridSearch; hybridIvfPqReranked adds the app's lexical reranker of the text candidates; ${QUERIES} queries after ${WARM_UP} warm-up (flat vector runs above 200K chunks: 40); milliseconds`,
    data: 'synthetic chunks of 60-120 words sampled from the XQuAD-de vocabulary; random unit vectors',
    date: new Date().toISOString(),
    machine: '2 CPU cores shared with other work',
    results: [...results].sort((left, right) => Number(left.chunks) - Number(right.chunks)),
  };
  mkdirSync(path.dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(output, null, 2)}\n`);
}

const root = mkdtempSync(path.join(tmpdir(), 'beleg-retrieval-latency-'));
try {
  for (const size of sizes) {
    const directory = path.join(root, String(size));
    const loadAverageAtStart = loadavg()[0]!;
    const loadStarted = performance.now();
    // The table is written here in the store's own schema, then opened by the store, which builds
    // its German full-text index. (Bulk writing is faster than store.add's one-document batches.)
    // Rows are written in batches, so 1M chunks never sit in memory as objects at once.
    const BATCH = 50_000;
    const writer = await lancedb.connect(directory);
    let created: lancedb.Table | null = null;
    for (let first = 0; first < size; first += BATCH) {
      const rows: ChunkRow[] = [];
      for (let index = first; index < Math.min(size, first + BATCH); index += 1) {
        const text = words(60 + Math.floor(random() * 60));
        rows.push({
          id: `chunk-${index}`,
          documentId: `document-${Math.floor(index / 20)}`,
          ordinal: index % 20,
          text,
          charStart: 0,
          charEnd: text.length,
          page: null,
          headingPath: null,
          tokenCount: 0,
          sentenceOffsets: [0, text.length],
          vector: unitVector(),
        });
      }
      const tableRows = rows.map((row) => toTableRow(row, DIMENSIONS));
      if (created) await created.add(tableRows);
      else created = await writer.createTable(CHUNKS_TABLE, tableRows, { schema: chunkTableSchema(DIMENSIONS) });
    }
    if (!created) throw new Error('No rows were written.');
    created.close();
    writer.close();
    // Opening the store builds its German full-text index on the search column.
    let store = await LanceChunkStore.open({ directory, vectorDimension: DIMENSIONS });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    console.log(`\n${size} chunks loaded and full-text indexed in ${loadSeconds.toFixed(1)} s`);
    const textOnly = await measure(store, `${size} text only`, { vector: 0 });
    // A flat scan of 1M vectors takes seconds per query: fewer queries for the flat runs there.
    const flatQueries = size > 200_000 ? 40 : QUERIES;
    const flatVectorOnly = await measure(store, `${size} vector only, flat`, { text: 0 }, flatQueries);
    const flat = await measure(store, `${size} hybrid, flat vectors`, undefined, flatQueries);
    await store.close();

    const indexStarted = performance.now();
    // The store's own index (what optimize() builds from 25,000 chunks on): IVF-PQ, dot distance.
    store = await LanceChunkStore.open({ directory, vectorDimension: DIMENSIONS });
    await store.buildVectorIndex();
    await store.close();
    const numPartitions = Math.max(1, Math.round(Math.sqrt(size)));
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    console.log(`IVF-PQ index (${numPartitions} partitions) built in ${indexSeconds.toFixed(1)} s`);
    store = await LanceChunkStore.open({ directory, vectorDimension: DIMENSIONS });
    const annVectorOnly = await measure(store, `${size} vector only, IVF-PQ`, { text: 0 });
    const ann = await measure(store, `${size} hybrid, IVF-PQ`);
    const annReranked = await measure(store, `${size} hybrid, IVF-PQ, reranked`, undefined, QUERIES, true);
    await store.close();

    // One-minute load average of the machine (2 cores) before and after this size's measurements.
    const loadAverage = { atStart: loadAverageAtStart, atEnd: loadavg()[0]! };
    results.push({ chunks: size, date: new Date().toISOString(), loadAverage, loadAndFullTextIndexSeconds: loadSeconds, annIndexSeconds: indexSeconds, annPartitions: numPartitions, textOnly, vectorOnlyFlat: flatVectorOnly, vectorOnlyIvfPq: annVectorOnly, hybridFlatVectors: flat, hybridIvfPq: ann, hybridIvfPqReranked: annReranked });
    rmSync(directory, { recursive: true, force: true });
    writeResults(); // after every size, so a later, larger size cannot lose it
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
