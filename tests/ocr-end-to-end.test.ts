/**
 * A scan end to end over HTTP with the real ingestion, storage and extractive engine: a two-page
 * image-only PDF is uploaded, shows OCR progress while indexing, becomes ready, and a question
 * about page 2 is answered with a quote that the stored OCR text confirms, cited on page 2 and
 * marked as OCR with the page's confidence.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

type DocumentBody = { id: string; status: string; pageCount: number | null; errorCode: string | null; progress?: { ocrPagesDone: number; ocrPagesTotal: number } };
type CitationBody = { quote: string; documentId: string; charStart: number; charEnd: number; page: number | null; ocr?: boolean; ocrConfidence?: number };

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/ocr/${name}`, import.meta.url)));
let server: RealApp;

beforeAll(async () => {
  server = await startRealApp('beleg-ocr-');
});

afterAll(async () => {
  await server?.close();
  removeTemporaryDirectories();
});

/** Page 1 clean, page 2 askew and noisy: two scanned pages without any text layer. */
async function scannedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const name of ['wohngeld-seite-1.png', 'wohngeld-seite-2-schief.png']) {
    const image = await pdf.embedPng(fixture(name));
    pdf.addPage([595.28, 841.89]).drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  }
  return pdf.save();
}

describe('a scanned PDF over HTTP', () => {
  it('is read by OCR with progress, and answers cite the right page, marked as OCR', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await scannedPdf())], { type: 'application/pdf' }), 'wohngeld-scan.pdf');
    const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
    expect(response.status).toBe(202);
    const accepted = ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;

    const seen: Array<NonNullable<DocumentBody['progress']>> = [];
    let document: DocumentBody | undefined;
    await expect
      .poll(
        async () => {
          document = (await (await fetch(`${server.url}/documents/${accepted.id}`)).json()) as DocumentBody;
          if (document.progress) seen.push(document.progress);
          return document.status;
        },
        { timeout: 90_000, interval: 100 },
      )
      .toMatch(/^(ready|failed)$/);
    expect(document!.status, document!.errorCode ?? '').toBe('ready');
    expect(document!.pageCount).toBe(2);
    expect(document!.progress).toBeUndefined();
    // Progress was visible while the two pages were read.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((step) => step.ocrPagesTotal === 2 && step.ocrPagesDone <= 2)).toBe(true);

    const ask = await fetch(`${server.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Mit welcher Geldbuße kann die Ordnungswidrigkeit geahndet werden?', minConfidence: 0 }),
    });
    expect(ask.status).toBe(200);
    const answer = (await ask.json()) as { declined: boolean; citations: CitationBody[] };
    expect(answer.declined).toBe(false);
    const citation = answer.citations[0]!;
    expect(citation.quote).toContain('Geldbuße bis zu 2.000 Euro');
    expect(citation.documentId).toBe(accepted.id);
    expect(citation.page).toBe(2);
    expect(citation.ocr).toBe(true);
    expect(citation.ocrConfidence).toBeGreaterThan(0.8);
    // Verified against the stored OCR text like any other quote.
    const excerpt = (await (await fetch(`${server.url}/documents/${accepted.id}/text?start=${citation.charStart}&end=${citation.charEnd}`)).json()) as { text: string };
    expect(excerpt.text).toBe(citation.quote);
  }, 120_000);

  it('leaves citations of text documents unmarked', async () => {
    const response = await fetch(`${server.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Die Stadtbibliothek Lindenau öffnet montags bis freitags um 9 Uhr.', title: 'Bibliothek' }),
    });
    const accepted = ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;
    await expect.poll(async () => ((await (await fetch(`${server.url}/documents/${accepted.id}`)).json()) as DocumentBody).status, { timeout: 30_000 }).toBe('ready');
    const ask = await fetch(`${server.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Wann öffnet die Stadtbibliothek?', minConfidence: 0, documentIds: [accepted.id] }),
    });
    const answer = (await ask.json()) as { declined: boolean; citations: CitationBody[] };
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations[0]!.ocr).toBeUndefined();
    expect(answer.citations[0]!.ocrConfidence).toBeUndefined();
  }, 60_000);
});
