/**
 * One contract suite for the metadata repositories (src/db/metadata-repositories.ts), run against
 * both dialects: SQLite in a temporary file and PostgreSQL on a throwaway server started here
 * (tests/helpers/start-postgres.ts), a fresh database per test.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresMetadata, openSqliteMetadata, type MetadataDatabase, type ReadyDocument } from '../src/db/index.ts';
import { userMessage } from '../src/messages/index.ts';
import { startPostgres, type TestPostgres } from './helpers/start-postgres.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

let postgres: TestPostgres | undefined;
const opened: MetadataDatabase[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);

afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
});

afterAll(async () => {
  await postgres?.stop();
  removeTemporaryDirectories();
}, 60_000);

const dialects = {
  sqlite: async () => openSqliteMetadata(path.join(temporaryDirectory('beleg-contract-'), 'beleg.sqlite')),
  postgres: async () => openPostgresMetadata(await postgres!.createDatabase()),
} satisfies Record<MetadataDatabase['dialect'], () => Promise<MetadataDatabase>>;

const sha = (seed: string) => seed.repeat(64).slice(0, 64);

function ready(id: string, overrides: Partial<ReadyDocument> = {}): ReadyDocument {
  return {
    id,
    title: `Titel ${id}`,
    mimeType: 'text/plain',
    language: 'de',
    finalUrl: null,
    sha256: sha(id),
    byteSize: 10,
    pageCount: 2,
    chunkCount: 3,
    text: `Der Text von ${id}.`,
    pages: [
      { number: 1, charStart: 0, charEnd: 4 },
      { number: 2, charStart: 4, charEnd: 12, ocr: true, ocrConfidence: 0.9 },
    ],
    sections: [{ headingPath: ['Kapitel', 'Abschnitt'], charStart: 0, charEnd: 12 }],
    ...overrides,
  };
}

describe.each(Object.keys(dialects) as (keyof typeof dialects)[])('metadata repositories on %s', (dialect) => {
  async function open(): Promise<MetadataDatabase> {
    const database = await dialects[dialect]();
    opened.push(database);
    return database;
  }

  it('creates a pending document with its job, indexes it, and marks it ready with its text in one step', async () => {
    const { documents } = await open();
    const created = await documents.createPending(
      { id: 'a', sourceKind: 'file', fileName: 'brief.txt', sha256: sha('a'), byteSize: 10 },
      { inputKind: 'file', uploadSha256: sha('a'), fileName: 'brief.txt' },
    );
    expect(created).toMatchObject({ id: 'a', status: 'pending', version: 1, chunkCount: 0, errorUserMessage: null });
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await documents.job('a')).toMatchObject({ inputKind: 'file', uploadSha256: sha('a'), attempts: 0 });
    expect(await documents.uploadsInUse()).toEqual(new Set([sha('a')]));
    expect(await documents.uploadInUse(sha('a'), 'a')).toBe(false);
    expect(await documents.uploadInUse(sha('a'), 'other')).toBe(true);

    await documents.markIndexing(['a']);
    expect((await documents.find('a'))?.status).toBe('indexing');
    expect((await documents.job('a'))?.attempts).toBe(1);
    expect((await documents.interrupted()).map((entry) => [entry.document.id, entry.job?.attempts])).toEqual([['a', 1]]);

    const [outcome] = await documents.markReady([ready('a')]);
    expect(outcome).toMatchObject({ document: { id: 'a', status: 'ready', chunkCount: 3, pageCount: 2, title: 'Titel a' }, retiredId: null });
    expect(await documents.job('a')).toBeUndefined();
    expect(await documents.interrupted()).toEqual([]);
    expect(await documents.text('a')).toBe('Der Text von a.');
    expect(await documents.pages('a')).toEqual(ready('a').pages);
    expect(await documents.storedDocument('a')).toEqual({
      text: 'Der Text von a.',
      pages: ready('a').pages,
      sections: ready('a').sections,
      title: 'Titel a',
      mimeType: 'text/plain',
      language: 'de',
      finalUrl: null,
    });
    expect(await documents.readyIds()).toEqual(['a']);
    expect(await documents.readyAmong(['a', 'a', 'missing'])).toEqual(new Set(['a']));
    expect(await documents.readyChunkCounts()).toEqual(new Map([['a', 3]]));
    await documents.setChunkCount('a', 5);
    expect(await documents.readyChunkCounts()).toEqual(new Map([['a', 5]]));
    expect((await documents.findBySha256(sha('a')))?.id).toBe('a');
  });

  it('marks a document failed with its catalogue message, and retries it as pending with a fresh job', async () => {
    const { documents } = await open();
    await documents.createPending({ id: 'f', sourceKind: 'text', sha256: sha('f') }, { inputKind: 'text', text: 'Hallo.' });
    const failed = await documents.markFailed('f', userMessage('ingestion_interrupted'));
    expect(failed).toMatchObject({ status: 'failed', errorCode: expect.any(String) as string, errorUserMessage: { id: 'ingestion_interrupted' } });
    expect(failed?.errorMessage?.length).toBeGreaterThan(0);
    expect(await documents.job('f')).toBeUndefined();
    expect(await documents.markFailed('missing', userMessage('ingestion_interrupted'))).toBeUndefined();

    const retried = await documents.retry('f', { inputKind: 'text', text: 'Hallo wieder.' });
    expect(retried).toMatchObject({ id: 'f', status: 'pending', errorCode: null, errorMessage: null, errorUserMessage: null });
    expect(await documents.job('f')).toMatchObject({ text: 'Hallo wieder.', attempts: 0 });
  });

  it('prefers ready over in-progress over failed content by sha256, and merges a duplicate into the existing document', async () => {
    const { documents, collections } = await open();
    await collections.create('personal', 'Personal');
    await documents.createPending({ id: 'old', sourceKind: 'text', sha256: sha('x') }, { inputKind: 'text', text: 'x' });
    await documents.markFailed('old', userMessage('ingestion_interrupted'));
    await documents.createPending({ id: 'kept', sourceKind: 'text', sha256: sha('x') }, { inputKind: 'text', text: 'x' });
    expect((await documents.findBySha256(sha('x')))?.id).toBe('kept');
    await documents.markReady([ready('kept', { sha256: sha('x') })]);
    await collections.addDocument('kept', 'allgemein');

    await documents.createPending({ id: 'dup', sourceKind: 'url', url: 'https://example.org/a' }, { inputKind: 'url', url: 'https://example.org/a' });
    await collections.addDocument('dup', 'personal');
    await documents.mergeInto('dup', 'kept');
    expect((await documents.find('dup'))?.id).toBe('kept');
    expect(await collections.collectionsOf('kept')).toEqual(['allgemein', 'personal']);
    expect(await documents.job('dup')).toBeUndefined();
  });

  it('retires the superseded version of a URL when the new one is ready: aliased, memberships carried over', async () => {
    const { documents, collections } = await open();
    const url = 'https://example.org/seite';
    await documents.createPending({ id: 'v1', sourceKind: 'url', url }, { inputKind: 'url', url });
    await documents.markReady([ready('v1', { finalUrl: url })]);
    await collections.create('technik', 'Technik');
    await collections.addDocument('v1', 'technik');
    expect((await documents.latestVersionOfUrl(url))?.id).toBe('v1');

    await documents.createPending({ id: 'v2', sourceKind: 'url', url, version: 2, supersedes: 'v1' }, { inputKind: 'url', url });
    expect((await documents.latestVersionOfUrl(url))?.id).toBe('v2');
    const [outcome] = await documents.markReady([ready('v2', { finalUrl: url })]);
    expect(outcome?.retiredId).toBe('v1');
    expect((await documents.find('v1'))?.id).toBe('v2');
    expect(await collections.collectionsOf('v2')).toEqual(['technik']);
    expect(await documents.readyIds()).toEqual(['v2']);

    // A document removed while it was being indexed is not marked.
    await documents.createPending({ id: 'gone', sourceKind: 'text', sha256: sha('g') }, { inputKind: 'text', text: 'g' });
    await documents.remove('gone');
    expect(await documents.markReady([ready('gone')])).toEqual([null]);
  });

  it('links attachments in order, finds their mails, and removes a document with its text, job, aliases and links', async () => {
    const { documents, collections } = await open();
    for (const id of ['mail', 'second-mail', 'b-attachment', 'a-attachment']) {
      await documents.createPending({ id, sourceKind: 'file', sha256: sha(id), parentId: id.endsWith('attachment') ? 'mail' : null }, { inputKind: 'file', uploadSha256: sha(id) });
    }
    await documents.linkAttachment('mail', 'b-attachment', 'b.pdf');
    await documents.linkAttachment('mail', 'a-attachment', 'a.pdf');
    await documents.linkAttachment('mail', 'b-attachment', 'b.pdf');
    await documents.linkAttachment('second-mail', 'a-attachment', 'a.pdf');
    expect(await documents.attachmentIds('mail')).toEqual(['b-attachment', 'a-attachment']);
    expect(await documents.attachmentIdsOf(['mail', 'second-mail', 'b-attachment'])).toEqual(
      new Map([
        ['mail', ['b-attachment', 'a-attachment']],
        ['second-mail', ['a-attachment']],
      ]),
    );
    expect((await documents.parentIds('a-attachment')).sort()).toEqual(['mail', 'second-mail']);
    await documents.setParent('a-attachment', 'second-mail');
    expect((await documents.find('a-attachment'))?.parentId).toBe('second-mail');
    await collections.addDocument('mail', 'allgemein');
    await documents.markReady([ready('mail')]);

    expect(await documents.remove('mail')).toBe(true);
    expect(await documents.remove('mail')).toBe(false);
    expect(await documents.find('mail')).toBeUndefined();
    expect(await documents.text('mail')).toBeUndefined();
    expect(await documents.parentIds('a-attachment')).toEqual(['second-mail']);
    expect(await documents.attachmentIds('mail')).toEqual([]);
    expect((await collections.list()).find((collection) => collection.id === 'allgemein')?.documentCount).toBe(0);
    // A membership or link for a document that no longer exists is not recorded.
    await collections.addDocument('mail', 'allgemein');
    expect(await collections.collectionsOf('mail')).toEqual([]);
    await documents.linkAttachment('mail', 'b-attachment', 'b.pdf');
    expect(await documents.parentIds('b-attachment')).toEqual([]);
  });

  it('lists documents newest first with totals, by status and by collection', async () => {
    const { documents, collections } = await open();
    await collections.create('personal', 'Personal');
    // Created in this order: newest first is d3, d2, d1 (within one millisecond the id decides, descending).
    for (const id of ['d1', 'd2', 'd3']) await documents.createPending({ id, sourceKind: 'text', sha256: sha(id) }, { inputKind: 'text', text: id });
    await documents.markReady([ready('d1'), ready('d3')]);
    await collections.addDocument('d1', 'allgemein');
    await collections.addDocument('d2', 'personal');
    await collections.addDocument('d3', 'personal');
    await collections.addDocument('d3', 'allgemein');

    const all = await documents.list({ limit: 2, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.rows.map((row) => row.id)).toEqual(['d3', 'd2']);
    expect((await documents.list({ limit: 10, offset: 2 })).rows.map((row) => row.id)).toEqual(['d1']);
    expect((await documents.list({ limit: 10, offset: 0, status: 'ready' })).rows.map((row) => row.id)).toEqual(['d3', 'd1']);
    const personal = await documents.list({ limit: 10, offset: 0, collectionIds: ['personal'] });
    expect([personal.rows.map((row) => row.id), personal.total]).toEqual([['d3', 'd2'], 2]);
    const both = await documents.list({ limit: 10, offset: 0, status: 'ready', collectionIds: ['personal', 'allgemein'] });
    expect([both.rows.map((row) => row.id), both.total]).toEqual([['d3', 'd1'], 2]);
    expect(await documents.list({ limit: 10, offset: 0, collectionIds: [] })).toEqual({ rows: [], total: 0 });
  });

  it('keeps collections and memberships: counts, visibility, moves out, and refuses to delete a non-empty collection', async () => {
    const { documents, collections } = await open();
    expect((await collections.list()).map((collection) => collection.id)).toEqual(['allgemein']);
    expect(await collections.create('personal', 'Personal')).toBe(true);
    expect(await collections.create('personal', 'Nochmal')).toBe(false);
    expect(await collections.rename('personal', 'Personalabteilung')).toBe(true);
    expect(await collections.rename('missing', 'x')).toBe(false);
    expect(await collections.find('personal')).toMatchObject({ id: 'personal', name: 'Personalabteilung' });
    await collections.create('leer', 'Leer');

    for (const id of ['p1', 'p2']) await documents.createPending({ id, sourceKind: 'text', sha256: sha(id) }, { inputKind: 'text', text: id });
    await documents.markReady([ready('p1')]);
    await collections.addDocument('p1', 'personal');
    await collections.addDocument('p1', 'personal');
    await collections.addDocument('p2', 'personal');
    await collections.copyMemberships('p1', 'p2');
    await collections.addDocument('p2', 'allgemein');

    // Ordered by bytes in both dialects (PostgreSQL: collate "C", whatever the database's collation; the test server is C.UTF-8).
    await collections.create('a-c', 'A-C');
    await collections.create('ab', 'AB');
    expect((await collections.list()).map((collection) => collection.id)).toEqual(['a-c', 'ab', 'allgemein', 'leer', 'personal']);
    await collections.addDocument('p1', 'ab');
    await collections.addDocument('p1', 'a-c');
    expect(await collections.collectionsOf('p1')).toEqual(['a-c', 'ab', 'personal']);
    await collections.removeDocument('p1', ['a-c', 'ab']);
    await collections.remove('a-c');
    await collections.remove('ab');
    expect(await collections.list(['personal', 'leer'])).toEqual([
      { id: 'leer', name: 'Leer', createdAt: expect.any(String) as string, documentCount: 0 },
      { id: 'personal', name: 'Personalabteilung', createdAt: expect.any(String) as string, documentCount: 2 },
    ]);
    expect(await collections.collectionsOfMany(['p1', 'p2', 'none'])).toEqual(
      new Map([
        ['p1', ['personal']],
        ['p2', ['allgemein', 'personal']],
      ]),
    );
    expect(await collections.isVisible('p1', '*')).toBe(true);
    expect(await collections.isVisible('p1', ['allgemein'])).toBe(false);
    expect(await collections.isVisible('p1', ['allgemein', 'personal'])).toBe(true);
    expect(await collections.isVisible('p1', [])).toBe(false);
    expect(await collections.visibleReadyAmong(['p1', 'p2'], ['personal'])).toEqual(new Set(['p1']));
    expect(await collections.visibleReadyAmong(['p1', 'p2'], '*')).toEqual(new Set(['p1']));
    expect(await collections.visibleReadyAmong(['p1'], [])).toEqual(new Set());
    expect(await collections.readyIdsIn(['personal'])).toEqual(['p1']);
    expect(await collections.readyIdsIn(['allgemein'])).toEqual([]);
    expect(await collections.readyIdsIn([])).toEqual([]);

    await collections.create('finanzen', 'Finanzen');
    await collections.moveDocument('p2', ['allgemein'], 'finanzen');
    expect(await collections.collectionsOf('p2')).toEqual(['finanzen', 'personal']);
    await collections.moveDocument('p2', '*', 'personal');
    expect(await collections.collectionsOf('p2')).toEqual(['personal']);
    expect(await collections.remove('finanzen')).toBe('deleted');

    expect(await collections.remove('personal')).toBe('not_empty');
    expect(await collections.remove('missing')).toBe('missing');
    expect(await collections.remove('leer')).toBe('deleted');
    await collections.addDocument('p2', 'allgemein');
    expect(await collections.removeDocument('p2', ['personal'])).toBe(1);
    expect(await collections.removeDocument('p1', ['personal'])).toBe(0);
    expect(await collections.removeDocument('p2', [])).toBe(1);
    expect(await collections.remove('personal')).toBe('deleted');
    expect((await collections.list()).map((collection) => collection.id)).toEqual(['allgemein']);
  });

  it('stores API keys by the hash of their secret: find, rotate, revoke', async () => {
    const { apiKeys } = await open();
    const { key, secret } = await apiKeys.create({ name: 'Empfang', role: 'read', collections: ['allgemein'] });
    expect(secret).toMatch(/^blg_/);
    expect(key).toMatchObject({ name: 'Empfang', role: 'read', collections: ['allgemein'], rotatedAt: null, revokedAt: null });
    expect(key).not.toHaveProperty('secretSha256');
    await apiKeys.create({ name: 'Admin', role: 'admin', collections: ['*'] });
    expect((await apiKeys.findBySecret(secret))?.id).toBe(key.id);
    expect(await apiKeys.findBySecret('blg_falsch')).toBeUndefined();
    expect(await apiKeys.activeCount()).toBe(2);

    const rotated = await apiKeys.rotate(key.id);
    expect(rotated?.secret).not.toBe(secret);
    expect(await apiKeys.findBySecret(secret)).toBeUndefined();
    expect((await apiKeys.findBySecret(rotated!.secret))?.rotatedAt).not.toBeNull();

    expect(await apiKeys.revoke(key.id)).toBe(true);
    expect(await apiKeys.revoke(key.id)).toBe(false);
    expect(await apiKeys.rotate(key.id)).toBeUndefined();
    expect(await apiKeys.findBySecret(rotated!.secret)).toBeUndefined();
    expect(await apiKeys.activeCount()).toBe(1);
    // Oldest first; two keys made within one millisecond may come in either order, so compare by name.
    const listed = (await apiKeys.list()).map((entry) => [entry.name, entry.revokedAt !== null]).sort();
    expect(listed).toEqual([
      ['Admin', false],
      ['Empfang', true],
    ]);
  });

  it('writes the audit log newest first, filters it, and prunes entries older than the retention', async () => {
    const database = await open();
    const audit = database.audit(30);
    const before = new Date().toISOString();
    await audit.record({ actor: 'key-1', action: 'upload', documentId: 'd', question: null, collectionIds: ['allgemein'], citedDocumentIds: null });
    await audit.record({ actor: 'key-2', action: 'ask', documentId: null, question: 'Wo ist der Schlüssel?', collectionIds: ['*'], citedDocumentIds: ['d'] });
    const events = await audit.list({ limit: 10, offset: 0 });
    expect(events.map((event) => [event.actor, event.action, event.question, event.citedDocumentIds])).toEqual([
      ['key-2', 'ask', 'Wo ist der Schlüssel?', ['d']],
      ['key-1', 'upload', null, null],
    ]);
    expect(events[0]!.at >= before).toBe(true);
    expect((await audit.list({ limit: 10, offset: 0, actor: 'key-1' })).map((event) => event.action)).toEqual(['upload']);
    expect((await audit.list({ limit: 10, offset: 0, action: 'ask' })).map((event) => event.actor)).toEqual(['key-2']);
    expect(await audit.list({ limit: 10, offset: 0, since: '2999-01-01T00:00:00.000Z' })).toEqual([]);
    expect((await audit.list({ limit: 1, offset: 1 })).map((event) => event.actor)).toEqual(['key-1']);

    const day = 86_400_000;
    expect(await database.audit(0).prune(new Date(Date.now() + 1000 * day))).toBe(0);
    expect(await audit.prune(new Date(Date.now() + 29 * day))).toBe(0);
    expect(await audit.prune(new Date(Date.now() + 31 * day))).toBe(2);
    expect(await audit.list({ limit: 10, offset: 0 })).toEqual([]);
  });
});
