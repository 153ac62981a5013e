/**
 * German compound parts in the index and the query, through the real app context: the chunk
 * store's search column carries each chunk's compound parts, queries are expanded the same way,
 * and the stored chunk text (offsets, quotes) stays verbatim. A data directory created before the
 * search column existed is rebuilt on open and keeps working.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../src/app-context.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const RICE = 'Das größte Reisanbaugebiet der Welt liegt in China.';
const ANBAU = 'Im Gebiet am Fluss ist der Anbau von Reis seit Jahrhunderten verbreitet.';
const OTHER = 'Die Brücke über den Neckar ist hundert Meter lang.';

describe('decompounding in index and query', () => {
  it('finds a compound from its parts and the parts from a compound, and keeps the chunk text verbatim', async () => {
    const context = await openTestContext();
    try {
      const rice = await context.ingestion.ingest({ kind: 'text', title: 'Reis', text: RICE });
      const anbau = await context.ingestion.ingest({ kind: 'text', title: 'Anbau', text: ANBAU });
      await context.ingestion.ingest({ kind: 'text', title: 'Brücke', text: OTHER });

      // The question uses the parts; only the indexed parts of "Reisanbaugebiet" can match.
      const fromParts = await context.search.search({ query: 'Wo ist das Gebiet für den Anbau?', limit: 3 });
      expect(fromParts.map((hit) => hit.chunk.documentId)).toContain(rice.id);
      // The question uses the compound; its expanded parts meet the plain words.
      const fromCompound = await context.search.search({ query: 'Reisanbaugebiet', limit: 3 });
      expect(fromCompound.map((hit) => hit.chunk.documentId).sort()).toEqual([rice.id, anbau.id].sort());

      const [chunk] = await context.store.chunksOf(rice.id);
      expect(chunk!.text).toBe(RICE);
      expect(RICE.slice(chunk!.charStart, chunk!.charEnd)).toBe(chunk!.text);
    } finally {
      await context.close();
    }
  });

  it('rebuilds a data directory from before the search column, which then finds compounds by their parts', async () => {
    const dataDir = temporaryDirectory();
    const first = await openTestContext(testConfig(dataDir));
    const rice = await first.ingestion.ingest({ kind: 'text', title: 'Reis', text: RICE });
    await first.close();

    // Turn the table into the old layout: no search column, the index on `text`, no settings file.
    const directory = dataPaths(dataDir).lancedb;
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable('chunks');
    await table.dropIndex('search_text_idx');
    await table.dropColumns(['search_text']);
    await table.createIndex('text', { config: lancedb.Index.fts({ language: 'German', stem: true, removeStopWords: true, asciiFolding: true }), name: 'text_idx' });
    table.close();
    connection.close();
    rmSync(path.join(directory, 'beleg-index.json'));

    const reopened = await openTestContext(testConfig(dataDir));
    try {
      expect(reopened.reindexed).toEqual({ reason: expect.stringContaining("'plain'"), documents: 1 });
      expect(existsSync(path.join(directory, 'beleg-index.json'))).toBe(true);
      const hits = await reopened.search.search({ query: 'Wo ist das Gebiet für den Anbau?', limit: 3 });
      expect(hits.map((hit) => hit.chunk.documentId)).toEqual([rice.id]);
      expect(hits[0]!.chunk.text).toBe(RICE);
      expect(await reopened.store.countChunks()).toBe(1);
    } finally {
      await reopened.close();
    }

    // The next start finds the table current and rebuilds nothing.
    const again = await openTestContext(testConfig(dataDir));
    expect(again.reindexed).toBeNull();
    await again.close();
  });
});
