import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChunkRow } from '../chunk-store.ts';
import { LanceChunkStore } from './lancedb-chunk-store.ts';

const root = mkdtempSync(path.join(tmpdir(), 'beleg-lancedb-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function chunk(id: string, vector: number[] | null): ChunkRow {
  const text = `Text von ${id}.`;
  return { id, documentId: id, ordinal: 0, text, charStart: 0, charEnd: text.length, page: null, headingPath: null, tokenCount: 3, sentenceOffsets: [0, text.length], vector };
}

describe('LanceChunkStore.searchVector', () => {
  it('scores by cosine similarity even for vectors that are not unit length, and skips chunks without a vector', async () => {
    const store = await LanceChunkStore.open({ directory: path.join(root, 'cosine'), vectorDimension: 3 });
    await store.add([chunk('east', [2, 0, 0]), chunk('diagonal', [3, 4, 0]), chunk('none', null)]);
    const hits = await store.searchVector(new Float32Array([0, 5, 0]), { limit: 10 });
    expect(hits.map((hit) => hit.chunk.id)).toEqual(['diagonal', 'east']);
    expect(hits[0]!.score).toBeCloseTo(0.8, 5);
    expect(hits[1]!.score).toBeCloseTo(0, 5);
    const filtered = await store.searchVector(new Float32Array([0, 5, 0]), { limit: 10, documentIds: ['east', 'none'] });
    expect(filtered.map((hit) => hit.chunk.id)).toEqual(['east']);
    await store.close();
  });
});
