/**
 * The chunk table copy behind `beleg backup`, taken while a writer keeps adding, deleting and
 * optimizing (compaction, index updates): every copy is one committed version — each document's
 * chunks all there or none, since each document's chunks are one `add` — reads end to end, and
 * opens as a working chunk store.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChunkRow } from '../src/store/chunk-store.ts';
import { copyChunkDirectory, LanceChunkStore } from '../src/store/lancedb/index.ts';
import { LEGACY_CHUNKING } from '../src/store/lancedb/index-settings.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

/** Document `index` has `1 + index % 5` chunks, each with the document's word. */
const chunkCountOf = (index: number) => 1 + (index % 5);

function chunksOf(index: number): ChunkRow[] {
  return Array.from({ length: chunkCountOf(index) }, (_, ordinal) => {
    const text = `Bericht ${index}, Abschnitt ${ordinal}: das Wort wortnr${index} steht hier.`;
    return {
      id: `doc-${index}:${ordinal}`,
      documentId: `doc-${index}`,
      ordinal,
      text,
      charStart: ordinal * 100,
      charEnd: ordinal * 100 + text.length,
      page: null,
      headingPath: null,
      tokenCount: 12,
      sentenceOffsets: [0, text.length],
      vector: [1, index % 7, ordinal, 0.5],
    };
  });
}

describe('copying the chunk table beside a writer', () => {
  it('copies one committed version each time, whole and readable, while documents are added, deleted and optimized', { timeout: 120_000 }, async () => {
    const source = temporaryDirectory('beleg-chunk-copy-');
    const store = await LanceChunkStore.open({ directory: source, vectorDimension: 4, optimizeEvery: 3, embeddingModelId: 'test-model' });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await store.add(chunksOf(written));
        if (written % 4 === 3) await store.deleteDocuments([`doc-${written - 2}`]);
        written += 1;
      }
    })();
    try {
      const versions: number[] = [];
      for (let copyNumber = 0; copyNumber < 6; copyNumber += 1) {
        // Wait for the writer to commit more before each copy.
        const target = written + 3;
        while (written < target) await new Promise((resolve) => setImmediate(resolve));
        const copy = await copyChunkDirectory(source, path.join(temporaryDirectory('beleg-chunk-copy-target-'), 'lancedb'));
        expect(copy).not.toBeNull();
        versions.push(copy!.tableVersion);
        expect(copy!.settings).toEqual({ searchText: 'plain', embeddingModelId: 'test-model', chunking: LEGACY_CHUNKING });
        expect(copy!.chunksByDocument.size).toBeGreaterThan(0);
        for (const [documentId, count] of copy!.chunksByDocument) {
          expect(count, documentId).toBe(chunkCountOf(Number(documentId.slice('doc-'.length))));
        }
        expect(copy!.chunks).toBe([...copy!.chunksByDocument.values()].reduce((sum, count) => sum + count, 0));
      }
      expect(versions).toEqual([...versions].sort((left, right) => left - right));
      expect(new Set(versions).size).toBe(versions.length);
    } finally {
      writing = false;
      await writer;
    }

    // The last copy, opened as a store: searchable by text and by vector.
    const last = path.join(temporaryDirectory('beleg-chunk-copy-target-'), 'lancedb');
    const copy = (await copyChunkDirectory(source, last))!;
    await store.close();
    const opened = await LanceChunkStore.open({ directory: last, vectorDimension: 4, embeddingModelId: 'test-model' });
    try {
      expect(opened.reindexReason).toBeNull();
      const [someDocument] = [...copy.chunksByDocument.keys()];
      const word = `wortnr${someDocument!.slice('doc-'.length)}`;
      const hits = await opened.searchText(word, { limit: 10 });
      expect(new Set(hits.map((hit) => hit.chunk.documentId))).toEqual(new Set([someDocument]));
      expect(await opened.searchVector(new Float32Array([1, 0, 0, 0]), { limit: 3 })).toHaveLength(3);
      expect(await opened.countChunks()).toBe(copy.chunks);
    } finally {
      await opened.close();
    }
  });
});
