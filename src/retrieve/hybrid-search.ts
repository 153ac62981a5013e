/**
 * Hybrid retrieval over a ChunkStore: German full-text search plus, when an embedding model is
 * loaded, vector search, fused with reciprocal rank fusion.
 *
 * - Only ready documents: the caller passes the ids of ready documents. When the caller also
 *   restricts to `documentIds`, the store searches the intersection. Without such a restriction
 *   the store searches everything and results of documents that are not ready are dropped
 *   afterwards (rare: documents still being indexed), so the store never receives a filter listing
 *   every document of a large collection.
 * - Optionally the full-text candidates are reranked before fusion (`rerankText`, e.g.
 *   ./rerank-lexical.ts: a chunk holding more of the question's words beats one repeating a few); `ranks.text` is then
 *   the rank after reranking, `scores.text` stays the BM25 score.
 * - Overlapping chunks of one document are de-duplicated: the better-fused one stays.
 * - Optionally, when a hit's query terms sit in its first or last sentence, the neighbouring chunk
 *   on that side is added right after it (the answer may continue across the chunk edge).
 * - Every result carries its fused score and its rank and raw score in each retriever.
 */
import type { EmbeddingModel } from '../engine/embedding-model.ts';
import type { ChunkStore, SearchHit, StoredChunk } from '../store/chunk-store.ts';
import { ValidationError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';
import { DEFAULT_RRF_K, reciprocalRankFusion, type RankedList } from './reciprocal-rank-fusion.ts';

export type RetrieverName = 'text' | 'vector';

export type RetrieverWeights = Record<RetrieverName, number>;

export type HybridSearchConfig = {
  store: ChunkStore;
  /** Without one, search is lexical only. */
  embeddingModel?: EmbeddingModel | null;
  /**
   * Rewrites the full-text query, e.g. adds compound parts (./decompound.ts). Off by default: it
   * only helps when the index holds the parts too (see decompound.ts for the measurement); the
   * app context (src/app-context.ts) wires both sides.
   */
  expandTextQuery?: (query: string) => string;
  /**
   * Reorders the full-text candidates (all `candidates` of them, only ready and chosen documents)
   * before fusion; gets the query as the user wrote it. Off by default; the app context wires
   * ./rerank-lexical.ts.
   */
  rerankText?: (query: string, hits: readonly SearchHit[]) => SearchHit[];
  rrfK?: number;
  weights?: Partial<RetrieverWeights>;
};

export type HybridSearchOptions = {
  query: string;
  /** Results wanted (before neighbours are added). Default 8. */
  limit?: number;
  /** Only these documents. */
  documentIds?: readonly string[];
  /** Only documents in at least one of these collections (filtered inside the chunk store's query). */
  collectionIds?: readonly string[];
  /** Ids of documents that are ready; results of other documents are never returned. */
  readyDocumentIds?: Iterable<string>;
  /** Candidates taken from each retriever before fusion. Default max(50, 5 × limit). */
  candidates?: number;
  /** Add the neighbouring chunk when a hit's terms sit at its edge. Default false. */
  neighbours?: boolean;
};

/** A retrieved chunk and why it was retrieved. */
export type RetrievedChunk = {
  chunk: StoredChunk;
  /** Fused score (reciprocal rank fusion); a neighbour gets its hit's score. */
  score: number;
  /** 1-based rank in each retriever that found the chunk. */
  ranks: Partial<Record<RetrieverName, number>>;
  /** Raw score in each retriever (BM25, or similarity as the store reports it). */
  scores: Partial<Record<RetrieverName, number>>;
  /** Set when the chunk was added as the neighbour of this hit. */
  neighbourOf?: string;
};

export type HybridSearch = {
  /** `hybrid` with an embedding model, else `lexical`. */
  readonly mode: 'hybrid' | 'lexical';
  search(options: HybridSearchOptions): Promise<RetrievedChunk[]>;
};

const DEFAULT_LIMIT = 8;

/** Lower-cased words of at least 3 letters: what decides whether a sentence holds query terms. */
function queryTerms(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/\p{L}[\p{L}\p{N}]{2,}/gu) ?? [])];
}

function sentenceText(chunk: StoredChunk, index: number): string {
  const offsets = chunk.sentenceOffsets;
  if (offsets.length < 2) return chunk.text;
  const position = index < 0 ? offsets.length + index * 2 : index * 2;
  return chunk.text.slice(offsets[position], offsets[position + 1]);
}

function overlaps(left: StoredChunk, right: StoredChunk): boolean {
  return left.documentId === right.documentId && left.charStart < right.charEnd && right.charStart < left.charEnd;
}

