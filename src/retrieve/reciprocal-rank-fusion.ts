/**
 * Reciprocal rank fusion (Cormack, Clarke, Büttcher 2009): a result's fused score is
 * `Σ weight_r / (k + rank_r)` over the retrievers that found it, with 1-based ranks. It needs no
 * score calibration between BM25 and cosine similarity, which is why hybrid search uses it.
 */

/** The default `k` of the paper; larger values flatten the advantage of top ranks. */
export const DEFAULT_RRF_K = 60;

/** One retriever's results, best first. */
export type RankedList<Item> = { retriever: string; weight: number; items: ReadonlyArray<{ key: string; item: Item; score: number }> };

/** A fused result with its rank and raw score in each retriever that found it. */
export type FusedResult<Item> = {
  key: string;
  item: Item;
  score: number;
  ranks: Record<string, number>;
  scores: Record<string, number>;
};

/** Fuses ranked lists; ties keep the order in which results were first seen. */
export function reciprocalRankFusion<Item>(lists: ReadonlyArray<RankedList<Item>>, k: number = DEFAULT_RRF_K): FusedResult<Item>[] {
  const fused = new Map<string, FusedResult<Item>>();
  for (const list of lists) {
    list.items.forEach((entry, index) => {
      const rank = index + 1;
      let result = fused.get(entry.key);
      if (!result) {
        result = { key: entry.key, item: entry.item, score: 0, ranks: {}, scores: {} };
        fused.set(entry.key, result);
      }
      if (result.ranks[list.retriever] !== undefined) return; // a retriever counts each result once
      result.ranks[list.retriever] = rank;
      result.scores[list.retriever] = entry.score;
      result.score += list.weight / (k + rank);
    });
  }
  return [...fused.values()].sort((left, right) => right.score - left.score);
}
