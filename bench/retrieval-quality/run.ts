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
 * - `hybrid`: needs an embedding model (BELEG_EMBEDDING_MODEL_DIR); skipped when none is present.
 *
 * Run: `npx tsx bench/retrieval-quality/run.ts [path/to/xquad.de.dev.json]`
 * Writes bench/results/retrieval-quality.json.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { createHybridSearch } from '../../src/retrieve/hybrid-search.ts';
import { GermanDecompounder } from '../../src/retrieve/decompound.ts';
import type { ChunkRow } from '../../src/store/chunk-store.ts';

type Squad = { data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string }> }> }> };
type Question = { question: string; gold: string };
type Metrics = { recallAt1: number; recallAt5: number; recallAt10: number; mrrAt10: number; questions: number; msPerQuery: number };

const datasetPath = process.argv[2] ?? path.resolve(import.meta.dirname, '../../../shared/datasets/xquad-de-dev/xquad.de.dev.json');
const squad = JSON.parse(readFileSync(datasetPath, 'utf8')) as Squad;

const paragraphs: Array<{ id: string; title: string; text: string }> = [];
const questions: Question[] = [];
for (const article of squad.data) {
  article.paragraphs.forEach((paragraph, index) => {
    const id = `${article.title}-${index}`;
    paragraphs.push({ id, title: `${article.title} (${index})`, text: paragraph.context });
    for (const qa of paragraph.qas) questions.push({ question: qa.question, gold: id });
  });
}

async function evaluate(name: string, search: (question: string) => Promise<string[]>): Promise<Metrics> {
  let hits1 = 0;
  let hits5 = 0;
  let hits10 = 0;
  let reciprocal = 0;
  const started = performance.now();
  for (const { question, gold } of questions) {
    const ranked = (await search(question)).slice(0, 10);
    const rank = ranked.indexOf(gold) + 1;
    if (rank === 1) hits1 += 1;
    if (rank >= 1 && rank <= 5) hits5 += 1;
    if (rank >= 1) {
      hits10 += 1;
      reciprocal += 1 / rank;
    }
  }
  const count = questions.length;
  const metrics = {
    recallAt1: hits1 / count,
    recallAt5: hits5 / count,
    recallAt10: hits10 / count,
    mrrAt10: reciprocal / count,
    questions: count,
    msPerQuery: (performance.now() - started) / count,
  };
  console.log(
    `${name.padEnd(38)} R@1 ${metrics.recallAt1.toFixed(3)}  R@5 ${metrics.recallAt5.toFixed(3)}  R@10 ${metrics.recallAt10.toFixed(3)}  MRR@10 ${metrics.mrrAt10.toFixed(3)}  (${metrics.msPerQuery.toFixed(1)} ms/query)`,
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

  results.hybrid = { skipped: 'no embedding model is present on this machine (no download possible); set BELEG_EMBEDDING_MODEL_DIR to measure' };
  console.log(`hybrid                         skipped: ${(results.hybrid as { skipped: string }).skipped}`);
  await store.close();

  const output = {
    benchmark: 'retrieval-quality',
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
