import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChunkRow } from '../src/store/chunk-store.ts';
import { LanceChunkStore, VectorSearchUnavailableError } from '../src/store/index.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

function chunk(documentId: string, ordinal: number, text: string, vector?: number[]): ChunkRow {
  return {
    id: `${documentId}-${ordinal}`,
    documentId,
    ordinal,
    text,
    charStart: ordinal * 100,
    charEnd: ordinal * 100 + text.length,
    page: null,
    headingPath: ordinal === 0 ? 'Kapitel 1 > Anbau' : null,
    tokenCount: text.split(' ').length,
    sentenceOffsets: [0, text.length],
    vector,
  };
}

async function openStore(vectorDimension: number | null = null, directory = path.join(temporaryDirectory(), 'lancedb')) {
  return LanceChunkStore.open({ directory, vectorDimension });
}

describe('LanceDB chunk store', () => {
  it('finds German words by stem and without umlauts, and rows added after the index was built', async () => {
    const store = await openStore();
    await store.add([chunk('haus', 0, 'Das alte Haus steht am Fluss.'), chunk('haus', 1, 'Im Garten wachsen Tomaten.')]);
    expect((await store.searchText('Häuser', { limit: 5 })).map((hit) => hit.chunk.id)).toEqual(['haus-0']);

    // Added after the full-text index exists and before any optimize: must still be found.
    await store.add([chunk('bahn', 0, 'Die Straßenbahn fährt durch die Städte.')]);
    expect(await store.unindexedRows()).toBe(1);
    expect((await store.searchText('Strassenbahn', { limit: 5 })).map((hit) => hit.chunk.id)).toEqual(['bahn-0']);
    expect((await store.searchText('Stadt', { limit: 5 })).map((hit) => hit.chunk.id)).toEqual(['bahn-0']);

    await store.optimize();
    expect(await store.unindexedRows()).toBe(0);
    expect((await store.searchText('Städte', { limit: 5 })).map((hit) => hit.chunk.id)).toEqual(['bahn-0']);
    await store.close();
  });

  it('finds a chunk added after the index that names the query term three times (LanceDB 0.31 misses it in its flat pass)', async () => {
    const store = await openStore();
    await store.add([chunk('hausordnung', 0, 'Hausordnung. Die Haustür wird um 22 Uhr abgeschlossen.')]);
    const bescheid = 'Das Wohngeld beträgt 287,00 Euro. Die Nachzahlung beträgt 287,00 Euro. Die Miete beträgt 642,50 Euro im Monat.';
    await store.add([chunk('bescheid', 0, bescheid)]);
    expect((await store.searchText('Euro', { limit: 5 })).map((hit) => hit.chunk.id)).toEqual(['bescheid-0']);
    expect((await store.searchText('Miete Euro', { limit: 5, documentIds: ['bescheid', 'hausordnung'] })).map((hit) => hit.chunk.id)).toEqual(['bescheid-0']);
    expect(await store.unindexedRows()).toBe(0);
    await store.close();
  });

  it('returns chunks with all their fields and restricts search to the given documents', async () => {
    const store = await openStore();
    await store.add([chunk('a', 0, 'Der Rhein fließt durch Köln.'), chunk('a', 1, 'Köln hat einen Dom.'), chunk('b', 0, 'Köln liegt am Rhein.')]);
    const hits = await store.searchText('Köln', { limit: 10, documentIds: ['b'] });
    expect(hits.map((hit) => hit.chunk)).toEqual([
      { id: 'b-0', documentId: 'b', ordinal: 0, text: 'Köln liegt am Rhein.', charStart: 0, charEnd: 20, page: null, headingPath: 'Kapitel 1 > Anbau', tokenCount: 4, sentenceOffsets: [0, 20] },
    ]);
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(await store.searchText('Köln', { limit: 10, documentIds: [] })).toEqual([]);
    expect((await store.searchText('Köln', { limit: 10 })).length).toBe(3);
    // Query text with quotes and operators is searched, not parsed.
    expect((await store.searchText("Köln's \"Dom\" AND (OR", { limit: 10 })).map((hit) => hit.chunk.id)).toContain('a-1');

    expect((await store.chunksOf('a')).map((stored) => stored.ordinal)).toEqual([0, 1]);
    expect((await store.chunksOf('a', [1])).map((stored) => stored.text)).toEqual(['Köln hat einen Dom.']);
    expect((await store.documentIds()).sort()).toEqual(['a', 'b']);
    expect(await store.countChunks()).toBe(3);
    expect(await store.countChunks('a')).toBe(2);

    await store.deleteDocuments(['a']);
    expect(await store.documentIds()).toEqual(['b']);
    expect((await store.searchText('Dom', { limit: 10 })).length).toBe(0);
    await store.close();
  });

  it('keeps chunks across reopen and handles ids with quotes', async () => {
    const directory = path.join(temporaryDirectory(), 'lancedb');
    const first = await openStore(null, directory);
    await first.add([chunk("o'brien", 0, 'Ein Text über Zitate.')]);
    await first.close();
    const second = await openStore(null, directory);
    expect(await second.countChunks("o'brien")).toBe(1);
    expect((await second.searchText('Zitate', { limit: 1 }))[0]!.chunk.documentId).toBe("o'brien");
    await second.deleteDocuments(["o'brien"]);
    expect(await second.countChunks()).toBe(0);
    await second.close();
  });

  it('searches vectors when a dimension is configured, skipping chunks without one', async () => {
    const directory = path.join(temporaryDirectory(), 'lancedb');
    const lexical = await openStore(null, directory);
    await lexical.add([chunk('old', 0, 'Ohne Vektor geschrieben.')]);
    await expect(lexical.searchVector(new Float32Array([1, 0, 0]), { limit: 3 })).rejects.toBeInstanceOf(VectorSearchUnavailableError);
    await lexical.close();

    const store = await openStore(3, directory);
    await store.add([chunk('x', 0, 'Nach Osten.', [1, 0, 0]), chunk('y', 0, 'Nach Norden.', [0, 1, 0])]);
    const hits = await store.searchVector(new Float32Array([0.9, 0.1, 0]), { limit: 5 });
    expect(hits.map((hit) => hit.chunk.id)).toEqual(['x-0', 'y-0']);
    expect(hits[0]!.score).toBeGreaterThan(0.9);
    expect((await store.searchVector(new Float32Array([0.9, 0.1, 0]), { limit: 5, documentIds: ['y'] })).map((hit) => hit.chunk.id)).toEqual(['y-0']);
    await expect(store.add([chunk('z', 0, 'Falsch.', [1, 0])])).rejects.toThrow(/3/);
    // The lexical chunk is still there and searchable.
    expect((await store.searchText('Vektor', { limit: 1 }))[0]!.chunk.id).toBe('old-0');
    await store.close();
  });
});

