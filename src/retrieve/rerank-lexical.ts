/**
 * A cheap second look at the full-text candidates: BM25 rewards a chunk that repeats one question
 * word many times about as much as one that holds all the question's words once. This reranker
 * adds how much of the question a candidate covers:
 *
 *   score = bm25Weight × BM25 / best BM25 among the candidates + coverageWeight × coverage
 *
 * where `coverage` is the IDF-weighted share of the question's content terms (no stop or question
 * words) found in the candidate, each term counted once, and IDF comes from the candidate list
 * itself (a term in every candidate says little about which is best). Ties keep the BM25 order.
 *
 * Terms use the light German stemmer the extractive engine uses (../engine/extractive/german-terms.ts:
 * suffix stripping, umlaut folding, partial credit when one word is the head or modifier of a
 * compound holding the other). With `splitCompound` the parts of compounds count too, on both
 * sides, at a discount (`PART_SIMILARITY`): "Reisanbau" in the question meets "Anbau von Reis".
 *
 * Measured on XQuAD-de dev (bench/retrieval-quality, top 50 candidates of the German full-text
 * search with compound parts): weights tuned on the even articles only, MRR@10 even 0.931 → 0.942,
 * held-out odd 0.915 → 0.926. Tried on the tuning half and dropped: proximity (IDF share within
 * the best window of 8–32 words) and pairs of neighbouring question terms standing close in the
 * text (weight 0 was best), exact stem matches only (0.937), IDF squared (0.937) or square-rooted
 * (0.942 at coverage 1.25, no gain), BM25 rank instead of relative score (≤ 0.937). Compound parts
 * tie without them on MRR@10 (0.942) and win one question at rank 1; they stay for cases like
 * "Reisanbau" vs "Reis", which the stemmer's head matching alone misses.
 */
import { contentStems, stem, stemSimilarity, terms } from '../engine/extractive/german-terms.ts';
import type { SearchHit } from '../store/chunk-store.ts';

/** Per-candidate evidence, each in 0..1. */
export type LexicalFeatures = {
  /** BM25 score relative to the best candidate's. */
  bm25: number;
  /** IDF share of the query's content terms found in the text. */
  coverage: number;
};

export type LexicalRerankWeights = Record<keyof LexicalFeatures, number>;

/** Tuned on the even articles of XQuAD-de dev (bench/retrieval-quality/tune-rerank.ts). */
export const DEFAULT_LEXICAL_RERANK_WEIGHTS: LexicalRerankWeights = { bm25: 1, coverage: 1 };

/** A match through a compound part counts like a match of a compound head. */
const PART_SIMILARITY = 0.7;

const WORD = /[\p{L}\p{N}]+/gu;

export type LexicalFeatureOptions = {
  /** Compound parts of a word (e.g. `GermanDecompounder.split`); without it compounds stay whole. */
  splitCompound?: (word: string) => readonly string[];
};

export type LexicalRerankOptions = LexicalFeatureOptions & { weights?: Partial<LexicalRerankWeights> };

/** A candidate as full-text search returns it: its text and BM25 score. */
export type LexicalCandidate = { text: string; score: number };

type QueryTerm = { stem: string; weight: number };

/** The question's content stems (weight 1) and the stems of their compound parts (PART_SIMILARITY). */
function queryTerms(query: string, splitCompound: LexicalFeatureOptions['splitCompound']): QueryTerm[] {
  const stems = contentStems(query);
  const result: QueryTerm[] = stems.map((value) => ({ stem: value, weight: 1 }));
  if (!splitCompound) return result;
  const content = new Set(stems);
  const seen = new Set(stems);
  for (const term of terms(query)) {
    if (!content.has(term.stem)) continue;
    for (const part of splitCompound(term.surface)) {
      const partStem = stem(part);
      if (seen.has(partStem)) continue;
      seen.add(partStem);
      result.push({ stem: partStem, weight: PART_SIMILARITY });
    }
  }
  return result;
}

/** A word's stem and the stems of its compound parts. */
type WordStems = { stem: string; parts: readonly string[] };

/**
 * Stems per word, kept across queries (one cache per `splitCompound`): stemming and splitting the
 * ~6,000 words of 50 candidates anew for every query would cost more than everything else here.
 */
const stemCaches = new WeakMap<object, Map<string, WordStems>>();
const NO_SPLIT = (): readonly string[] => [];
const STEM_CACHE_LIMIT = 200_000;

