/**
 * Hostile documents through the real ingestion service (SQLite, LanceDB, the real loaders in their
 * parser process): every broken, malicious or mislabelled file ends as a clean per-document error
 * (or a correct parse) within 30 s, the memory of beleg and its parser stays under 2 GB, and good
 * documents submitted in the same batch still become ready and searchable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentInput, DocumentRecord } from '../src/ingest/types.ts';
import {
  compressionBombPdf,
  deeplyNestedHtml,
  flippedBytes,
  hugeHtml,
  hugeObjectStreamPdf,
  invalidUtf8,
  millionPagePdf,
  nulBytes,
  pngImage,
  randomBinary,
  selfDrawingFormPdf,
  selfReferencingPageTreePdf,
  truncations,
} from './helpers/hostile-documents.ts';
import { hugePngHeader, loopingTiff } from './helpers/make-images.ts';
import { makeImageOnlyPdf, makeTextPdf } from './helpers/make-pdf.ts';
import { expectOutcomes, openMeasuredContext, type Expectation } from './helpers/hostile-batch.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

/** What a hostile input may end as: failed with one of these codes, or ready (when `ready` lists it). */
type Case = { name: string; input: DocumentInput; expect: Expectation };

const GOOD_SENTENCE = 'Die Wuppertaler Schwebebahn fährt seit 1901 über der Wupper.';
const RHEIN = 'Der Rhein ist ein Strom in Mitteleuropa.';
const file = (fileName: string, bytes: Uint8Array): DocumentInput => ({ kind: 'file', fileName, bytes });

async function corpus(): Promise<Case[]> {
  const pdf = await makeTextPdf({
    title: 'Stadtgeschichte',
    pages: [{ paragraphs: [['Die Altstadt von Lübeck gehört zum Weltkulturerbe.'], ['Das Holstentor wurde 1478 fertiggestellt.']] }],
  });
  // A flipped byte can also hide the text layer: then OCR reads the page (and finds little).
  const pdfCodes = ['pdf_corrupt', 'pdf_scanned', 'pdf_encrypted', 'unsupported_document', 'parse_failed', 'ocr_no_text'];
  const html = new TextEncoder().encode(`<html><body><main><p>${RHEIN}</p></main></body></html>`);
  return [
    ...truncations(pdf, 16).map((item) => ({ name: item.name, input: file(item.fileName, item.bytes), expect: { codes: ['pdf_corrupt'] } })),
    // A flip may land in a harmless place (padding, an unused object): then a correct parse is fine.
    ...flippedBytes(pdf, 8, 12).map((item) => ({ name: item.name, input: file(item.fileName, item.bytes), expect: { codes: pdfCodes, ready: true } })),
    { name: 'page tree declaring 10^6 pages', input: file('millionen.pdf', millionPagePdf()), expect: { codes: ['pdf_too_many_pages'] } },
    { name: 'page tree containing itself', input: file('kreis.pdf', selfReferencingPageTreePdf()), expect: { codes: ['pdf_corrupt'] } },
    // No text layer: OCR renders the page, and pdf.js must not recurse into the form without end.
    { name: 'form XObject drawing itself', input: file('rekursion.pdf', selfDrawingFormPdf()), expect: { codes: ['ocr_no_text', 'ocr_failed', 'pdf_corrupt'] } },
    { name: 'object stream claiming 10^6 objects', input: file('objekte.pdf', hugeObjectStreamPdf()), expect: { codes: [], ready: true, text: RHEIN } },
    // 2 GiB of zeros in one FlateDecode stream (13.5 MB on disk): the page font's file.
    { name: 'compression bomb', input: file('bombe.pdf', compressionBombPdf()), expect: { codes: ['parse_out_of_memory', 'parse_timeout'] } },
    { name: 'HTML of 50 MB', input: file('riesig.html', hugeHtml(50_000_000)), expect: { codes: ['html_too_large'] } },
    {
      name: 'HTML nested 200 000 deep',
      input: file('tief.html', deeplyNestedHtml(200_000)),
      expect: { codes: [], ready: true, text: 'Tief verschachtelt steht hier ein Satz.' },
    },
    { name: 'invalid UTF-8', input: file('kaputt.txt', invalidUtf8()), expect: { codes: [], ready: true } },
    { name: 'NUL bytes in text', input: file('nullen.txt', nulBytes()), expect: { codes: ['unsupported_document'] } },
    { name: '0-byte file', input: file('leer.pdf', new Uint8Array()), expect: { codes: ['empty_document'] } },
    // Content wins over the name: a 1 × 1 PNG is read by OCR, which finds nothing.
    { name: 'PNG named .pdf', input: file('bild.pdf', pngImage()), expect: { codes: ['ocr_no_text'] } },
    { name: 'PNG declaring 100000 × 100000 pixels', input: file('riesig.png', hugePngHeader()), expect: { codes: ['image_too_large'] } },
    { name: 'TIFF directory pointing at itself', input: file('kreis.tif', loopingTiff()), expect: { codes: ['image_corrupt', 'ocr_no_text'] } },
    { name: 'scan of 600 empty pages', input: file('leer.pdf', await makeImageOnlyPdf(600)), expect: { codes: ['ocr_too_many_pages'] } },
    { name: 'random binary named .txt', input: file('zufall.txt', randomBinary(20_000)), expect: { codes: ['unsupported_document'] } },
    { name: 'PDF named .txt', input: file('tarnung.txt', pdf), expect: { codes: [], ready: true, text: 'Das Holstentor wurde 1478 fertiggestellt.' } },
    // A name promising a PDF without a PDF header is refused rather than guessed at.
    { name: 'HTML named .pdf', input: file('seite.pdf', html), expect: { codes: ['pdf_corrupt'] } },
    // (Other bytes than the .pdf one: identical uploads are one document.)
    { name: 'HTML named .txt', input: file('seite.txt', new TextEncoder().encode(`<!doctype html>${new TextDecoder().decode(html)}`)), expect: { codes: [], ready: true, text: RHEIN } },
  ];
}