describe('LanceDB chunk store: collections on chunks', () => {
  const inCollections = (row: ChunkRow, collections: string[]): ChunkRow => ({ ...row, collections });

  it('filters text and vector search by collection inside the query, follows changes, and reports the collections', async () => {
    const store = await openStore(2);
    await store.add([
      inCollections(chunk('personal-doc', 0, 'Der Tresorcode lautet 4711.', [1, 0]), ['personal']),
      inCollections(chunk('technik-doc', 0, 'Der Tresorcode lautet 0815.', [1, 0.1]), ['technik']),
      inCollections(chunk('shared-doc', 0, 'Der Tresorcode steht im Handbuch.', [1, 0.2]), ['personal', 'finanzen']),
    ]);
    const textIds = async (collectionIds?: string[]) => (await store.searchText('Tresorcode', { limit: 10, collectionIds })).map((hit) => hit.chunk.documentId).sort();
    const vectorIds = async (collectionIds?: string[]) =>
      (await store.searchVector(new Float32Array([1, 0]), { limit: 10, collectionIds })).map((hit) => hit.chunk.documentId).sort();
    expect(await textIds()).toEqual(['personal-doc', 'shared-doc', 'technik-doc']);
    expect(await textIds(['personal'])).toEqual(['personal-doc', 'shared-doc']);
    expect(await vectorIds(['personal'])).toEqual(['personal-doc', 'shared-doc']);
    expect(await textIds(['technik', 'finanzen'])).toEqual(['shared-doc', 'technik-doc']);
    expect(await textIds(['unbekannt'])).toEqual([]);
    expect(await textIds([])).toEqual([]);
    // Collection and document filters together: the intersection.
    expect((await store.searchText('Tresorcode', { limit: 10, collectionIds: ['personal'], documentIds: ['technik-doc', 'shared-doc'] })).map((hit) => hit.chunk.documentId)).toEqual([
      'shared-doc',
    ]);

    // The technik document moves to personal; the shared one leaves every collection.
    await store.setCollections(new Map([['technik-doc', ['personal']], ['shared-doc', []]]));
    expect(await textIds(['personal'])).toEqual(['personal-doc', 'technik-doc']);
    expect(await textIds(['technik'])).toEqual([]);
    expect(await vectorIds(['finanzen'])).toEqual([]);
    await store.optimize();
    expect(await textIds(['personal'])).toEqual(['personal-doc', 'technik-doc']);
    expect(await store.collectionsByDocument()).toEqual(
      new Map([
        ['personal-doc', ['personal']],
        ['technik-doc', ['personal']],
        ['shared-doc', []],
      ]),
    );
    await store.close();
  });
});

