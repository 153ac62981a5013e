import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxEmbeddingModel } from '../src/engine/embedding/onnx-embedding-model.ts';
import { LanceChunkStore } from '../src/store/lancedb/index.ts';
import type { ChunkRow } from '../src/store/chunk-store.ts';
import { createHybridSearch } from '../src/retrieve/hybrid-search.ts';
import { buildGroundedPrompt, type PromptDocument } from '../src/retrieve/build-prompt.ts';
import { GermanDecompounder } from '../src/retrieve/decompound.ts';
import { writeTinyBert } from './helpers/tiny-bert.ts';

const documents: Record<string, { text: string; chunks: string[][]; metadata: PromptDocument }> = {
  reis: {
    text: 'Reis ist ein Getreide. Er braucht viel Wasser.\n\nDas größte Reisanbaugebiet liegt in China. Dort wächst er auf Terrassen.\n\nDie Ernte beginnt im Herbst.',
    chunks: [
      ['Reis ist ein Getreide.', 'Er braucht viel Wasser.'],
      ['Das größte Reisanbaugebiet liegt in China.', 'Dort wächst er auf Terrassen.'],
      ['Die Ernte beginnt im Herbst.'],
    ],
    metadata: { id: 'reis', title: 'Reis', url: null, fileName: 'reis.pdf' },
  },
  haus: {
    text: 'Die Häuser am Rhein sind alt. Viele wurden im Krieg zerstört.',
    chunks: [['Die Häuser am Rhein sind alt.', 'Viele wurden im Krieg zerstört.']],
    metadata: { id: 'haus', title: null, url: 'https://example.org/rhein', fileName: null },
  },
  zeit: {
    text: 'Die Sommerzeit beginnt im März. Dann werden die Uhren vorgestellt.',
    chunks: [['Die Sommerzeit beginnt im März.', 'Dann werden die Uhren vorgestellt.']],
    metadata: { id: 'zeit', title: 'Zeitumstellung', url: null, fileName: 'zeit.txt' },
  },
};

function rowsOf(documentId: string): ChunkRow[] {
  const { text, chunks } = documents[documentId]!;
  let searchFrom = 0;
  return chunks.map((sentences, ordinal) => {
    const charStart = text.indexOf(sentences[0]!, searchFrom);
    const offsets: number[] = [];
    let position = charStart;
    for (const sentence of sentences) {
      const start = text.indexOf(sentence, position);
      offsets.push(start - charStart, start - charStart + sentence.length);
      position = start + sentence.length;
    }
    searchFrom = position;
    return {
      id: `${documentId}#${ordinal}`,
      documentId,
      ordinal,
      text: text.slice(charStart, position),
      charStart,
      charEnd: position,
      page: documentId === 'reis' ? 1 : null,
      headingPath: null,
      tokenCount: 0,
      sentenceOffsets: offsets,
    };
  });
}

describe('hybrid search on the LanceDB chunk store', () => {
  let root: string;
  let store: LanceChunkStore;
  let model: OnnxEmbeddingModel;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'beleg-retrieve-lancedb-'));
    writeTinyBert(path.join(root, 'tiny-bert'));
    model = await OnnxEmbeddingModel.load({ directory: path.join(root, 'tiny-bert'), intraOpThreads: 1 });
    store = await LanceChunkStore.open({ directory: path.join(root, 'lancedb'), vectorDimension: model.dimensions });
    for (const documentId of Object.keys(documents)) {
      const rows = rowsOf(documentId);
      const vectors = await model.embedDocuments(rows.map((row) => row.text));
      await store.add(rows.map((row, index) => ({ ...row, vector: vectors[index] })));
    }
  });
  afterAll(async () => {
    await store?.close();
    await model?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('finds German inflections through the store\'s stemming, lexical only', async () => {
    const search = createHybridSearch({ store });
    const results = await search.search({ query: 'Wie alt ist das Haus am Rhein?', limit: 3 });
    expect(results[0]!.chunk.id).toBe('haus#0');
    expect(results[0]!.ranks.text).toBe(1);
    expect(results[0]!.ranks.vector).toBeUndefined();
  });

  it('fuses vector and text ranks with an embedding model', async () => {
    const search = createHybridSearch({ store, embeddingModel: model });
    // The exact chunk text as query: cosine similarity 1 puts it first in vector search too.
    const results = await search.search({ query: 'Die Ernte beginnt im Herbst.', limit: 5 });
    expect(results[0]!.chunk.id).toBe('reis#2');
    expect(results[0]!.ranks).toEqual({ text: 1, vector: 1 });
    expect(results[0]!.scores.vector).toBeCloseTo(1, 4);
    expect(results.some((result) => result.ranks.text === undefined && result.ranks.vector !== undefined)).toBe(true);
  });

  it('searches only ready documents within the chosen ones', async () => {
    const search = createHybridSearch({ store, embeddingModel: model });
    const results = await search.search({ query: 'Wann beginnt die Sommerzeit?', documentIds: ['zeit', 'reis'], readyDocumentIds: ['reis', 'haus'] });
    expect(new Set(results.map((result) => result.chunk.documentId))).toEqual(new Set(['reis']));
    const none = await search.search({ query: 'Sommerzeit', documentIds: ['zeit'], readyDocumentIds: ['reis'] });
    expect(none).toEqual([]);
  });

  it('adds the neighbour at a chunk edge and builds a prompt whose quotes map to the stored text', async () => {
    const search = createHybridSearch({ store, expandTextQuery: (query) => GermanDecompounder.load().expand(query) });
    const results = await search.search({ query: 'Wo wächst Reis auf Terrassen?', limit: 1, neighbours: true });
    // Query terms in the first sentence ("Reis…") and the last ("Terrassen"): both neighbours join.
    expect(results.map((result) => result.chunk.id)).toEqual(['reis#1', 'reis#0', 'reis#2']);
    expect(results[1]!.neighbourOf).toBe('reis#1');

    const prompt = buildGroundedPrompt({
      question: 'Wo wächst Reis auf Terrassen?',
      chunks: results.map((result) => ({ chunk: result.chunk, document: documents[result.chunk.documentId]!.metadata })),
    });
    expect(prompt.sources).toHaveLength(1);
    expect(prompt.sources[0]!.metadata).toBe('Datei: reis.pdf\nSeite: 1');
    const source = prompt.sources[0]!;
    expect(source.sentences).toHaveLength(5);
    const quote = prompt.mapToStored(0, source.sentences[2]!.start, source.sentences[3]!.end);
    expect(documents.reis!.text.slice(quote.charStart, quote.charEnd)).toBe('Das größte Reisanbaugebiet liegt in China. Dort wächst er auf Terrassen.');
  });
});
