/**
 * Migration to collections: a data directory written by the release before collections
 * (tests/fixtures/collections/release-data, migrations 0000–0003) opens, every document lands in
 * `allgemein` with its chunks untouched, and BELEG_API_KEYS keys keep what they could do.
 */
import { cpSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import { openAppContext } from '../src/app-context.ts';
import { loadConfig } from '../src/config.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { createEngines } from '../src/engine/create-engine.ts';
import { serveApp } from './helpers/start-app.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const READ_KEY = 'old-read-key-0123456789';
const WRITE_KEY = 'old-write-key-0123456789';
const UNNAMED_KEY = 'old-unnamed-key-0123456789';

it('opens a data directory of the previous release: all documents in allgemein, old keys keep their access', async () => {
  const dataDir = temporaryDirectory('beleg-migration-');
  cpSync(new URL('./fixtures/collections/release-data', import.meta.url), dataDir, { recursive: true });
  const config = loadConfig({ BELEG_DATA_DIR: dataDir, BELEG_API_KEYS: `${READ_KEY}:read,${WRITE_KEY}:write,${UNNAMED_KEY}` });
  const context = await openAppContext(config, { embeddingModel: null });
  const { engines, defaultEngine } = await createEngines(config, { tokenizer: context.tokenizer });
  const server = await serveApp(config, context.ingestion, createAnswerService(context, engines, defaultEngine), undefined, context.access);
  const call = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
  try {
    // The chunks were kept as they were: no rebuild.
    expect(context.reindexed).toBeNull();
    const listed = (await (await call(READ_KEY, '/documents')).json()) as { documents: { id: string; status: string; collectionIds: string[] }[] };
    expect(listed.documents).toHaveLength(3);
    for (const document of listed.documents) {
      expect(document.status).toBe('ready');
      expect(document.collectionIds).toEqual(['allgemein']);
    }
    const collections = (await (await call(READ_KEY, '/collections')).json()) as { collections: { id: string; documentCount: number }[] };
    expect(collections.collections).toEqual([expect.objectContaining({ id: 'allgemein', documentCount: 3 })]);

    // The read key still asks and reads; it still may not upload.
    const answer = (await (await call(READ_KEY, '/ask', { method: 'POST', body: JSON.stringify({ question: 'Wann beginnt die Ruhezeit?', minConfidence: 0 }) })).json()) as Answer;
    expect(answer.declined).toBe(false);
    expect(answer.citations[0]!.quote).toContain('22 Uhr');
    expect((await call(READ_KEY, `/documents/${answer.citations[0]!.documentId}/text`)).status).toBe(200);
    expect((await call(READ_KEY, '/documents', { method: 'POST', body: JSON.stringify({ text: 'Neu.' }) })).status).toBe(403);

    // The write key still uploads (into allgemein) and deletes.
    const uploaded = await call(WRITE_KEY, '/documents', { method: 'POST', body: JSON.stringify({ text: 'Der Aufzug wird im März gewartet.' }) });
    expect(uploaded.status).toBe(202);
    const record = ((await uploaded.json()) as { documents: { id: string; collectionIds: string[] }[] }).documents[0]!;
    expect(record.collectionIds).toEqual(['allgemein']);
    await context.ingestion.settled(record.id);
    expect((await call(WRITE_KEY, `/documents/${record.id}`, { method: 'DELETE' })).status).toBe(204);

    // A key without a role could do everything before; it is an admin key now.
    expect((await call(UNNAMED_KEY, '/keys')).status).toBe(200);
    expect((await call(UNNAMED_KEY, '/collections', { method: 'POST', body: JSON.stringify({ id: 'technik' }) })).status).toBe(201);

    // The old chunks had no collections: start-up gave them `allgemein`, so a key scoped to it finds them.
    expect(context.reconciled.relabelled).toHaveLength(3);
    const scoped = (await (await call(UNNAMED_KEY, '/keys', { method: 'POST', body: JSON.stringify({ name: 'nur-allgemein', role: 'read', collections: ['allgemein'] }) })).json()) as {
      secret: string;
    };
    const scopedAnswer = (await (await call(scoped.secret, '/ask', { method: 'POST', body: JSON.stringify({ question: 'Wann beginnt die Ruhezeit?', minConfidence: 0 }) })).json()) as Answer;
    expect(scopedAnswer.citations[0]!.quote).toContain('22 Uhr');
    const technik = (await (await call(UNNAMED_KEY, '/keys', { method: 'POST', body: JSON.stringify({ name: 'nur-technik', role: 'read', collections: ['technik'] }) })).json()) as {
      secret: string;
    };
    const technikAnswer = (await (await call(technik.secret, '/ask', { method: 'POST', body: JSON.stringify({ question: 'Wann beginnt die Ruhezeit?', minConfidence: 0 }) })).json()) as Answer;
    expect(technikAnswer.sources).toEqual([]);
  } finally {
    await server.close();
    for (const engine of Object.values(engines)) await engine.dispose();
    await context.close();
  }
}, 60_000);