function wordStems(splitCompound: (word: string) => readonly string[]): (word: string) => WordStems {
  let cache = stemCaches.get(splitCompound);
  if (!cache) {
    cache = new Map();
    stemCaches.set(splitCompound, cache);
  }
  const known = cache;
  return (word) => {
    let stems = known.get(word);
    if (!stems) {
      stems = { stem: stem(word), parts: splitCompound(word).map((part) => stem(part)) };
      if (known.size >= STEM_CACHE_LIMIT) known.clear();
      known.set(word, stems);
    }
    return stems;
  };
}

/**
 * `stemSimilarity`, skipping the call when it must be 0: a match needs equal stems, one stem
 * inside the other, or (derivations: `kombiniert`/`kombination`) the text stem starting with the
 * query stem's first letters. Most words of a text fail this string test, which keeps 50
 * candidates at about 2 ms instead of 4.
 */
function similarityOf(term: QueryTerm, textStem: string): number {
  if (!textStem.includes(term.stem.slice(0, 4)) && !term.stem.includes(textStem)) return 0;
  return stemSimilarity(term.stem, textStem);
}

/** The features of every candidate, in candidate order. */
export function lexicalFeatures(query: string, candidates: readonly LexicalCandidate[], options: LexicalFeatureOptions = {}): LexicalFeatures[] {
  const queryList = queryTerms(query, options.splitCompound);
  const stemsOf = wordStems(options.splitCompound ?? NO_SPLIT);
  // The query terms a word matches, as [term index, similarity × term weight]; most words match none.
  const byWord = new Map<string, Array<[number, number]>>();
  const matchOf = (word: string): Array<[number, number]> => {
    let matches = byWord.get(word);
    if (matches) return matches;
    matches = [];
    const stems = stemsOf(word);
    for (let index = 0; index < queryList.length; index += 1) {
      const term = queryList[index]!;
      let similarity = similarityOf(term, stems.stem);
      for (const part of stems.parts) similarity = Math.max(similarity, PART_SIMILARITY * similarityOf(term, part));
      if (similarity > 0) matches.push([index, similarity * term.weight]);
    }
    byWord.set(word, matches);
    return matches;
  };
  // Best match of each query term in each candidate: [candidates][queryTerms]
  const best = candidates.map((candidate) => {
    const row = queryList.map(() => 0);
    for (const match of candidate.text.matchAll(WORD)) {
      for (const [index, similarity] of matchOf(match[0])) {
        if (similarity > row[index]!) row[index] = similarity;
      }
    }
    return row;
  });

  const count = candidates.length;
  const idf = queryList.map((_, index) => {
    const frequency = best.filter((row) => row[index]! > 0).length;
    return Math.log(1 + (count - frequency + 0.5) / (frequency + 0.5));
  });
  const total = queryList.reduce((sum, term, index) => sum + term.weight * idf[index]!, 0);
  const topScore = Math.max(...candidates.map((candidate) => candidate.score), Number.MIN_VALUE);

  return candidates.map((candidate, candidateIndex) => {
    const found = best[candidateIndex]!.reduce((sum, similarity, index) => sum + similarity * idf[index]!, 0);
    return { bm25: candidate.score > 0 ? candidate.score / topScore : 0, coverage: total === 0 ? 0 : found / total };
  });
}

/** The weighted sum of the features. */
export function combineFeatures(features: LexicalFeatures, weights: LexicalRerankWeights): number {
  return weights.bm25 * features.bm25 + weights.coverage * features.coverage;
}

/**
 * A reranker for full-text hits (for `HybridSearchConfig.rerankText`): returns the same hits,
 * best first by the weighted features; ties keep the BM25 order. Hit scores stay BM25.
 */
export function createLexicalReranker(options: LexicalRerankOptions = {}): (query: string, hits: readonly SearchHit[]) => SearchHit[] {
  const weights: LexicalRerankWeights = { ...DEFAULT_LEXICAL_RERANK_WEIGHTS, ...options.weights };
  return (query, hits) => {
    if (hits.length < 2) return [...hits];
    const features = lexicalFeatures(
      query,
      hits.map((hit) => ({ text: hit.chunk.text, score: hit.score })),
      options,
    );
    return hits
      .map((hit, index) => ({ hit, index, score: combineFeatures(features[index]!, weights) }))
      .sort((left, right) => right.score - left.score || left.index - right.index)
      .map((entry) => entry.hit);
  };
}
