/**
 * Start-up reconciliation when the chunk store is shared (`BELEG_LANCEDB_URI`): a process that
 * starts must not delete chunks that another process is writing, although its own metadata does
 * not (yet) list their documents as ready. Without the setting, such chunks are removed as before
 * (tests/ingest-service.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';
import { sharedStoreChunks } from './helpers/shared-store-chunks.ts';

afterAll(removeTemporaryDirectories);

const HAUS = 'Das alte Haus am Marktplatz wurde im 19. Jahrhundert gebaut. Es gehört heute der Stadt Köln. Die Fassade ist aus rotem Backstein.';

describe('reconciliation on a shared chunk store', () => {
  it('keeps the chunks of documents another process is indexing, and says so', async () => {
    const lancedb = temporaryDirectory();
    const first = await openTestContext(testConfig(undefined, { BELEG_LANCEDB_URI: lancedb }));
    expect(first.store.indexMaintenance()).toMatchObject({ shared: true, maintainer: true });
    const ready = await first.ingestion.ingest({ kind: 'text', title: 'Marktplatz', text: HAUS });
    expect(ready.status).toBe('ready');
    // Chunks written, document not yet marked ready: what another process leaves mid-write.
    await first.store.add(sharedStoreChunks('being-indexed', 2));

    const second = await openTestContext(testConfig(undefined, { BELEG_LANCEDB_URI: lancedb }));
    expect(second.store.indexMaintenance()).toMatchObject({ shared: true, maintainer: false });
    expect(second.reconciled.removedChunkDocuments).toEqual([]);
    expect(new Set(second.reconciled.keptChunkDocuments)).toEqual(new Set([ready.id, 'being-indexed']));
    expect(await first.store.countChunks('being-indexed')).toBe(2);
    expect(await first.store.countChunks(ready.id)).toBe(ready.chunkCount);
    const hits = await first.store.searchText('Backstein', { limit: 3, documentIds: await first.ingestion.readyDocumentIds() });
    expect(hits.map((hit) => hit.chunk.documentId)).toEqual([ready.id]);
    await second.close();
    await first.close();
  });
});