describe('hostile documents', () => {
  it('each ends as a clean per-document error or a correct parse within 30 s, memory < 2 GB, good documents in the batch ready', async () => {
    const measured = await openMeasuredContext();
    const { context } = measured;
    try {
      const cases = await corpus();
      const goodPdf = await makeTextPdf({ pages: [{ paragraphs: [[GOOD_SENTENCE]] }] });
      const submitted: { name: string; record: DocumentRecord; expect?: Expectation }[] = [];
      // Good documents first, in the middle (right after the bomb) and last.
      submitted.push({ name: 'good text', record: await context.ingestion.submit({ kind: 'text', title: 'Gut', text: `${GOOD_SENTENCE} Sie ist ein Wahrzeichen.` }) });
      for (const item of cases) {
        submitted.push({ name: item.name, record: await context.ingestion.submit(item.input), expect: item.expect });
        if (item.name === 'compression bomb') submitted.push({ name: 'good pdf', record: await context.ingestion.submit(file('gut.pdf', goodPdf)) });
      }
      submitted.push({ name: 'good markdown', record: await context.ingestion.submit({ kind: 'text', fileName: 'gut.md', text: `# Wuppertal\n\n${GOOD_SENTENCE} Auch nachts.` }) });

      const outcomes = await Promise.all(submitted.map(async (item) => ({ ...item, final: await context.ingestion.settled(item.record.id) })));
      await expectOutcomes(context, outcomes);
      const slowest = measured.slowest();
      const peakBytes = measured.peakBytes();
      expect(slowest.milliseconds).toBeLessThan(30_000);
      expect(peakBytes).toBeLessThan(2 * 1024 ** 3);

      const ready = await context.ingestion.readyDocumentIds();
      const hits = await context.store.searchText('Schwebebahn Wupper', { limit: 10, documentIds: ready });
      const goodIds = outcomes.filter((item) => item.name.startsWith('good')).map((item) => item.final.id);
      expect(new Set(hits.map((hit) => hit.chunk.documentId))).toEqual(new Set(goodIds));
      // Failed documents leave no chunks behind.
      const failedIds = new Set(outcomes.filter((item) => item.final.status === 'failed').map((item) => item.final.id));
      for (const id of failedIds) expect(await context.store.chunksOf(id), id).toEqual([]);
      console.info(
        `hostile documents: ${outcomes.length} settled, slowest load ${Math.round(slowest.milliseconds)} ms (${slowest.name}), peak RSS (beleg + parser) ${Math.round(peakBytes / 1024 ** 2)} MiB`,
      );
    } finally {
      await measured.close();
    }
  }, 120_000);
});
