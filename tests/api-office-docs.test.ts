/**
 * A DOCX end to end over HTTP with the real ingestion, storage and extractive engine: upload the
 * LibreOffice statutes as DOCX → ready → ask → the citation's quote is verbatim text of the DOCX
 * (the words of its w:t runs) and exactly the stored text at the citation's offsets.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

let server: RealApp;

beforeAll(async () => {
  server = await startRealApp('beleg-office-');
});

afterAll(async () => {
  await server?.close();
  removeTemporaryDirectories();
});

type Answer = {
  declined: boolean;
  engine: string;
  citations: Array<{ quote: string; documentId: string; chunkId: string; charStart: number; charEnd: number; verified: boolean }>;
  sources: Array<{ chunkId: string; headingPath: string | null }>;
};

/** The words of a DOCX's paragraphs as Word stores them (w:t runs joined per paragraph), without beleg's loader. */
function docxParagraphs(bytes: Uint8Array): string[] {
  const xml = new TextDecoder().decode(unzipSync(bytes, { filter: (file) => file.name === 'word/document.xml' })['word/document.xml']!);
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((paragraph) => [...paragraph[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((run) => run[1]).join(''));
}

describe('DOCX end to end', () => {
  it('uploads a DOCX, indexes it, and answers with a quote that is verbatim DOCX text', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/office-docs/vereinssatzung.docx', import.meta.url)));
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }), 'vereinssatzung.docx');
    const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
    expect(response.status).toBe(202);
    const accepted = ((await response.json()) as { documents: Array<{ id: string }> }).documents[0]!;
    let document: { status: string; title: string | null; errorMessage: string | null } | undefined;
    await expect
      .poll(
        async () => {
          document = (await (await fetch(`${server.url}/documents/${accepted.id}`)).json()) as typeof document;
          return document!.status;
        },
        { timeout: 30_000, interval: 50 },
      )
      .toMatch(/^(ready|failed)$/);
    expect(document!.status, document!.errorMessage ?? '').toBe('ready');
    expect(document!.title).toBe('Satzung des Heimatvereins Obersöchering e. V.');

    const ask = await fetch(`${server.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Wie viel beträgt der Jahresbeitrag?' }),
    });
    expect(ask.status).toBe(200);
    const answer = (await ask.json()) as Answer;
    expect(answer.declined).toBe(false);
    expect(answer.engine).toBe('extractive');
    const citation = answer.citations[0]!;
    expect(citation.documentId).toBe(accepted.id);
    expect(citation.verified).toBe(true);
    expect(citation.quote).toBe('Der Jahresbeitrag beträgt 24 Euro.');
    // The chunk knows its § heading from the DOCX's heading styles.
    expect(answer.sources.find((source) => source.chunkId === citation.chunkId)?.headingPath).toBe('Satzung des Heimatvereins > § 3 Mitgliedsbeiträge');
    // Verbatim: the quote is text of one DOCX paragraph as Word stores it (the footnote mark is no text).
    expect(docxParagraphs(bytes).some((paragraph) => paragraph.includes(citation.quote))).toBe(true);
    const excerpt = (await (await fetch(`${server.url}/documents/${accepted.id}/text?start=${citation.charStart}&end=${citation.charEnd}`)).json()) as { text: string };
    expect(excerpt.text).toBe(citation.quote);
  });
});
