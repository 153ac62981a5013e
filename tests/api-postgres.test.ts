/**
 * `beleg serve` with BELEG_DATABASE_URL: the real app over HTTP with its metadata in PostgreSQL (a
 * throwaway server, tests/helpers/start-postgres.ts) and its chunks in LanceDB in the data
 * directory. Upload → ready → ask (a verified quote) → list → delete, then a restart of the app on
 * a fresh data directory finds the document in PostgreSQL and rebuilds its chunks from the text
 * stored there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from './helpers/start-postgres.ts';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

type DocumentBody = { id: string; status: string; collectionIds: string[] };
type AnswerBody = { declined: boolean; citations: Array<{ quote: string; documentId: string; verified: boolean }> };

let postgres: TestPostgres;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  removeTemporaryDirectories();
}, 60_000);

async function upload(app: RealApp, name: string, text: string): Promise<DocumentBody> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const response = await fetch(`${app.url}/documents`, { method: 'POST', body: form });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;
}

async function settled(app: RealApp, id: string): Promise<DocumentBody> {
  let document: DocumentBody | undefined;
  await expect
    .poll(
      async () => {
        document = (await (await fetch(`${app.url}/documents/${id}`)).json()) as DocumentBody;
        return document.status;
      },
      { timeout: 30_000, interval: 50 },
    )
    .toMatch(/^(ready|failed)$/);
  return document!;
}

async function ask(app: RealApp, question: string): Promise<AnswerBody> {
  const response = await fetch(`${app.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
  expect(response.status).toBe(200);
  return (await response.json()) as AnswerBody;
}

describe('HTTP with the metadata in PostgreSQL', () => {
  it('uploads, answers, lists and deletes; a restart on an empty data directory rebuilds the chunks from PostgreSQL', async () => {
    const first = await startRealApp('beleg-api-postgres-', { BELEG_DATABASE_URL: databaseUrl, BELEG_MIN_CONFIDENCE: '0' });
    let keptId: string;
    try {
      expect(first.context.metadata.dialect).toBe('postgres');
      expect(first.context.database).toBeNull();
      const kept = await upload(first, 'hausordnung.txt', 'Hausordnung der Wohnanlage. Die Mülltonnen werden dienstags geleert. Haustiere sind nach Absprache erlaubt.');
      const removed = await upload(first, 'garten.txt', 'Der Gemeinschaftsgarten ist von April bis Oktober geöffnet.');
      expect((await settled(first, kept.id)).status).toBe('ready');
      expect((await settled(first, removed.id)).status).toBe('ready');
      keptId = kept.id;

      const answer = await ask(first, 'Wann werden die Mülltonnen geleert?');
      expect(answer.declined).toBe(false);
      expect(answer.citations[0]).toMatchObject({ quote: 'Die Mülltonnen werden dienstags geleert.', documentId: kept.id, verified: true });

      const listed = (await (await fetch(`${first.url}/documents`)).json()) as { documents: DocumentBody[]; total: number };
      expect(listed.total).toBe(2);
      expect(listed.documents.map((document) => document.id).sort()).toEqual([kept.id, removed.id].sort());
      expect(listed.documents.every((document) => document.collectionIds.includes('allgemein'))).toBe(true);

      expect((await fetch(`${first.url}/documents/${removed.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${first.url}/documents/${removed.id}`)).status).toBe(404);
      const garden = await ask(first, 'Wann ist der Gemeinschaftsgarten geöffnet?');
      expect(garden.citations.map((citation) => citation.documentId)).not.toContain(removed.id);
    } finally {
      await first.close();
    }

    // Another data directory, same database: the document is there, its chunks come back from the stored text.
    const second = await startRealApp('beleg-api-postgres-', { BELEG_DATABASE_URL: databaseUrl, BELEG_MIN_CONFIDENCE: '0' });
    try {
      expect(second.context.reconciled.rebuild).toEqual([keptId]);
      const listed = (await (await fetch(`${second.url}/documents`)).json()) as { documents: DocumentBody[]; total: number };
      expect(listed.documents.map((document) => document.id)).toEqual([keptId]);
      const answer = await ask(second, 'Wann werden die Mülltonnen geleert?');
      expect(answer.citations[0]).toMatchObject({ quote: 'Die Mülltonnen werden dienstags geleert.', documentId: keptId, verified: true });
    } finally {
      await second.close();
    }
  });
});
