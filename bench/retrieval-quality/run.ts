/**
 * Retrieval quality on XQuAD-de (development split: 120 paragraphs, 612 questions).
 *
 * Each paragraph is one document stored as one chunk (paragraphs fit a chunk), so a question's
 * gold is its own paragraph. Reports recall@1/5/10 and MRR@10 for:
 * - `fts-plain`: LanceDB full-text search without stemming or stop words (lower-case, ASCII folding);
 * - `fts-german`: beleg's LanceChunkStore (German stemming, stop words, folding) through hybrid search;
 * - `fts-german+decompound-query`: the same, query expanded with compound parts;
 * - `fts-german-bare-table`: the same German analysis on a bare LanceDB table (the baseline of the next);
 * - `fts-german+decompound-index`: compound parts added to the indexed text and to the query
 *   (also with parts of at least 4 letters: `-minpart4`);
 * - `fts-german+decompound-store`: the same through beleg's LanceChunkStore and hybrid search,
 *   as the app wires it without the reranker;
 * - `fts-german+decompound-store+rerank`: plus the lexical reranker (BM25 + IDF-weighted coverage
 *   of the question) over the top 50 full-text candidates (src/retrieve/rerank-lexical.ts;
 *   `rerankMsPerQuery` is its own time);
 * - `hybrid`: needs an embedding model (BELEG_EMBEDDING_MODEL_DIR); skipped when none is present.
 *
 * Every variant is also reported per half (`byHalf`): questions of even and odd articles. The
 * reranker's weights were tuned on `even` only (./tune-rerank.ts); `odd` is held out.
 *
 * Run: `npx tsx bench/retrieval-quality/run.ts [path/to/xquad.de.dev.json]`
 * Writes bench/results/retrieval-quality.json.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { createHybridSearch } from '../../src/retrieve/hybrid-search.ts';
import { GermanDecompounder } from '../../src/retrieve/decompound.ts';
import { createLexicalReranker } from '../../src/retrieve/rerank-lexical.ts';
import type { ChunkRow, SearchHit } from '../../src/store/chunk-store.ts';
import { loadXquad, quality, type Half, type Quality } from './xquad.ts';

type Metrics = Quality & { msPerQuery: number; byHalf: Record<Half, Quality>; rerankMsPerQuery?: number };

const { paragraphs, questions } = loadXquad(process.argv[2]);

async function evaluate(name: string, search: (question: string) => Promise<string[]>): Promise<Metrics> {
  const ranks: number[] = [];
  const started = performance.now();
  for (const { question, gold } of questions) ranks.push((await search(question)).slice(0, 10).indexOf(gold) + 1);
  const msPerQuery = (performance.now() - started) / questions.length;
  const ranksOf = (half: Half) => ranks.filter((_, index) => questions[index]!.half === half);
  const metrics: Metrics = { ...quality(ranks), msPerQuery, byHalf: { even: quality(ranksOf('even')), odd: quality(ranksOf('odd')) } };
  const mrr = (value: Quality) => value.mrrAt10.toFixed(3);
  console.log(
    `${name.padEnd(38)} R@1 ${metrics.recallAt1.toFixed(3)}  R@5 ${metrics.recallAt5.toFixed(3)}  R@10 ${metrics.recallAt10.toFixed(3)}  MRR@10 ${mrr(metrics)}  (even ${mrr(metrics.byHalf.even)} / odd ${mrr(metrics.byHalf.odd)}; R@1 even ${metrics.byHalf.even.recallAt1.toFixed(3)} / odd ${metrics.byHalf.odd.recallAt1.toFixed(3)})  (${msPerQuery.toFixed(1)} ms/query)`,
  );
  return metrics;
}

/** A bare LanceDB table with one FTS configuration, for the variants the store does not offer. */
async function rawTable(directory: string, name: string, rows: Array<{ id: string; text: string }>, fts: Partial<lancedb.FtsOptions>) {
  const connection = await lancedb.connect(directory);
  const table = await connection.createTable(name, rows);
  await table.createIndex('text', { config: lancedb.Index.fts(fts) });
  return async (query: string) => {
    const records = await table.query().fullTextSearch(query, { columns: ['text'] }).select(['id', '_score']).limit(10).toArray();
    return records.map((record) => String(record.id));
  };
}

