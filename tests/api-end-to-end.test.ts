/**
 * The app over HTTP with the real ingestion and storage (SQLite + LanceDB in a temporary data
 * directory): upload a PDF → ready → ask → a citation whose offsets select the quote from the
 * stored text. The answerer is the real answer service with the extractive engine (what
 * `beleg serve` wires without a model).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTextPdf } from './helpers/make-pdf.ts';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

type DocumentBody = { id: string; status: string; pageCount: number | null; errorCode: string | null; errorMessage: string | null };

let server: RealApp;

beforeAll(async () => {
  server = await startRealApp('beleg-api-');
});

afterAll(async () => {
  await server?.close();
  removeTemporaryDirectories();
});

async function upload(name: string, bytes: Uint8Array, type: string): Promise<DocumentBody> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;
}

async function settled(id: string): Promise<DocumentBody> {
  let document: DocumentBody | undefined;
  await expect
    .poll(
      async () => {
        document = (await (await fetch(`${server.url}/documents/${id}`)).json()) as DocumentBody;
        return document.status;
      },
      { timeout: 30_000, interval: 50 },
    )
    .toMatch(/^(ready|failed)$/);
  return document!;
}

describe('HTTP with real ingestion and storage', () => {
  it('uploads a PDF, indexes it, and answers with a quote the stored text confirms', async () => {
    const pdf = await makeTextPdf({
      title: 'Hausordnung',
      pages: [
        { paragraphs: [['Hausordnung der Wohnanlage am Park.'], ['Die Haustür wird um 22 Uhr abgeschlossen.']] },
        { paragraphs: [['Die Mülltonnen werden dienstags geleert.'], ['Haustiere sind nach Absprache erlaubt.']] },
      ],
    });
    const accepted = await upload('hausordnung.pdf', pdf, 'application/pdf');
    expect(accepted.status).toMatch(/^(pending|indexing)$/);
    const ready = await settled(accepted.id);
    expect(ready.status).toBe('ready');
    expect(ready.pageCount).toBe(2);

    const ask = await fetch(`${server.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Wann werden die Mülltonnen geleert?' }),
    });
    expect(ask.status).toBe(200);
    const answer = (await ask.json()) as {
      declined: boolean;
      engine: string;
      citations: Array<{ quote: string; documentId: string; charStart: number; charEnd: number; page: number | null; verified: boolean }>;
    };
    expect(answer.declined).toBe(false);
    expect(answer.engine).toBe('extractive');
    const citation = answer.citations[0]!;
    expect(citation.quote).toBe('Die Mülltonnen werden dienstags geleert.');
    expect(citation.documentId).toBe(accepted.id);
    expect(citation.page).toBe(2);
    expect(citation.verified).toBe(true);
    const excerpt = (await (await fetch(`${server.url}/documents/${accepted.id}/text?start=${citation.charStart}&end=${citation.charEnd}`)).json()) as {
      text: string;
    };
    expect(excerpt.text).toBe(citation.quote);

    expect((await fetch(`${server.url}/documents/${accepted.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${server.url}/documents/${accepted.id}`)).status).toBe(404);
  });

  it('reports a document that cannot be read as failed, with the reason', async () => {
    const encrypted = readFileSync(new URL('./fixtures/documents/strassenbahn-encrypted.pdf', import.meta.url));
    const accepted = await upload('strassenbahn.pdf', encrypted, 'application/pdf');
    const failed = await settled(accepted.id);
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBeTruthy();
    expect(failed.errorMessage).toBeTruthy();
    const text = await fetch(`${server.url}/documents/${accepted.id}/text`);
    expect(text.status).toBe(409);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('document_not_ready');
  });
});
