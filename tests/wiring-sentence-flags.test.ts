/**
 * Sentence block flags through the real app context: ingestion stores them with every chunk, and
 * a data directory from before them (no `sentence_flags` column, index settings without the
 * chunking) opens, is rebuilt once from the stored texts, and then carries them too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../src/app-context.ts';
import { SENTENCE_BLOCK_START, SENTENCE_HEADING, type StoredChunk } from '../src/store/chunk-store.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const SATZUNG = 'Vereinssatzung\n\n§ 2 Zweck\nZweck des Vereins ist der Sport. Er fördert die Jugend.\n\nDie Wiedereröffnung war 1990.';

/** Each sentence of the chunk as text with its flags: `|` block start, `H:` heading. */
function flagged(chunk: StoredChunk): string[] {
  const sentences: string[] = [];
  for (let index = 0; index < chunk.sentenceOffsets.length; index += 2) {
    const flags = chunk.sentenceFlags?.[index / 2] ?? 0;
    const text = chunk.text.slice(chunk.sentenceOffsets[index], chunk.sentenceOffsets[index + 1]);
    sentences.push(`${flags & SENTENCE_BLOCK_START ? '|' : ''}${flags & SENTENCE_HEADING ? 'H:' : ''}${text}`);
  }
  return sentences;
}

const EXPECTED = ['|H:Vereinssatzung', '|H:§ 2 Zweck', '|Zweck des Vereins ist der Sport.', 'Er fördert die Jugend.', '|Die Wiedereröffnung war 1990.'];

describe('sentence block flags in the chunk store', () => {
  it('are stored with the chunks at ingestion and read back by search', async () => {
    const context = await openTestContext();
    try {
      const document = await context.ingestion.ingest({ kind: 'text', title: 'Satzung', text: SATZUNG });
      const [chunk] = await context.store.chunksOf(document.id);
      expect(flagged(chunk!)).toEqual(EXPECTED);
      const [hit] = await context.search.search({ query: 'Zweck des Vereins', limit: 1 });
      expect(hit!.chunk.sentenceFlags).toEqual(chunk!.sentenceFlags);
    } finally {
      await context.close();
    }
  });

  it('a data directory from before the flags is rebuilt once, and its chunks then carry them', async () => {
    const dataDir = temporaryDirectory();
    const first = await openTestContext(testConfig(dataDir));
    const document = await first.ingestion.ingest({ kind: 'text', title: 'Satzung', text: SATZUNG });
    await first.close();

    // The old layout: no flags column, and settings that do not name the chunking.
    const directory = dataPaths(dataDir).lancedb;
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable('chunks');
    await table.dropColumns(['sentence_flags']);
    table.close();
    connection.close();
    const settingsFile = path.join(directory, 'beleg-index.json');
    const { chunking: _chunking, ...oldSettings } = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsFile, JSON.stringify(oldSettings));

    const reopened = await openTestContext(testConfig(dataDir));
    try {
      expect(reopened.reindexed).toEqual({ reason: expect.stringContaining("'sentences-v0'"), documents: 1 });
      const [chunk] = await reopened.store.chunksOf(document.id);
      expect(flagged(chunk!)).toEqual(EXPECTED);
      expect(await reopened.store.countChunks()).toBe(1);
    } finally {
      await reopened.close();
    }

    const again = await openTestContext(testConfig(dataDir));
    expect(again.reindexed).toBeNull();
    await again.close();
  });
});
