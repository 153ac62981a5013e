/**
 * A workbook and a slide deck uploaded over HTTP into the real ingestion and storage, asked with
 * the extractive engine: the answer is a verbatim quote of one row (or one slide's notes), and
 * its citation names the row ("Tabelle Investitionen, Zeile 2 (A2:D2)") or the slide ("Folie 3"),
 * in the API's JSON and in the CLI's words.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import { formatAnswer } from '../src/cli/commands/ask.ts';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

type DocumentBody = { id: string; status: string; pageCount: number | null; errorCode: string | null };

let server: RealApp;

beforeAll(async () => {
  server = await startRealApp('beleg-office-');
});

afterAll(async () => {
  await server?.close();
  removeTemporaryDirectories();
});

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/office/${name}`, import.meta.url)));

async function uploadAndWait(name: string, type: string): Promise<DocumentBody> {
  const form = new FormData();
  form.append('file', new Blob([fixture(name)], { type }), name);
  const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
  expect(response.status).toBe(202);
  const { id } = ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;
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

async function ask(question: string, documentId: string, minConfidence?: number): Promise<Answer> {
  const response = await fetch(`${server.url}/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question, documentIds: [documentId], ...(minConfidence !== undefined ? { minConfidence } : {}) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

async function storedSlice(documentId: string, charStart: number, charEnd: number): Promise<string> {
  return ((await (await fetch(`${server.url}/documents/${documentId}/text?start=${charStart}&end=${charEnd}`)).json()) as { text: string }).text;
}

describe('office documents end to end', () => {
  it('answers from an XLSX with one row, verbatim, citing sheet, row and cells', async () => {
    const workbook = await uploadAndWait('haushaltsplan.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(workbook.status).toBe('ready');
    // Rows are no pages.
    expect(workbook.pageCount).toBeNull();
    // The reader's confidence on this row sentence (0.79) stays under the default threshold (fitted
    // on prose), so the answer is asked for from any confidence: what is checked here
    // is that the best quote is the right row, verbatim, and that its citation names the row.
    const answer = await ask('Wann ist der Baubeginn der Dachsanierung der Grundschule?', workbook.id, 0);
    console.info(`XLSX answer confidence ${answer.confidence}`);
    expect(answer.declined, JSON.stringify(answer.candidates.map((candidate) => candidate.quote))).toBe(false);
    const citation = answer.citations[0]!;
    expect(citation.quote).toBe('Maßnahme: Dachsanierung der Grundschule; Kosten: 480000; Baubeginn: 28.07.2025; Zuständig: Bauamt, Frau Yilmaz.');
    expect(await storedSlice(workbook.id, citation.charStart, citation.charEnd)).toBe(citation.quote);
    expect(citation.page).toBeNull();
    expect(citation.location).toEqual({ kind: 'row', number: 2, sheet: 'Investitionen', cells: 'A2:D2' });
    expect(formatAnswer(answer, { printText: false, language: 'de' }).join('\n')).toContain(', Tabelle Investitionen, Zeile 2 (A2:D2)');
  });

  it('answers from a PPTX speaker note, citing the slide as "Folie 3"', async () => {
    const deck = await uploadAndWait('gemeinderat.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation');
    expect(deck.status).toBe('ready');
    expect(deck.pageCount).toBe(4);
    const answer = await ask('Seit wann liegt der Förderbescheid des Landes vor?', deck.id);
    expect(answer.declined, JSON.stringify(answer.candidates.map((candidate) => candidate.quote))).toBe(false);
    const citation = answer.citations[0]!;
    expect(citation.quote).toBe('Der Förderbescheid des Landes über 200.000 Euro liegt seit Februar vor.');
    expect(await storedSlice(deck.id, citation.charStart, citation.charEnd)).toBe(citation.quote);
    expect(citation.page).toBe(3);
    expect(citation.location).toEqual({ kind: 'slide', number: 3 });
    const printed = formatAnswer(answer, { printText: false, language: 'de' }).join('\n');
    expect(printed).toContain(', Folie 3');
    expect(printed).not.toContain('Seite 3');
  });
});
