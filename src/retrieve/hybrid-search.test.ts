import { describe, expect, it } from 'vitest';
import type { EmbeddingModel } from '../engine/embedding-model.ts';
import type { ChunkRow, ChunkStore, SearchFilter, SearchHit, StoredChunk } from '../store/chunk-store.ts';
import { createHybridSearch } from './hybrid-search.ts';
import { reciprocalRankFusion } from './reciprocal-rank-fusion.ts';

/** An in-memory ChunkStore: term-overlap text search and dot-product vector search. */
class FakeChunkStore implements ChunkStore {
  rows: ChunkRow[] = [];
  textQueries: Array<{ query: string; documentIds?: readonly string[]; collectionIds?: readonly string[] }> = [];
  async add(rows: readonly ChunkRow[]) {
    this.rows.push(...rows);
  }
  async deleteDocuments(documentIds: readonly string[]) {
    this.rows = this.rows.filter((row) => !documentIds.includes(row.documentId));
  }
  async setCollections(collectionsByDocument: ReadonlyMap<string, readonly string[]>) {
    this.rows = this.rows.map((row) => (collectionsByDocument.has(row.documentId) ? { ...row, collections: collectionsByDocument.get(row.documentId) } : row));
  }
  #visible(filter: SearchFilter) {
    return this.rows.filter(
      (row) =>
        (!filter.documentIds || filter.documentIds.includes(row.documentId)) &&
        (!filter.collectionIds || (row.collections ?? []).some((id) => filter.collectionIds!.includes(id))),
    );
  }
  async searchText(query: string, options: { limit: number } & SearchFilter): Promise<SearchHit[]> {
    this.textQueries.push({ query, documentIds: options.documentIds, collectionIds: options.collectionIds });
    const terms = query.toLowerCase().match(/\p{L}+/gu) ?? [];
    return this.#visible(options)
      .map((row) => {
        const words: string[] = row.text.toLowerCase().match(/\p{L}+/gu) ?? [];
        return { chunk: strip(row), score: terms.filter((term) => words.includes(term)).length };
      })
      .filter((hit) => hit.score > 0)
      .sort((left, right) => right.score - left.score)
      .slice(0, options.limit);
  }
  async searchVector(vector: Float32Array, options: { limit: number } & SearchFilter): Promise<SearchHit[]> {
    return this.#visible(options)
      .filter((row) => row.vector)
      .map((row) => ({ chunk: strip(row), score: [...vector].reduce((sum, value, index) => sum + value * Number(row.vector![index]), 0) }))
      .sort((left, right) => right.score - left.score)
      .slice(0, options.limit);
  }
  async chunksOf(documentId: string, ordinals?: readonly number[]) {
    return this.rows.filter((row) => row.documentId === documentId && (!ordinals || ordinals.includes(row.ordinal))).map(strip);
  }
  async documentIds() {
    return [...new Set(this.rows.map((row) => row.documentId))];
  }
  async countChunks(documentId?: string) {
    return this.rows.filter((row) => !documentId || row.documentId === documentId).length;
  }
  async close() {}
}

function strip(row: ChunkRow): StoredChunk {
  const { vector: _vector, collections: _collections, ...chunk } = row;
  return chunk;
}

let nextStart = 0;
function row(documentId: string, ordinal: number, sentences: string[], vector: number[]): ChunkRow {
  const text = sentences.join(' ');
  const offsets: number[] = [];
  let position = 0;
  for (const sentence of sentences) {
    offsets.push(position, position + sentence.length);
    position += sentence.length + 1;
  }
  const charStart = ordinal === 0 ? 0 : nextStart;
  nextStart = charStart + text.length + 1;
  return { id: `${documentId}#${ordinal}`, documentId, ordinal, text, charStart, charEnd: charStart + text.length, page: null, headingPath: null, tokenCount: 0, sentenceOffsets: offsets, vector };
}

/** Embeds by keyword: a vector axis per topic, enough to steer vector search in tests. */
const topics = ['reis', 'zeit', 'auto'];
const keywordModel: EmbeddingModel = {
  modelId: 'test/keywords',
  dimensions: 3,
  maxBatch: 8,
  async embedDocuments(texts) {
    return Promise.all(texts.map((text) => this.embedQuery(text)));
  },
  async embedQuery(text) {
    return Float32Array.from(topics.map((topic) => (text.toLowerCase().includes(topic) ? 1 : 0)));
  },
  async dispose() {},
};

async function reisStore() {
  const store = new FakeChunkStore();
  await store.add([
    row('reis', 0, ['Reis ist ein Getreide.', 'Er braucht viel Wasser.'], [1, 0, 0]),
    row('reis', 1, ['Das größte Anbaugebiet liegt in China.', 'Dort wird Reis auf Terrassen angebaut.'], [1, 0, 0]),
    row('reis', 2, ['Die Ernte beginnt im Herbst.'], [1, 0, 0]),
    row('zeit', 0, ['Die Sommerzeit beginnt im März.', 'Die Uhren werden vorgestellt.'], [0, 1, 0]),
    row('auto', 0, ['Das Auto hat vier Räder und braucht Benzin.'], [0, 0, 1]),
    row('entwurf', 0, ['Reis in Entwurf: angebaut wird Reis überall.'], [1, 0, 0]),
  ]);
  return store;
}

