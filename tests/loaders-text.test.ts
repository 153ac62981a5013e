import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BelegError, CancelledError, DocumentTooLargeError, UnsupportedDocumentError } from '../src/errors.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { DocumentInput } from '../src/ingest/types.ts';

const options: LoadOptions = { maxBytes: 64 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/documents/${name}`, import.meta.url)));
const encode = (text: string) => new TextEncoder().encode(text);
const file = (fileName: string, bytes: Uint8Array, mimeType?: string): DocumentInput => ({ kind: 'file', fileName, bytes, mimeType });

async function failure(input: DocumentInput, loadOptions = options): Promise<BelegError> {
  const error = await loadDocument(input, loadOptions).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

describe('plain text', () => {
  it('loads UTF-8 text normalized (NFC, LF, ligatures) and takes a short first line as title', async () => {
    const document = await loadDocument(file('notiz.txt', encode('Einkaufsliste\r\n\r\nWir brauchen A\u0308pfel und ﬁne Mehl.\r\n')), options);
    expect(document.text).toBe('Einkaufsliste\n\nWir brauchen Äpfel und fine Mehl.');
    expect(document.title).toBe('Einkaufsliste');
    expect(document.mimeType).toBe('text/plain');
  });

  it('reads Windows-1252 text files with correct umlauts', async () => {
    const bytes = Uint8Array.from([...'Grüße aus Köln – schöne Straße.'].map((character) => (character === '–' ? 0x96 : character.charCodeAt(0))));
    const document = await loadDocument(file('brief.txt', bytes), options);
    expect(document.text).toBe('Grüße aus Köln – schöne Straße.');
  });

  it('loads text handed over as a string, with its own title', async () => {
    const document = await loadDocument({ kind: 'text', title: 'Mein Text', text: 'Ein Satz. Noch ein Satz.' }, options);
    expect(document.text).toBe('Ein Satz. Noch ein Satz.');
    expect(document.title).toBe('Mein Text');
    expect(new TextDecoder().decode(document.bytes)).toBe('Ein Satz. Noch ein Satz.');
  });

  it('refuses empty and whitespace-only documents with empty_document', async () => {
    expect((await failure(file('leer.txt', new Uint8Array(0)))).code).toBe('empty_document');
    expect((await failure(file('leer.txt', encode(' \n\n\t ')))).code).toBe('empty_document');
    expect((await failure({ kind: 'text', text: '' })).code).toBe('empty_document');
  });
});

describe('Markdown', () => {
  it('drops the markup, keeps the words and turns headings into sections', async () => {
    const document = await loadDocument(file('gemeinde-notizen.md', fixture('gemeinde-notizen.md')), options);
    expect(document.title).toBe('Notizen zur Gemeindeversammlung');
    expect(document.mimeType).toBe('text/markdown');
    expect(document.text).toContain('Die Versammlung fand am 3. Mai 2023 im Bürgerhaus statt.');
    expect(document.text).toContain('Der Kämmerer stellte den Haushaltsplan vor.');
    expect(document.text).toContain('wird im Sommer erneuert.');
    expect(document.text).not.toMatch(/[#*\[\]]|https?:/);
    expect(document.sections?.map((section) => section.headingPath.join(' > '))).toEqual([
      'Notizen zur Gemeindeversammlung',
      'Notizen zur Gemeindeversammlung > Haushalt',
      'Notizen zur Gemeindeversammlung > Verschiedenes',
      'Notizen zur Gemeindeversammlung > Verschiedenes > Spielplatz',
    ]);
    const spielplatz = document.sections![3]!;
    expect(document.text.slice(spielplatz.charStart, spielplatz.charEnd)).toBe(
      'Spielplatz\n\nDer Spielplatz an der Lindenstraße wird im Sommer erneuert. Frau Dr. Weiß übernimmt die Planung.',
    );
  });

  it('treats text input with a .md name as Markdown', async () => {
    const document = await loadDocument({ kind: 'text', fileName: 'a.md', text: '# Titel\n\nText mit **fett**.' }, options);
    expect(document.text).toBe('Titel\n\nText mit fett.');
    expect(document.sections).toEqual([{ headingPath: ['Titel'], charStart: 0, charEnd: document.text.length }]);
  });
});

describe('dispatch and limits', () => {
  it('refuses documents over the size limit with DocumentTooLargeError', async () => {
    const error = await failure(file('gross.txt', encode('a'.repeat(options.maxBytes + 1))));
    expect(error).toBeInstanceOf(DocumentTooLargeError);
    expect(error.code).toBe('document_too_large');
    const text = await failure({ kind: 'text', text: 'ä'.repeat(options.maxBytes) });
    expect(text.code).toBe('document_too_large');
  });

  it.each([
    // (A damaged ZIP named .docx or .odt is a damaged office file: archive_corrupt, tests/hostile-office-docs.test.ts.)
    ['archiv.zip', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], /ZIP archive/],
    // PNG, JPEG and TIFF are read by OCR (tests/loaders-ocr.test.ts); GIF stays unsupported.
    ['bild.gif', [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00], /GIF image/],
    ['programm.exe', [0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00], /binary data/],
  ])('refuses %s by its content as unsupported', async (fileName, bytes, message) => {
    const error = await failure(file(fileName, Uint8Array.from(bytes)));
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect(error.message).toMatch(message);
  });

  it('refuses unknown text types by name, saying what is supported', async () => {
    const error = await failure(file('tabelle.csv', encode('a;b;c\n1;2;3'), 'application/vnd.ms-excel'));
    expect(error).toBeInstanceOf(UnsupportedDocumentError);
    expect(error.message).toMatch(/Word \(DOCX\).*Excel \(XLSX\).*HTML, Markdown/);
  });

  it('reads a text file without an extension as plain text', async () => {
    const document = await loadDocument(file('LIESMICH', encode('Bitte lesen. Danke.')), options);
    expect(document.mimeType).toBe('text/plain');
  });

  it('stops when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadDocument(file('a.txt', encode('Text.')), { ...options, signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