const workDirectory = mkdtempSync(path.join(tmpdir(), 'beleg-retrieval-quality-'));
try {
  const decompounder = GermanDecompounder.load();
  const results: Record<string, Metrics | { skipped: string }> = {};
  console.log(`XQuAD-de dev: ${paragraphs.length} paragraphs, ${questions.length} questions\n`);

  const plain = await rawTable(workDirectory, 'plain', paragraphs.map(({ id, text }) => ({ id, text })), {
    baseTokenizer: 'simple',
    stem: false,
    removeStopWords: false,
    lowercase: true,
    asciiFolding: true,
  });
  results['fts-plain'] = await evaluate('fts-plain', plain);

  const store = await LanceChunkStore.open({ directory: path.join(workDirectory, 'store') });
  const rows: ChunkRow[] = paragraphs.map((paragraph) => ({
    id: paragraph.id,
    documentId: paragraph.id,
    ordinal: 0,
    text: paragraph.text,
    charStart: 0,
    charEnd: paragraph.text.length,
    page: null,
    headingPath: null,
    tokenCount: 0,
    sentenceOffsets: [0, paragraph.text.length],
  }));
  for (const row of rows) await store.add([row]);
  const readyDocumentIds = paragraphs.map((paragraph) => paragraph.id);
  const german = createHybridSearch({ store });
  const viaHybrid = (search: ReturnType<typeof createHybridSearch>) => async (question: string) =>
    (await search.search({ query: question, limit: 10, readyDocumentIds })).map((result) => result.chunk.documentId);
  results['fts-german'] = await evaluate('fts-german', viaHybrid(german));

  const decompoundQuery = createHybridSearch({ store, expandTextQuery: (query) => decompounder.expand(query) });
  results['fts-german+decompound-query'] = await evaluate('fts-german+decompound-query', viaHybrid(decompoundQuery));

  // The same German analysis on bare tables: the text as is, then with compound parts appended.
  const germanFts = { language: 'German', stem: true, removeStopWords: true, asciiFolding: true };
  const bareGerman = await rawTable(workDirectory, 'german', paragraphs.map(({ id, text }) => ({ id, text })), germanFts);
  results['fts-german-bare-table'] = await evaluate('fts-german-bare-table', bareGerman);
  for (const minPartLength of [3, 4]) {
    const splitter = minPartLength === 3 ? decompounder : GermanDecompounder.load({ minPartLength });
    const name = `fts-german+decompound-index${minPartLength === 3 ? '' : `-minpart${minPartLength}`}`;
    const expandedIndex = await rawTable(workDirectory, `expanded${minPartLength}`, paragraphs.map(({ id, text }) => ({ id, text: splitter.expand(text) })), germanFts);
    results[name] = await evaluate(name, (question) => expandedIndex(splitter.expand(question)));
  }

  // As the app wires it: compound parts in the store's search column and in the query, then the
  // lexical reranker over the top 50 full-text candidates.
  const decompoundStore = await LanceChunkStore.open({
    directory: path.join(workDirectory, 'decompound-store'),
    searchText: { name: 'german-decompound-v1', expand: (text) => decompounder.expand(text) },
  });
  for (const row of rows) await decompoundStore.add([row]);
  const expandTextQuery = (query: string) => decompounder.expand(query);
  const decompoundSearch = createHybridSearch({ store: decompoundStore, expandTextQuery });
  results['fts-german+decompound-store'] = await evaluate('fts-german+decompound-store', viaHybrid(decompoundSearch));
  const reranker = createLexicalReranker({ splitCompound: (word) => decompounder.split(word) });
  let rerankMs = 0;
  const timedReranker = (query: string, hits: readonly SearchHit[]) => {
    const started = performance.now();
    const reranked = reranker(query, hits);
    rerankMs += performance.now() - started;
    return reranked;
  };
  const rerankSearch = createHybridSearch({ store: decompoundStore, expandTextQuery, rerankText: timedReranker });
  const reranked = await evaluate('fts-german+decompound-store+rerank', viaHybrid(rerankSearch));
  results['fts-german+decompound-store+rerank'] = { ...reranked, rerankMsPerQuery: rerankMs / questions.length };
  console.log(`  reranker alone: ${(rerankMs / questions.length).toFixed(2)} ms/query over 50 candidates`);
  await decompoundStore.close();

  results.hybrid = { skipped: 'no embedding model is present on this machine (no download possible); set BELEG_EMBEDDING_MODEL_DIR to measure' };
  console.log(`hybrid                         skipped: ${(results.hybrid as { skipped: string }).skipped}`);
  await store.close();

  const output = {
    benchmark: 'retrieval-quality',
    halves: 'byHalf: questions of even / odd articles (24 articles in file order; 354 / 258 questions); reranker weights tuned on even only',
    dataset: 'XQuAD-de dev split (shared/datasets/xquad-de-dev): 120 paragraphs as documents, one chunk each; 612 questions; gold = own paragraph',
    date: new Date().toISOString(),
    machine: '2 CPU cores',
    results,
  };
  const resultsDirectory = path.resolve(import.meta.dirname, '../results');
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(path.join(resultsDirectory, 'retrieval-quality.json'), `${JSON.stringify(output, null, 2)}\n`);
} finally {
  rmSync(workDirectory, { recursive: true, force: true });
}