describe('reciprocal rank fusion', () => {
  it('sums weight / (k + rank) and keeps per-retriever ranks', () => {
    const fused = reciprocalRankFusion(
      [
        { retriever: 'text', weight: 1, items: [{ key: 'a', item: 'a', score: 9 }, { key: 'b', item: 'b', score: 5 }] },
        { retriever: 'vector', weight: 2, items: [{ key: 'b', item: 'b', score: 0.9 }, { key: 'c', item: 'c', score: 0.8 }] },
      ],
      60,
    );
    expect(fused.map((result) => result.key)).toEqual(['b', 'c', 'a']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 2 / 61, 12);
    expect(fused[0]!.ranks).toEqual({ text: 2, vector: 1 });
    expect(fused[2]!.scores).toEqual({ text: 9 });
  });
});

describe('hybrid search', () => {
  it('searches lexically without an embedding model and reports ranks', async () => {
    const store = await reisStore();
    const search = createHybridSearch({ store });
    expect(search.mode).toBe('lexical');
    const results = await search.search({ query: 'Wo wird Reis auf Terrassen angebaut?', limit: 3 });
    expect(results.map((result) => result.chunk.id)).toEqual(['reis#1', 'entwurf#0', 'reis#0']);
    expect(results.map((result) => result.ranks)).toEqual([{ text: 1 }, { text: 2 }, { text: 3 }]);
    expect(results[0]!.score).toBeCloseTo(1 / 61, 12);
  });

  it('fuses text and vector search so a chunk found by meaning alone is returned', async () => {
    const store = await reisStore();
    const search = createHybridSearch({ store, embeddingModel: keywordModel });
    expect(search.mode).toBe('hybrid');
    // No word of the query occurs in any chunk, but the vector finds the right one.
    const results = await search.search({ query: 'Zeitumstellung wann genau', limit: 2 });
    expect(results[0]!.chunk.id).toBe('zeit#0');
    expect(results[0]!.ranks).toEqual({ vector: 1 });
    const textOnly = createHybridSearch({ store, embeddingModel: keywordModel, weights: { vector: 0 } });
    expect(await textOnly.search({ query: 'Zeitumstellung wann genau', limit: 2 })).toEqual([]);
    // Found by both: ranks from both retrievers, and it beats chunks found by one.
    const both = await search.search({ query: 'Wann beginnt die Sommerzeit', limit: 3 });
    expect(both[0]!.chunk.id).toBe('zeit#0');
    expect(both[0]!.ranks).toEqual({ text: 1, vector: 1 });
  });

  it('returns only ready documents and intersects a document filter with them', async () => {
    const store = await reisStore();
    const search = createHybridSearch({ store });
    const ready = ['reis', 'zeit', 'auto'];
    const all = await search.search({ query: 'Wo wird Reis angebaut?', readyDocumentIds: ready });
    expect(all.some((result) => result.chunk.documentId === 'entwurf')).toBe(false);
    expect(all.length).toBeGreaterThan(0);

    const filtered = await search.search({ query: 'Reis Auto Sommerzeit', documentIds: ['auto', 'entwurf'], readyDocumentIds: ready });
    expect(filtered.map((result) => result.chunk.documentId)).toEqual(['auto']);
    expect(store.textQueries.at(-1)!.documentIds).toEqual(['auto']);

    expect(await search.search({ query: 'Reis', documentIds: ['entwurf'], readyDocumentIds: ready })).toEqual([]);
    expect(await search.search({ query: 'Reis', readyDocumentIds: [] })).toEqual([]);
  });

  it('de-duplicates overlapping chunks, keeping the better one', async () => {
    const store = await reisStore();
    const first = (await store.chunksOf('reis', [1]))[0]!;
    // A second, overlapping window over the same sentences (as a re-chunking might leave).
    await store.add([{ ...first, id: 'reis#window', ordinal: 9, text: first.text.slice(0, 38), charEnd: first.charStart + 38, sentenceOffsets: [0, 38] }]);
    const search = createHybridSearch({ store });
    const results = await search.search({ query: 'größte Anbaugebiet China Terrassen', limit: 5 });
    expect(results.map((result) => result.chunk.id)).toEqual(['reis#1']);
  });

  it('adds the neighbouring chunk when the hit sits at a chunk edge', async () => {
    const store = await reisStore();
    const search = createHybridSearch({ store });
    const results = await search.search({ query: 'Terrassen', limit: 1, neighbours: true });
    // "Terrassen" is in the last sentence of reis#1, so the next chunk follows it.
    expect(results.map((result) => result.chunk.id)).toEqual(['reis#1', 'reis#2']);
    expect(results[1]!.neighbourOf).toBe('reis#1');
    expect(results[1]!.ranks).toEqual({});
    const inner = await search.search({ query: 'Uhren vorgestellt', limit: 1, neighbours: true });
    expect(inner.map((result) => result.chunk.id)).toEqual(['zeit#0']); // no chunk after it
  });

  it('passes the expanded query to full-text search only', async () => {
    const store = await reisStore();
    const search = createHybridSearch({ store, expandTextQuery: (query) => `${query} sommerzeit` });
    const results = await search.search({ query: 'Sommerzeitumstellung', limit: 1 });
    expect(store.textQueries.at(-1)!.query).toBe('Sommerzeitumstellung sommerzeit');
    expect(results[0]!.chunk.id).toBe('zeit#0');
  });

  it('rejects bad input clearly', async () => {
    const store = await reisStore();
    expect(() => createHybridSearch({ store, weights: { text: -1 } })).toThrow(/weight of retriever 'text'/);
    await expect(createHybridSearch({ store }).search({ query: '  ' })).rejects.toThrow(/query is empty/);
    await expect(createHybridSearch({ store }).search({ query: 'Reis', limit: 0 })).rejects.toThrow(/limit/);
  });
});
