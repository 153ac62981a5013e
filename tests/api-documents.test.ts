import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './helpers/start-app.ts';

const satzung =
  'Der Verein heißt Gartenfreunde Lindenau. Der Mitgliedsbeitrag beträgt 24 Euro im Jahr. Die Mitgliederversammlung tagt einmal im Jahr.';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function uploadForm(...files: Array<{ name: string; text: string; type?: string }>): FormData {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.text], { type: file.type ?? 'text/plain' }), file.name);
  return form;
}

describe('documents and asking over HTTP', () => {
  it('uploads a file, reports pending then ready, and answers with a quote that matches the stored text', async () => {
    running = await startApp({ ingestionOptions: { autoProcess: false } });
    const upload = await fetch(`${running.url}/documents`, { method: 'POST', body: uploadForm({ name: 'satzung.txt', text: satzung }) });
    expect(upload.status).toBe(202);
    const { documents } = (await upload.json()) as { documents: Array<{ id: string; status: string; fileName: string }> };
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ status: 'pending', fileName: 'satzung.txt' });
    const id = documents[0]!.id;

    const pending = await fetch(`${running.url}/documents/${id}`);
    expect(((await pending.json()) as { status: string }).status).toBe('pending');
    const early = await fetch(`${running.url}/documents/${id}/text`);
    expect(early.status).toBe(409);
    // The same code the ingestion service and the CLI use for a document that is not ready.
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('document_not_ready');

    running.ingestion.processAll();
    const ready = (await (await fetch(`${running.url}/documents/${id}`)).json()) as { status: string; chunkCount: number };
    expect(ready.status).toBe('ready');
    expect(ready.chunkCount).toBeGreaterThan(0);

    const ask = await fetch(`${running.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Wie hoch ist der Mitgliedsbeitrag?' }),
    });
    expect(ask.status).toBe(200);
    const answer = (await ask.json()) as { declined: boolean; citations: Array<{ quote: string; documentId: string; charStart: number; charEnd: number }> };
    expect(answer.declined).toBe(false);
    const citation = answer.citations[0]!;
    expect(citation.quote).toBe('Der Mitgliedsbeitrag beträgt 24 Euro im Jahr.');
    expect(citation.documentId).toBe(id);

    const excerpt = await fetch(`${running.url}/documents/${id}/text?start=${citation.charStart}&end=${citation.charEnd}`);
    expect(excerpt.status).toBe(200);
    expect(((await excerpt.json()) as { text: string }).text).toBe(citation.quote);
  });

  it('accepts several files in one upload and keeps only the last segment of a file name', async () => {
    running = await startApp();
    const response = await fetch(`${running.url}/documents`, {
      method: 'POST',
      body: uploadForm({ name: '../../etc/eins.txt', text: 'Eins.' }, { name: 'zwei.txt', text: 'Zwei.' }),
    });
    expect(response.status).toBe(202);
    const { documents } = (await response.json()) as { documents: Array<{ fileName: string }> };
    expect(documents.map((document) => document.fileName)).toEqual(['eins.txt', 'zwei.txt']);
  });

  it('accepts a URL as JSON, and lists documents with paging and a status filter', async () => {
    running = await startApp({ ingestionOptions: { autoProcess: false, urlTexts: { 'https://example.org/a': 'Seite A.' } } });
    const byUrl = await fetch(`${running.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.org/a' }),
    });
    expect(byUrl.status).toBe(202);
    const { documents } = (await byUrl.json()) as { documents: Array<{ id: string; sourceKind: string; url: string }> };
    expect(documents[0]).toMatchObject({ sourceKind: 'url', url: 'https://example.org/a' });
    await fetch(`${running.url}/documents`, { method: 'POST', body: uploadForm({ name: 'b.txt', text: 'Text B.' }) });
    running.ingestion.process(documents[0]!.id);

    const ready = (await (await fetch(`${running.url}/documents?status=ready`)).json()) as { documents: Array<{ id: string }>; total: number };
    expect(ready.total).toBe(1);
    expect(ready.documents[0]!.id).toBe(documents[0]!.id);
    const page = (await (await fetch(`${running.url}/documents?limit=1&offset=1`)).json()) as { documents: unknown[]; total: number; limit: number };
    expect(page).toMatchObject({ total: 2, limit: 1 });
    expect(page.documents).toHaveLength(1);
  });

  it('deletes a document, after which it is 404 with the JSON error shape', async () => {
    running = await startApp();
    const { documents } = (await (
      await fetch(`${running.url}/documents`, { method: 'POST', body: uploadForm({ name: 'a.txt', text: 'A.' }) })
    ).json()) as { documents: Array<{ id: string }> };
    const id = documents[0]!.id;
    expect((await fetch(`${running.url}/documents/${id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await fetch(`${running.url}/documents/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: { code: 'not_found', message: expect.stringContaining(id) } });
    expect((await fetch(`${running.url}/documents/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('takes PNG uploads for OCR, and refuses them at once with 415 when BELEG_OCR=off', async () => {
    const png = () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])], { type: 'image/png' }), 'scan.png');
      return form;
    };
    running = await startApp();
    expect((await fetch(`${running.url}/documents`, { method: 'POST', body: png() })).status).toBe(202);
    await running.close();
    running = await startApp({ ocr: 'off' });
    const refused = await fetch(`${running.url}/documents`, { method: 'POST', body: png(), headers: { 'accept-language': 'de' } });
    expect(refused.status).toBe(415);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_document');
    expect(body.error.message).toMatch(/PNG-Bild.*BELEG_OCR=auto/);
    expect(running.ingestion.submitted).toHaveLength(0);
  });

  it('refuses what it cannot read: 415 for other content types and file types, 422 for a broken PDF, 400 naming the field', async () => {
    running = await startApp();
    const plain = await fetch(`${running.url}/documents`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hallo' });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('unsupported_document');

    const noFile = new FormData();
    noFile.append('other', 'x');
    const missing = await fetch(`${running.url}/documents`, { method: 'POST', body: noFile });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { field: string } }).error.field).toBe('file');

    const badUrl = await fetch(`${running.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ftp://example.org/x' }),
    });
    expect(badUrl.status).toBe(400);
    // Refused by the one URL check ingestion and the fetcher share, so the code is the same on every path.
    expect(((await badUrl.json()) as { error: { code: string } }).error.code).toBe('blocked_url');

    // PNG, JPEG and TIFF are read by OCR (below); GIF is not.
    const gif = new FormData();
    gif.append('file', new Blob([new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])], { type: 'image/gif' }), 'foto.gif');
    const image = await fetch(`${running.url}/documents`, { method: 'POST', body: gif });
    expect(image.status).toBe(415);
    expect(((await image.json()) as { error: { code: string } }).error.code).toBe('unsupported_document');

    const fakePdf = await fetch(`${running.url}/documents`, { method: 'POST', body: uploadForm({ name: 'bericht.pdf', text: 'kein PDF', type: 'application/pdf' }) });
    expect(fakePdf.status).toBe(422);
    expect(((await fakePdf.json()) as { error: { code: string } }).error.code).toBe('pdf_corrupt');
    expect(running.ingestion.submitted).toHaveLength(0);

    const badStatus = await fetch(`${running.url}/documents?status=done`);
    expect(badStatus.status).toBe(400);
    expect(((await badStatus.json()) as { error: { field: string } }).error.field).toBe('status');
  });
});
