import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDocumentRepository, UploadFiles } from '../src/db/index.ts';
import { DataDirectoryLockedError } from '../src/db/data-directory-lock.ts';
import { NotFoundError, OverloadedError } from '../src/errors.ts';
import { sha256Of } from '../src/ingest/ingestion-service.ts';
import { LanceChunkStore } from '../src/store/index.ts';
import { dataPaths } from '../src/app-context.ts';
import { openTestContext, testConfig, webLoader } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const HAUS = 'Das alte Haus am Marktplatz wurde im 19. Jahrhundert gebaut. Es gehört heute der Stadt Köln. Die Fassade ist aus rotem Backstein.';
const BAHN = 'Die Straßenbahn fährt alle zehn Minuten zum Hauptbahnhof. Der Fahrpreis beträgt 2,80 Euro.';

describe('ingestion service', () => {
  it('indexes a text so that its chunks are stored verbatim and found by German full-text search', async () => {
    const context = await openTestContext();
    const document = await context.ingestion.ingest({ kind: 'text', title: 'Marktplatz', text: HAUS });
    expect(document).toMatchObject({ status: 'ready', sourceKind: 'text', title: 'Marktplatz', errorCode: null, sha256: sha256Of(new TextEncoder().encode(HAUS)) });
    expect(document.chunkCount).toBeGreaterThan(0);

    const text = await context.ingestion.text(document.id);
    expect(text).toBe(HAUS);
    const chunks = await context.store.chunksOf(document.id);
    expect(chunks.length).toBe(document.chunkCount);
    for (const chunk of chunks) {
      expect(text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
      for (let index = 0; index < chunk.sentenceOffsets.length; index += 2) {
        const sentence = chunk.text.slice(chunk.sentenceOffsets[index], chunk.sentenceOffsets[index + 1]);
        expect(sentence.length).toBeGreaterThan(0);
      }
    }

    const ready = await context.ingestion.readyDocumentIds();
    expect(ready).toEqual([document.id]);
    const hits = await context.store.searchText('Häuser', { limit: 3, documentIds: ready });
    expect(hits[0]?.chunk.documentId).toBe(document.id);
    expect((await context.ingestion.list()).total).toBe(1);
    await context.close();
  });

  it('keeps chunks invisible to the ready filters until the document is ready', async () => {
    const context = await openTestContext();
    const seenDuringWrite: { raw: string[]; readyIds: string[]; readyAmong: string[] }[] = [];
    const add = context.store.add.bind(context.store);
    context.store.add = async (rows) => {
      await add(rows);
      const raw = (await context.store.searchText('Straßenbahn', { limit: 5 })).map((hit) => hit.chunk.documentId);
      seenDuringWrite.push({ raw, readyIds: await context.ingestion.readyDocumentIds(), readyAmong: [...(await context.ingestion.readyAmong(raw))] });
    };
    const document = await context.ingestion.ingest({ kind: 'text', text: BAHN });
    expect(seenDuringWrite).toEqual([{ raw: [document.id], readyIds: [], readyAmong: [] }]);
    expect([...(await context.ingestion.readyAmong([document.id, 'unknown']))]).toEqual([document.id]);
    await context.close();
  });

  it('returns the existing document for identical content, also for parallel uploads, and removes a document from both stores', async () => {
    const context = await openTestContext();
    const bytes = new TextEncoder().encode(HAUS);
    const parallel = await Promise.all([
      context.ingestion.submit({ kind: 'file', fileName: 'haus.txt', bytes }),
      context.ingestion.submit({ kind: 'file', fileName: 'haus-kopie.txt', bytes }),
    ]);
    expect(parallel[1]!.id).toBe(parallel[0]!.id);
    const first = await context.ingestion.ingest({ kind: 'file', fileName: 'haus.txt', bytes });
    expect(first.id).toBe(parallel[0]!.id);
    const again = await context.ingestion.submit({ kind: 'text', text: HAUS, title: 'anders benannt' });
    expect(again.id).toBe(first.id);
    expect(again.status).toBe('ready');
    expect(await context.store.countChunks()).toBe(first.chunkCount);

    await context.ingestion.remove(first.id);
    await expect(context.ingestion.get(first.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(context.ingestion.text(first.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(context.ingestion.remove(first.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await context.store.countChunks()).toBe(0);
    expect(await context.store.searchText('Haus', { limit: 3 })).toEqual([]);
    await context.close();
  });

  it('gives a URL whose content changed a new version, retires the old chunks, and keeps unchanged content as is', async () => {
    const pages = new Map([['https://example.org/haus', HAUS]]);
    const context = await openTestContext(testConfig(), { load: webLoader(pages) });
    const first = await context.ingestion.ingest({ kind: 'url', url: 'https://example.org/haus' });
    expect(first).toMatchObject({ status: 'ready', version: 1, finalUrl: 'https://example.org/haus' });

    const unchanged = await context.ingestion.ingest({ kind: 'url', url: 'https://example.org/haus' });
    expect(unchanged.id).toBe(first.id);

    pages.set('https://example.org/haus', BAHN);
    const second = await context.ingestion.ingest({ kind: 'url', url: 'https://example.org/haus' });
    expect(second).toMatchObject({ status: 'ready', version: 2, supersedes: first.id });
    expect(await context.ingestion.readyDocumentIds()).toEqual([second.id]);
    expect(await context.store.documentIds()).toEqual([second.id]);
    expect(await context.store.searchText('Haus', { limit: 3 })).toEqual([]);
    expect((await context.store.searchText('Straßenbahn', { limit: 3 }))[0]?.chunk.documentId).toBe(second.id);
    // The old id still resolves, to the current version.
    expect((await context.ingestion.get(first.id)).id).toBe(second.id);
    expect((await context.ingestion.list()).total).toBe(1);
    await context.close();
  });

  it('marks a bad document failed with a code while its batch neighbours become ready', async () => {
    const context = await openTestContext();
    const [good, bad, other] = await Promise.all([
      context.ingestion.ingest({ kind: 'text', text: HAUS }),
      context.ingestion.ingest({ kind: 'text', text: '   \n\n  ' }),
      context.ingestion.ingest({ kind: 'text', text: BAHN }),
    ]);
    expect(good!.status).toBe('ready');
    expect(other!.status).toBe('ready');
    expect(bad).toMatchObject({ status: 'failed', errorCode: expect.stringMatching(/^[a-z_]+$/), chunkCount: 0 });
    expect(bad!.errorMessage).toBeTruthy();
    expect(await context.store.countChunks(bad!.id)).toBe(0);
    expect(new Set(await context.ingestion.readyDocumentIds())).toEqual(new Set([good!.id, other!.id]));
    await expect(context.ingestion.text(bad!.id)).rejects.toMatchObject({ code: 'document_not_ready' });
    await context.close();
  });

  it('refuses malformed input with a validation error and stores nothing', async () => {
    const context = await openTestContext();
    await expect(context.ingestion.submit({ kind: 'file', fileName: 'x.pdf', bytes: 'not bytes' } as never)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(context.ingestion.submit({ kind: 'url', url: 'kein link' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(context.ingestion.submit({ kind: 'audio' } as never)).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await context.ingestion.list()).total).toBe(0);
    await context.close();
  });

  it('returns a pending document at once and refuses work beyond the queue size', async () => {
    const context = await openTestContext(testConfig(undefined, { BELEG_INGEST_QUEUE_SIZE: '2' }));
    const submitted = await Promise.all([context.ingestion.submit({ kind: 'text', text: HAUS }), context.ingestion.submit({ kind: 'text', text: BAHN })]);
    expect(submitted.map((document) => document.status)).toEqual(['pending', 'pending']);
    await expect(context.ingestion.submit({ kind: 'text', text: 'Ein dritter Text über Bäume.' })).rejects.toBeInstanceOf(OverloadedError);
    await context.close();
  });

  it('leaves work cut short by close() to resume at the next start', async () => {
    const config = testConfig();
    const first = await openTestContext(config);
    const waiting = first.ingestion.ingest({ kind: 'text', text: HAUS });
    const submitted = await first.ingestion.submit({ kind: 'text', text: BAHN });
    await first.close();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    await expect(first.ingestion.submit({ kind: 'text', text: 'Noch einer.' })).rejects.toMatchObject({ code: 'cancelled' });

    const second = await openTestContext(config);
    expect(second.reconciled.resumed).toContain(submitted.id);
    expect(await second.ingestion.settled(submitted.id)).toMatchObject({ status: 'ready' });
    expect((await second.store.searchText('Straßenbahn', { limit: 1 }))[0]?.chunk.documentId).toBe(submitted.id);
    await second.close();
  });

  it('refuses a second process on the same data directory', async () => {
    const config = testConfig();
    const context = await openTestContext(config);
    await expect(openTestContext(config)).rejects.toBeInstanceOf(DataDirectoryLockedError);
    await context.close();
    const reopened = await openTestContext(config);
    await reopened.close();
  });
});

describe('start-up reconciliation', () => {
  it('removes orphan and partial chunks, resumes interrupted documents and fails those whose input is gone', async () => {
    const config = testConfig();
    const first = await openTestContext(config);
    const kept = await first.ingestion.ingest({ kind: 'text', text: HAUS });
    await first.close();

    // Simulate what a killed process leaves behind.
    const { openDatabase } = await import('../src/db/index.ts');
    const paths = dataPaths(config.dataDir);
    const database = openDatabase(paths.database);
    const repository = new SqliteDocumentRepository(database.db);
    const uploads = new UploadFiles(paths.uploads);
    const textBytes = new TextEncoder().encode(BAHN);
    const interrupted = await repository.createPending(
      { id: 'interrupted', sourceKind: 'text', sha256: sha256Of(textBytes), byteSize: textBytes.length },
      { inputKind: 'text', text: BAHN },
    );
    await repository.markIndexing([interrupted.id]);
    const fileBytes = new TextEncoder().encode('Der Bäcker backt Brötchen.');
    await uploads.save(sha256Of(fileBytes), fileBytes);
    await repository.createPending({ id: 'queued-file', sourceKind: 'file', fileName: 'baecker.txt', sha256: sha256Of(fileBytes) }, { inputKind: 'file', uploadSha256: sha256Of(fileBytes), fileName: 'baecker.txt' });
    const lostBytes = new TextEncoder().encode('Verlorener Text.');
    await repository.createPending({ id: 'lost', sourceKind: 'file', sha256: sha256Of(lostBytes) }, { inputKind: 'file', uploadSha256: sha256Of(lostBytes) });
    writeFileSync(path.join(paths.uploads, 'stale.tmp'), 'half written');
    database.close();
    const store = await LanceChunkStore.open({ directory: paths.lancedb });
    const stray = (documentId: string, ordinal: number) => ({
      id: `${documentId}:${ordinal}`, documentId, ordinal, text: 'Straßenbahn Fragment', charStart: 0, charEnd: 20, page: null, headingPath: null, tokenCount: 4, sentenceOffsets: [0, 20],
    });
    await store.add([stray('deleted-long-ago', 0), stray('interrupted', 0), stray('interrupted', 1)]);
    await store.close();

    const second = await openTestContext(config);
    expect(new Set(second.reconciled.resumed)).toEqual(new Set(['interrupted', 'queued-file']));
    expect(second.reconciled.failed).toEqual(['lost']);
    expect(second.reconciled.removedUploads).toBe(1);
    expect(new Set(second.reconciled.removedChunkDocuments)).toEqual(new Set(['deleted-long-ago', 'interrupted']));
    expect((await second.ingestion.get('lost'))).toMatchObject({ status: 'failed', errorCode: 'ingestion_interrupted' });

    // The resumed document becomes ready with exactly its own chunks, no leftovers.
    const resumed = await second.ingestion.ingest({ kind: 'text', text: BAHN });
    expect(resumed).toMatchObject({ id: 'interrupted', status: 'ready' });
    const chunks = await second.store.chunksOf('interrupted');
    expect(chunks.length).toBe(resumed.chunkCount);
    expect(chunks.every((chunk) => chunk.text !== 'Straßenbahn Fragment')).toBe(true);
    expect(await second.ingestion.settled('queued-file')).toMatchObject({ status: 'ready', fileName: 'baecker.txt' });
    expect((await second.store.searchText('Brötchen', { limit: 1 }))[0]?.chunk.documentId).toBe('queued-file');
    expect(new Set(await second.store.documentIds())).toEqual(new Set([kept.id, 'interrupted', 'queued-file']));
    // A finished job's upload is removed.
    expect(readdirSync(paths.uploads)).toEqual([]);
    await second.close();
  });

  it('rebuilds the chunks of ready documents from their stored text when LanceDB lost or duplicated them', async () => {
    const config = testConfig();
    const first = await openTestContext(config);
    const haus = await first.ingestion.ingest({ kind: 'text', text: HAUS });
    const bahn = await first.ingestion.ingest({ kind: 'text', text: BAHN });
    const originalChunks = await first.store.chunksOf(haus.id);
    await first.close();

    // A duplicate of one of BAHN's chunks, as a botched restore might leave.
    const paths = dataPaths(config.dataDir);
    const store = await LanceChunkStore.open({ directory: paths.lancedb });
    const [bahnChunk] = await store.chunksOf(bahn.id);
    await store.add([{ ...bahnChunk!, id: `${bahn.id}:copy` }]);
    await store.close();
    const second = await openTestContext(config);
    expect(second.reconciled.rebuild).toEqual([bahn.id]);
    expect(await second.store.countChunks(bahn.id)).toBe(bahn.chunkCount);
    await second.close();

    // The whole LanceDB directory gone.
    rmSync(paths.lancedb, { recursive: true, force: true });
    const third = await openTestContext(config);
    expect(new Set(third.reconciled.rebuild)).toEqual(new Set([haus.id, bahn.id]));
    expect(await third.store.chunksOf(haus.id)).toEqual(originalChunks);
    expect((await third.store.searchText('Straßenbahn', { limit: 3 }))[0]?.chunk.documentId).toBe(bahn.id);
    await third.close();
  });
});
