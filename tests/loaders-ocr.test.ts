import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { BelegError, UnsupportedDocumentError } from '../src/errors.ts';
import { parserPool } from '../src/ingest/isolate/parse-isolated.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { OcrProgress } from '../src/ingest/ocr/ocr-settings.ts';
import { splitSentences } from '../src/ingest/split-sentences.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';
import { characterErrorRate } from './helpers/character-error-rate.ts';
import { greyPixelsOf, greyTiff, hugePngHeader, loopingTiff } from './helpers/make-images.ts';
import { makeTextPdf } from './helpers/make-pdf.ts';

// OCR takes seconds per page on a small machine: each test reads at most the 3-page fixture once.
const OCR_TEST_TIMEOUT_MS = 120_000;
const options: LoadOptions = { maxBytes: 20 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const off: LoadOptions = { ...options, ocr: { mode: 'off', pageTimeoutMs: 60_000, maxPages: 500 } };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/ocr/${name}`, import.meta.url)));
const truth = JSON.parse(readFileSync(new URL('./fixtures/ocr/wohngeld-bescheid.truth.json', import.meta.url), 'utf8')) as { pages: string[] };

/** A single image keeps its running header (only repetition across pages tells a header from text). */
const HEADER = 'Stadtverwaltung Lindenau – Amt für Soziales und Wohnen';
const load = (fileName: string, bytes: Uint8Array, loadOptions = options) => loadDocument({ kind: 'file', fileName, bytes }, loadOptions);
const pageText = (document: LoadedDocument, number: number) => {
  const span = document.pages!.find((page) => page.number === number)!;
  return document.text.slice(span.charStart, span.charEnd);
};

async function failure(promise: Promise<unknown>): Promise<BelegError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

/** A PDF of a text page and then a page that is only the scanned PNG (a letter with a scanned attachment). */
async function mixedPdf(): Promise<Uint8Array> {
  const textPdf = await PDFDocument.load(
    await makeTextPdf({ pages: [{ paragraphs: [['Anschreiben der Stadtverwaltung Lindenau zum Wohngeldbescheid.'], ['Der Bescheid liegt als Scan bei.']] }] }),
  );
  const image = await textPdf.embedPng(fixture('wohngeld-seite-1.png'));
  const page = textPdf.addPage([595.28, 841.89]);
  page.drawImage(image, { x: 0, y: 0, width: 595.28, height: 841.89 });
  return textPdf.save();
}

afterAll(() => parserPool.close());

describe('OCR of a scanned PDF', () => {
  let document: LoadedDocument;
  const progress: OcrProgress[] = [];

  beforeAll(async () => {
    document = await load('bescheid-scan.pdf', fixture('wohngeld-bescheid-scan.pdf'), { ...options, onOcrProgress: (step) => progress.push(step) });
  }, OCR_TEST_TIMEOUT_MS);

  it('reads every page, keeps page numbers and marks each page as OCR with its confidence', () => {
    expect(document.pages?.map((page) => page.number)).toEqual([1, 2, 3]);
    for (const page of document.pages!) {
      expect(page.ocr).toBe(true);
      expect(page.ocrConfidence).toBeGreaterThan(0.8);
      expect(page.ocrConfidence).toBeLessThanOrEqual(1);
    }
    expect(document.mimeType).toBe('application/pdf');
    expect(document.language).toBe('de');
  });

  it('recognises the German text with a character error rate of at most 3 % per page', () => {
    truth.pages.forEach((expected, index) => {
      const rate = characterErrorRate(pageText(document, index + 1), expected);
      expect(rate, `page ${index + 1}`).toBeLessThanOrEqual(0.03);
    });
    // Umlauts, ß, amounts and dates survive.
    expect(document.text).toContain('Schloßstraße 14, 04177 Lindenau');
    expect(document.text).toContain('Das monatliche Wohngeld beträgt 287,00 Euro.');
    expect(document.text).toContain('31. Januar 2026');
  });

  it('joins words hyphenated at line ends and drops the running header and page numbers, as for text PDFs', () => {
    // "Spar-" / "kasse" and "einzule-" / "gen" are broken across lines in the scan.
    expect(document.text).toContain('Sparkasse Lindenau');
    expect(document.text).toContain('einzulegen.');
    expect(document.text).not.toMatch(/Spar-\s*kasse/);
    expect(document.text).not.toContain('Seite 2');
    expect(document.text.match(/Amt für Soziales und Wohnen –/g) ?? []).toHaveLength(0);
  });

  it('splits the recognised text into whole sentences', () => {
    const sentences = splitSentences(document.text, { marking: 'marked' }).map((span) => document.text.slice(span.charStart, span.charEnd));
    expect(sentences).toContain('Das monatliche Wohngeld beträgt 287,00 Euro.');
    expect(sentences).toContain('Ihre Sachbearbeiterin ist Frau Dr. Weißenböck.');
    // "12. März 2025." and "Dr." do not end sentences early.
    expect(sentences.some((sentence) => sentence.endsWith('Dr.'))).toBe(false);
  });

  it('reports OCR progress page by page', () => {
    expect(progress[0]).toEqual({ ocrPagesDone: 0, ocrPagesTotal: 3 });
    expect(progress.at(-1)).toEqual({ ocrPagesDone: 3, ocrPagesTotal: 3 });
    expect(progress.map((step) => step.ocrPagesDone)).toEqual([0, 1, 2, 3]);
  });
});

describe('OCR of mixed PDFs and images', () => {
  it(
    'reads only the page without a text layer of a mixed PDF',
    async () => {
      const progress: OcrProgress[] = [];
      const document = await load('brief.pdf', await mixedPdf(), { ...options, onOcrProgress: (step) => progress.push(step) });
      expect(document.pages).toHaveLength(2);
      expect(document.pages![0]!.ocr).toBeUndefined();
      expect(pageText(document, 1)).toContain('Der Bescheid liegt als Scan bei.');
      expect(document.pages![1]!.ocr).toBe(true);
      expect(pageText(document, 2)).toContain('Das monatliche Wohngeld beträgt 287,00 Euro.');
      expect(progress.at(-1)).toEqual({ ocrPagesDone: 1, ocrPagesTotal: 1 });
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'reads a PNG as a one-page document',
    async () => {
      const document = await load('seite-1.png', fixture('wohngeld-seite-1.png'));
      expect(document.mimeType).toBe('image/png');
      expect(document.pages).toHaveLength(1);
      expect(document.pages![0]).toMatchObject({ number: 1, charStart: 0, charEnd: document.text.length, ocr: true });
      expect(characterErrorRate(document.text, `${HEADER}\n\n${truth.pages[0]!}`)).toBeLessThanOrEqual(0.03);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'reads a JPEG (200 dpi, grey) whatever its name says',
    async () => {
      const document = await load('foto', fixture('wohngeld-seite-3-oben.jpg'));
      expect(document.mimeType).toBe('image/jpeg');
      expect(document.text).toContain('Rechtsbehelfsbelehrung');
      expect(document.text).toContain('Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.');
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'reads a page scanned 1.5° askew with noise and specks',
    async () => {
      const document = await load('schief.png', fixture('wohngeld-seite-2-schief.png'));
      expect(characterErrorRate(document.text, `${HEADER}\n\n${truth.pages[1]!}`)).toBeLessThanOrEqual(0.03);
      expect(document.text).toContain('Geldbuße bis zu 2.000 Euro');
      // Specks between words are not read as sentence ends.
      const sentences = splitSentences(document.text, { marking: 'marked' }).map((span) => document.text.slice(span.charStart, span.charEnd));
      expect(sentences.filter((sentence) => /^[.,;:|]/.test(sentence) || /\s[.,;:|]$/.test(sentence))).toEqual([]);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'reads the first page of a multi-page TIFF',
    async () => {
      const page = await greyPixelsOf(fixture('wohngeld-seite-1.png'));
      const blank = { ...page, pixels: new Uint8Array(page.pixels.length).fill(255) };
      const document = await load('scan.tif', greyTiff([page, blank]));
      expect(document.mimeType).toBe('image/tiff');
      expect(document.pages).toHaveLength(1);
      expect(document.text).toContain('Bescheid über Wohngeld');
    },
    OCR_TEST_TIMEOUT_MS,
  );
});

describe('OCR time budget', () => {
  it(
    'gives OCR its own time per page, so that the parse deadline does not stop a legitimate scan',
    async () => {
      const started = performance.now();
      // The deadline must leave room to start a parser and open the PDF before OCR announces its
      // pages (over a second on a loaded 2-core CI machine: 1 s made this test flaky); reading the
      // three 300-dpi pages then takes longer than the deadline, which OCR's own budget allows.
      const parseTimeoutMs = 4000;
      const document = await load('scan.pdf', fixture('wohngeld-bescheid-scan.pdf'), { ...options, parseTimeoutMs });
      expect(performance.now() - started).toBeGreaterThan(parseTimeoutMs);
      expect(document.text).toContain('Bescheid über Wohngeld');
      expect(document.pages?.every((page) => page.ocr)).toBe(true);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it(
    'stops a page that runs past the per-page limit with ocr_timeout, naming the page',
    async () => {
      const error = await failure(load('scan.pdf', fixture('wohngeld-bescheid-scan.pdf'), { ...options, ocr: { mode: 'auto', pageTimeoutMs: 300, maxPages: 500 } }));
      expect(error.code).toBe('ocr_timeout');
      expect(error.details).toMatchObject({ page: 1, timeoutMs: 300 });
      expect(error.message).toMatch(/BELEG_OCR_PAGE_TIMEOUT_MS/);
    },
    OCR_TEST_TIMEOUT_MS,
  );

  it('refuses more scanned pages than BELEG_OCR_MAX_PAGES before reading any', async () => {
    const error = await failure(load('scan.pdf', fixture('wohngeld-bescheid-scan.pdf'), { ...options, ocr: { mode: 'auto', pageTimeoutMs: 60_000, maxPages: 2 } }));
    expect(error.code).toBe('ocr_too_many_pages');
    expect(error.details).toMatchObject({ pageCount: 3, limitPages: 2 });
  });
});

describe('BELEG_OCR=off', () => {
  it('is read from the environment, auto by default', () => {
    expect(loadConfig({}).ocr).toBe('auto');
    expect(loadConfig({ BELEG_OCR: 'off' }).ocr).toBe('off');
    expect(loadConfig({ BELEG_OCR_PAGE_TIMEOUT_MS: '5000' }).limits.ocrPageTimeoutMs).toBe(5000);
    expect(() => loadConfig({ BELEG_OCR: 'always' })).toThrow(/ocr/);
  });

  it('refuses a scanned PDF as pdf_scanned, saying how to switch OCR on', async () => {
    const error = await failure(load('scan.pdf', fixture('wohngeld-bescheid-scan.pdf'), off));
    expect(error.code).toBe('pdf_scanned');
    expect(error.message).toMatch(/OCR\) is switched off/);
    expect(error.message).toMatch(/BELEG_OCR=auto/);
  });

  it('refuses images clearly, before any parsing', async () => {
    for (const [name, bytes, kind] of [
      ['seite.png', fixture('wohngeld-seite-1.png'), /PNG image/],
      ['seite.jpg', fixture('wohngeld-seite-3-oben.jpg'), /JPEG image/],
    ] as const) {
      const error = await failure(load(name, bytes, off));
      expect(error).toBeInstanceOf(UnsupportedDocumentError);
      expect(error.message).toMatch(kind);
      expect(error.message).toMatch(/BELEG_OCR=auto/);
    }
  });

  it('still reads the text pages of a mixed PDF', async () => {
    const document = await load('brief.pdf', await mixedPdf(), off);
    expect(document.text).toContain('Der Bescheid liegt als Scan bei.');
    expect(document.pages!.some((page) => page.ocr)).toBe(false);
  });
});

describe('hostile images', () => {
  it('refuses a PNG declaring 100000 × 100000 pixels by its header, before decoding', async () => {
    const started = performance.now();
    const error = await failure(load('riesig.png', hugePngHeader()));
    expect(error.code).toBe('image_too_large');
    expect(error.message).toMatch(/100000 × 100000/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses a JPEG declaring 65535 × 65535 pixels by its header', async () => {
    const jpeg = fixture('wohngeld-seite-3-oben.jpg').slice();
    const view = new DataView(jpeg.buffer);
    for (let offset = 2; offset < jpeg.length - 9; ) {
      const marker = jpeg[offset + 1]!;
      if (marker === 0xc0 || marker === 0xc2) {
        view.setUint16(offset + 5, 65535);
        view.setUint16(offset + 7, 65535);
        break;
      }
      offset += 2 + view.getUint16(offset + 2);
    }
    expect((await failure(load('riesig.jpg', jpeg))).code).toBe('image_too_large');
  });

  it(
    'refuses a cut-off or garbled image with image_corrupt',
    async () => {
      const png = fixture('wohngeld-seite-1.png');
      const garbled = png.slice();
      garbled.fill(0x5a, 64, garbled.length - 12);
      for (const [name, bytes] of [
        ['halb.jpg', fixture('wohngeld-seite-3-oben.jpg').slice(0, 400)],
        ['kopf.png', png.slice(0, 20)],
        ['kaputt.png', garbled],
        ['kreis.tif', loopingTiff()],
        ['falsch.png', new TextEncoder().encode('kein Bild, nur Text mit der Endung .png')],
      ] as const) {
        const error = await failure(load(name, bytes));
        expect(['image_corrupt', 'ocr_no_text'], `${name}: ${error.code} ${error.message}`).toContain(error.code);
      }
    },
    OCR_TEST_TIMEOUT_MS,
  );
});