describe('LanceDB chunk store: vector index', () => {
  // Clustered vectors (like real embeddings): 8 directions, each chunk near one of them.
  function clusteredVector(seed: number, dimension: number): number[] {
    const center = seed % 8;
    return Array.from({ length: dimension }, (_, index) => (index % 8 === center ? 1 : 0) + Math.sin(seed * 12.9898 + index * 78.233) * 0.05);
  }
  const dimension = 16;
  const rows = (from: number, count: number) =>
    Array.from({ length: count }, (_, offset) => chunk(`doc-${from + offset}`, 0, `Abschnitt ${from + offset}`, clusteredVector(from + offset, dimension)));

  it('builds an ANN index once the table reaches the threshold, keeps new rows searchable and folds them in on optimize', async () => {
    const store = await LanceChunkStore.open({ directory: path.join(temporaryDirectory(), 'lancedb'), vectorDimension: dimension, vectorIndexMinRows: 600 });
    await store.add(rows(0, 500));
    await store.optimize();
    expect(await store.vectorIndex()).toBeNull(); // below the threshold: exact search

    await store.add(rows(500, 200));
    await store.optimize();
    expect(await store.vectorIndex()).toEqual({ indexedRows: 700, unindexedRows: 0 });
    const query = new Float32Array(clusteredVector(123, dimension));
    const hits = await store.searchVector(query, { limit: 10 });
    expect(hits).toHaveLength(10);
    // Every hit comes from the query's cluster (the index keeps the neighbourhood).
    expect(hits.every((hit) => Number(hit.chunk.documentId.slice(4)) % 8 === 123 % 8)).toBe(true);

    // A row added after the index was built is found before any optimize (flat search of the rest).
    const late = chunk('late', 0, 'Nachzügler', Array.from({ length: dimension }, (_, index) => (index === 3 ? -1 : 0)));
    await store.add([late]);
    expect(await store.vectorIndex()).toEqual({ indexedRows: 700, unindexedRows: 1 });
    expect((await store.searchVector(new Float32Array(late.vector!), { limit: 1 }))[0]!.chunk.id).toBe('late-0');
    await store.optimize();
    expect(await store.vectorIndex()).toEqual({ indexedRows: 701, unindexedRows: 0 });
    expect((await store.searchVector(new Float32Array(late.vector!), { limit: 1 }))[0]!.chunk.id).toBe('late-0');
    await store.close();
  });

  it('refuses to build a vector index without an embedding model', async () => {
    const store = await openStore(null);
    await expect(store.buildVectorIndex()).rejects.toThrow(VectorSearchUnavailableError);
    await store.close();
  });
});
