/**
 * Moving a document between collections: over HTTP with scoped keys (who may move what where, and
 * that answers follow the move at once), a mail's attachments moving with it, and start-up repair
 * of chunks whose collections differ from SQLite's (a crash between the two writes).
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { dataPaths } from '../src/data-paths.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/extractive-language-model.ts';
import { LanceChunkStore } from '../src/store/index.ts';
import { startRealApp } from './helpers/start-real-app.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const ADMIN_KEY = 'admin-key-move-0123456789';
const QUESTION = 'Wann wird die Turnhalle saniert?';
const FACT = 'Die Turnhalle wird im Sommer 2027 saniert. Der Unterricht findet dann im Gemeindesaal statt.';

it('moves a document between collections for a key that may use both; answers follow the move at once', async () => {
  const app = await startRealApp('beleg-move-', { BELEG_API_KEYS: ADMIN_KEY, BELEG_MIN_CONFIDENCE: '0', BELEG_RATE_LIMIT_PER_MINUTE: '100000' });
  const call = async (secret: string, path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } });
  const key = async (name: string, role: string, collections: string[]) =>
    ((await (await call(ADMIN_KEY, '/keys', { method: 'POST', body: JSON.stringify({ name, role, collections }) })).json()) as { secret: string }).secret;
  const ask = async (secret: string) => (await (await call(secret, '/ask', { method: 'POST', body: JSON.stringify({ question: QUESTION }) })).json()) as Answer;
  try {
    for (const id of ['schulamt', 'bauamt']) expect((await call(ADMIN_KEY, '/collections', { method: 'POST', body: JSON.stringify({ id }) })).status).toBe(201);
    const schulamtWriter = await key('schulamt-write', 'write', ['schulamt']);
    const bothWriter = await key('beide-write', 'write', ['schulamt', 'bauamt']);
    const schulamtReader = await key('schulamt-read', 'read', ['schulamt']);
    const bauamtReader = await key('bauamt-read', 'read', ['bauamt']);

    const uploaded = await call(schulamtWriter, '/documents', { method: 'POST', body: JSON.stringify({ text: FACT, title: 'Turnhalle' }) });
    const id = ((await uploaded.json()) as { documents: { id: string }[] }).documents[0]!.id;
    expect((await app.context.ingestion.settled(id)).status).toBe('ready');
    expect((await ask(schulamtReader)).citations[0]?.documentId).toBe(id);
    expect((await ask(bauamtReader)).citations).toEqual([]);

    // A key that may not use the target collection cannot move there; a reader cannot move at all.
    const refused = await call(schulamtWriter, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'bauamt' }) });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('forbidden_collection');
    expect((await call(schulamtReader, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'schulamt' }) })).status).toBe(403);
    // A key of the target collection alone does not see the document: not found.
    const bauamtWriter = await key('bauamt-write', 'write', ['bauamt']);
    expect((await call(bauamtWriter, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'bauamt' }) })).status).toBe(404);
    const unknown = await call(bothWriter, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'gibt-es-nicht' }) });
    expect(unknown.status).toBe(403);
    expect((await call(ADMIN_KEY, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'gibt-es-nicht' }) })).status).toBe(404);
    expect((await call(ADMIN_KEY, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({}) })).status).toBe(400);
    // Nothing moved so far.
    expect((await ask(schulamtReader)).citations[0]?.documentId).toBe(id);

    const moved = await call(bothWriter, `/documents/${id}/move`, { method: 'POST', body: JSON.stringify({ collection: 'bauamt' }) });
    expect(moved.status).toBe(200);
    expect(((await moved.json()) as { collectionIds: string[] }).collectionIds).toEqual(['bauamt']);
    // At once: gone for the Schulamt (answers, listing, text), found by the Bauamt.
    expect((await ask(schulamtReader)).citations).toEqual([]);
    expect((await call(schulamtReader, `/documents/${id}/text`)).status).toBe(404);
    expect(((await (await call(schulamtReader, '/documents')).json()) as { total: number }).total).toBe(0);
    const found = await ask(bauamtReader);
    expect(found.citations[0]?.documentId).toBe(id);
    expect(found.citations[0]?.quote).toContain('Sommer 2027');

    const audit = (await (await call(ADMIN_KEY, '/audit?action=move')).json()) as { events: { documentId: string; collectionIds: string[] }[] };
    expect(audit.events).toEqual([expect.objectContaining({ documentId: id, collectionIds: ['bauamt'] })]);
  } finally {
    await app.close();
  }
}, 60_000);

it('moves an e-mail’s attachments with it', async () => {
  const context = await openTestContext();
  try {
    await context.access.createCollection('personal', 'Personal');
    await context.access.createCollection('technik', 'Technik');
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/mail-epub/nebenkosten-mit-anhang.eml', import.meta.url)));
    const mail = await context.ingestion.ingest({ kind: 'file', fileName: 'nebenkosten.eml', bytes }, { collectionId: 'personal' });
    expect(mail.attachmentIds?.length).toBeGreaterThan(0);
    const moved = await context.ingestion.move(mail.id, 'technik', ['personal', 'technik']);
    expect(moved.collectionIds).toEqual(['technik']);
    for (const id of mail.attachmentIds!) expect((await context.ingestion.get(id)).collectionIds).toEqual(['technik']);
    expect((await context.ingestion.list({ collectionIds: ['personal'] })).total).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

it('gives chunks SQLite’s collections again at start-up when they differ (a crash between the two writes)', async () => {
  const config = testConfig();
  const first = await openTestContext(config);
  await first.access.createCollection('personal', 'Personal');
  const document = await first.ingestion.ingest({ kind: 'text', text: FACT }, { collectionId: 'personal' });
  await first.close();

  // The chunks lose their collections, as if the process died after SQLite's commit.
  const store = await LanceChunkStore.open({ directory: dataPaths(config.dataDir).lancedb });
  await store.setCollections(new Map([[document.id, []]]));
  await store.close();

  const second = await openTestContext(config);
  try {
    expect(second.reconciled.relabelled).toEqual([document.id]);
    const answerer = createAnswerService(second, { extractive: new ExtractiveLanguageModel() }, 'extractive', { minConfidence: 0 });
    const answer = await answerer.answer({ question: QUESTION, collectionIds: ['personal'] });
    expect(answer.citations[0]?.documentId).toBe(document.id);
  } finally {
    await second.close();
  }
}, 60_000);
