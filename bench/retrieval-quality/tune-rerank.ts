/**
 * Tunes the lexical reranker's weights (src/retrieve/rerank-lexical.ts) on the even articles of
 * XQuAD-de dev and reports the chosen weights on both halves. The candidates are the top 50 of
 * beleg's full-text search with German compound parts in index and query (the app's setting).
 *
 * Prints: the baseline (BM25 order), coverage alone, MRR@10 on `even` for each coverage weight,
 * then the best weight on `even` (ties go to the smaller one) with its numbers on `even`, `odd` and
 * all. (Proximity and term-pair features were tried the same way and dropped: weight 0 was best.)
 *
 * Run: `npx tsx bench/retrieval-quality/tune-rerank.ts [path/to/xquad.de.dev.json]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GermanDecompounder } from '../../src/retrieve/decompound.ts';
import { combineFeatures, lexicalFeatures, type LexicalFeatures, type LexicalRerankWeights } from '../../src/retrieve/rerank-lexical.ts';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { loadXquad, quality as rankQuality, type Half } from './xquad.ts';

const CANDIDATES = 50;
const { paragraphs, questions } = loadXquad(process.argv[2]);
const decompounder = GermanDecompounder.load();
const workDirectory = mkdtempSync(path.join(tmpdir(), 'beleg-tune-rerank-'));

type Pool = { question: string; gold: string; half: Half; ids: string[]; texts: string[]; scores: number[] };

try {
  const store = await LanceChunkStore.open({
    directory: path.join(workDirectory, 'store'),
    searchText: { name: 'german-decompound-v1', expand: (text) => decompounder.expand(text) },
  });
  for (const paragraph of paragraphs) {
    await store.add([
      { id: paragraph.id, documentId: paragraph.id, ordinal: 0, text: paragraph.text, charStart: 0, charEnd: paragraph.text.length, page: null, headingPath: null, tokenCount: 0, sentenceOffsets: [0, paragraph.text.length] },
    ]);
  }
  const pools: Pool[] = [];
  for (const { question, gold, half } of questions) {
    const hits = await store.searchText(decompounder.expand(question), { limit: CANDIDATES });
    pools.push({ question, gold, half, ids: hits.map((hit) => hit.chunk.id), texts: hits.map((hit) => hit.chunk.text), scores: hits.map((hit) => hit.score) });
  }
  await store.close();

  const splitCompound = (word: string) => decompounder.split(word);
  const featuresFor = () =>
    pools.map((pool) => lexicalFeatures(pool.question, pool.texts.map((text, index) => ({ text, score: pool.scores[index]! })), { splitCompound }));

  const quality = (features: LexicalFeatures[][], weights: LexicalRerankWeights, half: Half | 'all') => {
    const ranks = pools.flatMap((pool, poolIndex) => {
      if (half !== 'all' && pool.half !== half) return [];
      const ranked = pool.ids
        .map((id, index) => ({ id, index, score: combineFeatures(features[poolIndex]![index]!, weights) }))
        .sort((left, right) => right.score - left.score || left.index - right.index)
        .map((entry) => entry.id);
      return [ranked.indexOf(pool.gold) + 1];
    });
    return rankQuality(ranks);
  };
  const line = (label: string, features: LexicalFeatures[][], weights: LexicalRerankWeights, halves: Array<Half | 'all'>) =>
    console.log(
      `${label.padEnd(40)} ${halves.map((half) => { const q = quality(features, weights, half); return `${half} MRR@10 ${q.mrrAt10.toFixed(3)} R@1 ${q.recallAt1.toFixed(3)}`; }).join('  ')}`,
    );

  featuresFor(); // warms the compound splitter's cache, as a running server has it
  const started = performance.now();
  const features = featuresFor();
  console.log(`features for ${pools.length} questions x ${CANDIDATES} candidates: ${((performance.now() - started) / pools.length).toFixed(2)} ms/query\n`);
  line('bm25 order (baseline)', features, { bm25: 1, coverage: 0 }, ['even']);
  line('coverage alone (bm25 breaks ties)', features, { bm25: 0.001, coverage: 1 }, ['even']);

  let best: { score: number; weights: LexicalRerankWeights } | null = null;
  for (const coverage of [0.125, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4]) {
    const weights = { bm25: 1, coverage };
    const score = quality(features, weights, 'even').mrrAt10;
    console.log(`  coverage ${String(coverage).padEnd(5)} even MRR@10 ${score.toFixed(3)}`);
    if (best === null || score > best.score + 1e-9) best = { score, weights };
  }
  console.log();
  line('bm25 order (baseline)', features, { bm25: 1, coverage: 0 }, ['even', 'odd', 'all']);
  line(`best on even: ${JSON.stringify(best!.weights)}`, features, best!.weights, ['even', 'odd', 'all']);
} finally {
  rmSync(workDirectory, { recursive: true, force: true });
}