function rankedList(retriever: RetrieverName, weight: number, hits: readonly SearchHit[]): RankedList<StoredChunk> {
  return { retriever, weight, items: hits.map((hit) => ({ key: hit.chunk.id, item: hit.chunk, score: hit.score })) };
}

/** Creates the hybrid search over `config.store`. */
export function createHybridSearch(config: HybridSearchConfig): HybridSearch {
  const embeddingModel = config.embeddingModel ?? null;
  const weights: RetrieverWeights = { text: 1, vector: 1, ...config.weights };
  for (const [name, weight] of Object.entries(weights)) {
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new ValidationError(userMessage('validation_failed.retriever_weight', { name, weight }));
  }
  const rrfK = config.rrfK ?? DEFAULT_RRF_K;

  async function search(options: HybridSearchOptions): Promise<RetrievedChunk[]> {
    const query = options.query.trim();
    if (query.length === 0) throw new ValidationError(userMessage('validation_failed.search_query_empty'));
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(userMessage('validation_failed.search_limit', { limit }));
    const candidates = Math.max(options.candidates ?? Math.max(50, 5 * limit), limit);

    const ready = options.readyDocumentIds === undefined ? null : new Set(options.readyDocumentIds);
    let filter: string[] | undefined;
    if (options.documentIds !== undefined) {
      filter = [...new Set(options.documentIds)].filter((id) => ready === null || ready.has(id));
      if (filter.length === 0) return [];
    } else if (ready !== null && ready.size === 0) {
      return [];
    }
    if (options.collectionIds?.length === 0) return [];
    const collectionIds = options.collectionIds;
    const chosen = filter === undefined ? null : new Set(filter);
    const allowed = (chunk: StoredChunk) => (ready === null || ready.has(chunk.documentId)) && (chosen === null || chosen.has(chunk.documentId));

    const textQuery = config.expandTextQuery ? config.expandTextQuery(query) : query;
    const rerankText = config.rerankText ?? ((_query: string, hits: readonly SearchHit[]) => hits);
    const searches: Array<Promise<RankedList<StoredChunk>>> = [];
    if (weights.text > 0) {
      searches.push(
        config.store
          .searchText(textQuery, { limit: candidates, documentIds: filter, collectionIds })
          .then((hits) => rankedList('text', weights.text, rerankText(query, hits.filter((hit) => allowed(hit.chunk))))),
      );
    }
    if (embeddingModel && weights.vector > 0) {
      searches.push(
        embeddingModel
          .embedQuery(query)
          .then((vector) => config.store.searchVector(vector, { limit: candidates, documentIds: filter, collectionIds }))
          .then((hits) => rankedList('vector', weights.vector, hits.filter((hit) => allowed(hit.chunk)))),
      );
    }
    const lists = await Promise.all(searches);

    const results: RetrievedChunk[] = [];
    for (const fused of reciprocalRankFusion(lists, rrfK)) {
      if (results.some((kept) => overlaps(kept.chunk, fused.item))) continue;
      results.push({ chunk: fused.item, score: fused.score, ranks: fused.ranks, scores: fused.scores });
      if (results.length === limit) break;
    }
    return options.neighbours ? addNeighbours(config.store, results, queryTerms(query)) : results;
  }

  return { mode: embeddingModel ? 'hybrid' : 'lexical', search };
}

/** Adds, after each hit, the chunk before or after it when the hit's query terms sit at that edge. */
async function addNeighbours(store: ChunkStore, hits: RetrievedChunk[], terms: readonly string[]): Promise<RetrievedChunk[]> {
  const contains = (text: string) => {
    const lower = text.toLowerCase();
    return terms.some((term) => lower.includes(term));
  };
  const wanted = hits.map((hit) => {
    const ordinals: number[] = [];
    if (hit.chunk.ordinal > 0 && contains(sentenceText(hit.chunk, 0))) ordinals.push(hit.chunk.ordinal - 1);
    if (contains(sentenceText(hit.chunk, -1))) ordinals.push(hit.chunk.ordinal + 1);
    return ordinals;
  });
  const fetched = await Promise.all(
    hits.map((hit, index) => (wanted[index]!.length > 0 ? store.chunksOf(hit.chunk.documentId, wanted[index]) : Promise.resolve([]))),
  );
  const output: RetrievedChunk[] = [];
  const present = (chunk: StoredChunk) => output.some((kept) => overlaps(kept.chunk, chunk)) || hits.some((hit) => overlaps(hit.chunk, chunk));
  hits.forEach((hit, index) => {
    output.push(hit);
    for (const neighbour of fetched[index]!.sort((left, right) => left.ordinal - right.ordinal)) {
      if (present(neighbour)) continue;
      output.push({ chunk: neighbour, score: hit.score, ranks: {}, scores: {}, neighbourOf: hit.chunk.id });
    }
  });
  return output;
}
