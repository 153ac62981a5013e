import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BelegError, CancelledError, UnprocessableDocumentError } from '../src/errors.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';
import { makeImageOnlyPdf, makeTextPdf } from './helpers/make-pdf.ts';

const options: LoadOptions = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/documents/${name}`, import.meta.url)));

function loadPdf(bytes: Uint8Array, fileName = 'dokument.pdf'): Promise<LoadedDocument> {
  return loadDocument({ kind: 'file', fileName, bytes }, options);
}

/** The paragraphs and headings of a LibreOffice source document, as written. */
function sourceParagraphs(name: string): string[] {
  const source = readFileSync(new URL(`./fixtures/documents/sources/${name}`, import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('<office:text>'));
  return [...body.matchAll(/<text:[ph][^>]*>([\s\S]*?)<\/text:[ph]>/g)].map((match) =>
    match[1]!.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&'),
  );
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<BelegError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, `expected an error with code ${code}`).toBeInstanceOf(BelegError);
  expect((error as BelegError).code).toBe(code);
  return error as BelegError;
}

describe('PDF loader on LibreOffice PDFs', () => {
  it('extracts exactly the words of the source: hyphenation undone, header and page numbers dropped', async () => {
    const document = await loadPdf(fixture('strassenbahn-libreoffice.pdf'));
    // Exactly the source's paragraphs, one blank line apart: nothing added, lost or split.
    expect(document.text).toBe(sourceParagraphs('strassenbahn-libreoffice.fodt').join('\n\n'));
    expect(document.text).toContain('grundlegend verändert');
    expect(document.text).toContain('Die Nord-Süd-Verbindung wurde 1896 elektrifiziert.');
    expect(document.text).not.toContain('Stadtchronik');
    expect(document.text).not.toMatch(/Seite \d/);
    expect(document.mimeType).toBe('application/pdf');
    expect(document.title).toBe('Die Straßenbahn in Düsseldorf');
    expect(document.language).toBe('de');
  });

  it('keeps paragraph breaks and gives page spans that start where each page starts', async () => {
    const document = await loadPdf(fixture('strassenbahn-libreoffice.pdf'));
    expect(document.text).toContain('zwischen den Vierteln.\n\nDie Nord-Süd-Verbindung');
    expect(document.pages?.map((page) => page.number)).toEqual([1, 2, 3]);
    const [first, second, third] = document.pages!;
    expect(first!.charStart).toBe(0);
    expect(document.text.slice(second!.charStart)).toMatch(/^Die Zeit nach dem Krieg/);
    expect(document.text.slice(third!.charStart)).toMatch(/^Ausblick/);
    expect(first!.charEnd).toBe(second!.charStart);
    expect(third!.charEnd).toBe(document.text.length);
  });

  it('reads a 51-page report word for word, keeping chapter headings and paragraphs that cross pages', async () => {
    const document = await loadPdf(fixture('stadtbericht-libreoffice.pdf'));
    expect(document.pages).toHaveLength(51);
    expect(document.text).toBe(sourceParagraphs('stadtbericht-libreoffice.fodt').join('\n\n'));
    expect(document.text).toContain('Kapitel 50: Bericht über das Jahr 1998');
    expect(document.text).not.toContain('Archiv der Stadt');
  });

  it('follows paragraphs through two columns and across pages', async () => {
    const document = await loadPdf(fixture('rhein-spalten-libreoffice.pdf'));
    expect(document.pages).toHaveLength(2);
    expect(document.text).toBe(sourceParagraphs('rhein-spalten-libreoffice.fodt').join('\n\n'));
    expect(document.text).not.toContain('Flussgeschichten');
  });

  it('reads a PDF encrypted with an owner password only (no password needed to open)', async () => {
    const document = await loadPdf(fixture('strassenbahn-owner-password-only.pdf'));
    expect(document.text).toContain('Die erste Pferdebahn fuhr am 24. März 1882');
  });

  it('refuses a password-protected PDF with pdf_encrypted', async () => {
    const error = await expectCode(loadPdf(fixture('strassenbahn-encrypted.pdf')), 'pdf_encrypted');
    expect(error).toBeInstanceOf(UnprocessableDocumentError);
    expect(error.message).toMatch(/password/);
  });
});

describe('PDF loader on pdf-lib PDFs', () => {
  const twoPages = () =>
    makeTextPdf({
      header: 'Stadtgeschichte Düsseldorf',
      pageNumbers: true,
      title: 'Verkehr in Düsseldorf',
      pages: [
        {
          paragraphs: [
            ['Die Straßenbahn ist ein wichtiges Verkehrs-', 'mittel in der Stadt. Die Nord-', 'Süd-Verbindung wurde 1882 eröffnet.'],
            ['Viele US-', 'amerikanische Besucher bestaunen die Größe der Brücken.'],
          ],
        },
        { paragraphs: [['Auf der zweiten Seite geht es um die Ost-West-Achse und', 'die Grünflächen am Fluss.']] },
      ],
    });

  it('joins words hyphenated at line ends and keeps real hyphens', async () => {
    const document = await loadPdf(await twoPages());
    expect(document.text).toContain('ein wichtiges Verkehrsmittel in der Stadt.');
    expect(document.text).toContain('Die Nord-Süd-Verbindung wurde 1882 eröffnet.');
    expect(document.text).toContain('Viele US-amerikanische Besucher bestaunen die Größe der Brücken.');
    expect(document.text).toContain('die Ost-West-Achse und die Grünflächen am Fluss.');
  });

  it('drops the running header and "Seite N von M" and separates paragraphs', async () => {
    const document = await loadPdf(await twoPages());
    expect(document.text).toBe(
      'Die Straßenbahn ist ein wichtiges Verkehrsmittel in der Stadt. Die Nord-Süd-Verbindung wurde 1882 eröffnet.\n\n' +
        'Viele US-amerikanische Besucher bestaunen die Größe der Brücken.\n\n' +
        'Auf der zweiten Seite geht es um die Ost-West-Achse und die Grünflächen am Fluss.',
    );
    expect(document.pages?.map((page) => document.text.slice(page.charStart, page.charStart + 12))).toEqual(['Die Straßenb', 'Auf der zwei']);
    expect(document.title).toBe('Verkehr in Düsseldorf');
  });

  it('drops bare page numbers', async () => {
    const bytes = await makeTextPdf({
      pageNumbers: true,
      bareNumbers: true,
      pages: [{ paragraphs: [['Erste Seite mit Text über Bäume.']] }, { paragraphs: [['Zweite Seite mit Text über Flüsse.']] }],
    });
    const document = await loadPdf(bytes);
    expect(document.text).toBe('Erste Seite mit Text über Bäume.\n\nZweite Seite mit Text über Flüsse.');
  });

  it('joins a paragraph that runs on to the next page, also before a capitalised noun', async () => {
    const bytes = await makeTextPdf({
      header: 'Chronik',
      pages: [
        { paragraphs: [['Die neue Brücke über den Rhein wurde im Jahr 1929 nach einer langen', 'und äußerst schwierigen Planungsphase endlich für den gesamten']] },
        // The paragraph goes on after a sentence end: its line runs to the margin, as laid-out text does.
        { paragraphs: [['Verkehr freigegeben. Danach kamen die Autos, die Busse und bald', 'auch die Straßenbahn.']] },
      ],
    });
    const document = await loadPdf(bytes);
    expect(document.text).toBe(
      'Die neue Brücke über den Rhein wurde im Jahr 1929 nach einer langen und äußerst schwierigen Planungsphase endlich für den gesamten Verkehr freigegeben. Danach kamen die Autos, die Busse und bald auch die Straßenbahn.',
    );
    expect(document.pages?.[1]?.charStart).toBe(document.text.indexOf('Verkehr freigegeben'));
    const lowerCase = await loadPdf(
      await makeTextPdf({
        header: 'Chronik',
        pages: [{ paragraphs: [['Die Brücke über den Rhein wurde nach einer langen Bau-']] }, { paragraphs: [['zeit eröffnet.']] }],
      }),
    );
    expect(lowerCase.text).toBe('Die Brücke über den Rhein wurde nach einer langen Bauzeit eröffnet.');
    expect(lowerCase.pages?.[1]?.charStart).toBe(lowerCase.text.indexOf('zeit eröffnet'));
  });

  it('does not join a short heading at the bottom of a page to the next page', async () => {
    const bytes = await makeTextPdf({
      header: 'Chronik',
      pages: [
        { paragraphs: [['Die Brücke über den Rhein wurde im Jahr 1929 für den Verkehr freigegeben.'], ['Ausblick']] },
        { paragraphs: [['Neue Brücken sind geplant.']] },
      ],
    });
    expect((await loadPdf(bytes)).text).toBe('Die Brücke über den Rhein wurde im Jahr 1929 für den Verkehr freigegeben.\n\nAusblick\n\nNeue Brücken sind geplant.');
  });

  it('reads a PDF whatever its file name says', async () => {
    const document = await loadPdf(await twoPages(), 'notizen.txt');
    expect(document.mimeType).toBe('application/pdf');
  });
});

describe('PDF loader on bad PDFs', () => {
  it('refuses a PDF without a text layer as scanned when OCR is off, saying how to switch it on', async () => {
    const bytes = await makeImageOnlyPdf(3);
    const error = await expectCode(loadDocument({ kind: 'file', fileName: 'scan.pdf', bytes }, { ...options, ocr: { mode: 'off', pageTimeoutMs: 60_000, maxPages: 500 } }), 'pdf_scanned');
    expect(error.message).toMatch(/scanned/);
    expect(error.message).toMatch(/BELEG_OCR=auto/);
  });

  it('refuses a PDF whose pages are images without any text with ocr_no_text (OCR on)', async () => {
    const error = await expectCode(loadPdf(await makeImageOnlyPdf(1)), 'ocr_no_text');
    expect(error.message).toMatch(/no text/);
  }, 60_000);

  it('refuses a PDF truncated at many offsets with pdf_corrupt', async () => {
    const bytes = fixture('strassenbahn-libreoffice.pdf');
    for (const fraction of [0.01, 0.1, 0.33, 0.5, 0.75, 0.9, 0.99]) {
      const cut = Math.floor(bytes.length * fraction);
      await expectCode(loadPdf(bytes.slice(0, cut)), 'pdf_corrupt');
    }
  });

  it('refuses a PDF whose body was overwritten with pdf_corrupt', async () => {
    const bytes = await makeTextPdf({ pages: [{ paragraphs: [['Ein Satz über Bäume und Wälder.']] }] });
    const damaged = new Uint8Array(bytes);
    damaged.fill(0x41, 16, bytes.length - 40);
    await expectCode(loadPdf(damaged), 'pdf_corrupt');
  });

  it('refuses a file named .pdf that is not a PDF with pdf_corrupt', async () => {
    await expectCode(loadPdf(new TextEncoder().encode('Das ist nur Text.'), 'bericht.pdf'), 'pdf_corrupt');
  });

  it('refuses an empty file with empty_document', async () => {
    await expectCode(loadPdf(new Uint8Array(0)), 'empty_document');
  });

  it('stops between pages when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = loadDocument({ kind: 'file', fileName: 'bericht.pdf', bytes: fixture('stadtbericht-libreoffice.pdf') }, { ...options, signal: controller.signal });
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
  });

  it('leaves the caller its bytes (pdf.js gets a copy)', async () => {
    const bytes = fixture('strassenbahn-libreoffice.pdf');
    const document = await loadPdf(bytes);
    expect(bytes.length).toBeGreaterThan(0);
    expect(document.bytes).toBe(bytes);
  });
});
