/**
 * Hostile DOCX, ODT and RTF files through the real ingestion service (SQLite, LanceDB, the loaders
 * in their parser process), as tests/hostile-documents.test.ts does for PDFs and HTML: each ends as
 * a clean per-document error or a correct parse within 30 s, beleg and its parser stay under 2 GB
 * of memory, and good documents in the same batch become ready and searchable.
 */
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentInput, DocumentRecord } from '../src/ingest/types.ts';
import { zeroBomb } from './helpers/hostile-documents.ts';
import { makeDocx, makeDocxWithDocumentXml, oleFile, rawZip, WORD_NAMESPACES, wordParagraph } from './helpers/make-office.ts';
import { expectOutcomes, openMeasuredContext, type Expectation } from './helpers/hostile-batch.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

type Case = { name: string; input: DocumentInput; expect: Expectation };

const GOOD_SENTENCE = 'Die Wuppertaler Schwebebahn fährt seit 1901 über der Wupper.';
const ANKER = 'Der Bodensee liegt zwischen Deutschland, Österreich und der Schweiz.';
const encoder = new TextEncoder();
const file = (fileName: string, bytes: Uint8Array): DocumentInput => ({ kind: 'file', fileName, bytes });
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/office-docs/${name}`, import.meta.url)));
/** RTF is 7-bit: characters beyond ASCII as \\'hh (Windows-1252 = Latin-1 for German letters). */
const rtfText = (text: string) => text.replace(/[^\x00-\x7f]/g, (character) => `\\'${character.charCodeAt(0).toString(16)}`);
const documentXml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><w:document ${WORD_NAMESPACES}><w:body>${body}</w:body></w:document>`;

function zipBomb(declaredSize: number): Uint8Array {
  const deflated = zeroBomb(1024 ** 3); // 1 GiB of zeros in 6.8 MB
  return rawZip([{ name: 'word/document.xml', data: deflated.subarray(2, deflated.length - 4), method: 8, crc: 0, declaredSize }]);
}

function corpus(): Case[] {
  const docx = fixture('stadtbericht.docx');
  const odt = fixture('stadtbericht.odt');
  const rtf = fixture('stadtbericht.rtf');
  const entityBomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, index) => `<!ENTITY lol${index + 1} "${`&lol${index || ''};`.repeat(10)}">`).join('')}]>${documentXml('<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>')}`;
  const deep = 100_000;
  const cut = (bytes: Uint8Array, fraction: number) => bytes.slice(0, Math.floor(bytes.length * fraction));
  const manyEntries = Object.fromEntries(Array.from({ length: 20_001 }, (_, index) => [`word/media/bild${index}.xml`, encoder.encode('<a/>')]));
  return [
    // 1 GiB of zeros declared honestly: refused by its declared size before inflating.
    { name: 'zip bomb DOCX', input: file('bombe.docx', zipBomb(1024 ** 3)), expect: { codes: ['archive_too_large'] } },
    // The same bomb declaring 4 KiB: inflating stops at the declared size; zeros are no XML.
    { name: 'zip bomb DOCX lying about its size', input: file('luege.docx', zipBomb(4096)), expect: { codes: ['xml_invalid', 'archive_corrupt', 'parse_out_of_memory'] } },
    { name: 'DOCX with 20 001 parts', input: file('teile.docx', zipSync({ 'word/document.xml': encoder.encode(documentXml(wordParagraph(ANKER))), ...manyEntries })), expect: { codes: ['archive_too_large'] } },
    { name: 'entity bomb in word/document.xml', input: file('lol.docx', makeDocxWithDocumentXml(entityBomb)), expect: { codes: ['xml_invalid'] } },
    {
      name: 'DOCX nested 10^5 deep',
      input: file('tief.docx', makeDocxWithDocumentXml(documentXml(`${'<w:sdt><w:sdtContent>'.repeat(deep / 2)}${wordParagraph(ANKER)}${'</w:sdtContent></w:sdt>'.repeat(deep / 2)}`))),
      expect: { codes: ['xml_invalid'] },
    },
    {
      name: 'ODT nested 10^5 deep',
      input: file(
        'tief.odt',
        zipSync({
          mimetype: encoder.encode('application/vnd.oasis.opendocument.text'),
          'content.xml': encoder.encode(
            `<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>${'<text:section>'.repeat(deep)}<text:p>${ANKER}</text:p>${'</text:section>'.repeat(deep)}</office:text></office:body></office:document-content>`,
          ),
        }),
      ),
      expect: { codes: ['xml_invalid'] },
    },
    {
      name: '10^5 empty paragraphs around one sentence',
      input: file('leer.docx', makeDocx({ body: `${'<w:p/>'.repeat(50_000)}${wordParagraph('Zwischen leeren Absätzen steht ein Satz über die Elbe.')}${'<w:p><w:r><w:t> </w:t></w:r></w:p>'.repeat(50_000)}` })),
      expect: { codes: [], ready: true, text: 'Zwischen leeren Absätzen steht ein Satz über die Elbe.' },
    },
    { name: 'no XML at all in word/document.xml', input: file('muell.docx', makeDocxWithDocumentXml(new Uint8Array(4096).fill(0xff))), expect: { codes: ['xml_invalid'] } },
    ...[0.2, 0.5, 0.9, 0.99].map((fraction) => ({ name: `DOCX cut at ${fraction}`, input: file(`cut-${fraction}.docx`, cut(docx, fraction)), expect: { codes: ['archive_corrupt'] } })),
    ...[0.5, 0.95].map((fraction) => ({ name: `ODT cut at ${fraction}`, input: file(`cut-${fraction}.odt`, cut(odt, fraction)), expect: { codes: ['archive_corrupt'] } })),
    { name: 'password-protected DOCX (OLE with EncryptedPackage)', input: file('geheim.docx', oleFile(['Root Entry', 'EncryptionInfo', 'EncryptedPackage'])), expect: { codes: ['office_encrypted'] } },
    {
      name: 'password-protected ODT',
      input: file(
        'geheim.odt',
        zipSync({
          mimetype: encoder.encode('application/vnd.oasis.opendocument.text'),
          'META-INF/manifest.xml': encoder.encode(
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>',
          ),
          'content.xml': Uint8Array.from({ length: 2048 }, (_, index) => (index * 7919) % 256),
        }),
      ),
      expect: { codes: ['office_encrypted'] },
    },
    { name: 'old binary .doc', input: file('alt.doc', oleFile(['Root Entry', 'WordDocument'])), expect: { codes: ['unsupported_document'] } },
    {
      name: 'RTF nested 10^6 groups deep',
      input: file('tief.rtf', encoder.encode(`{\\rtf1\\ansi ${'{'.repeat(1_000_000)}${rtfText(ANKER)}${'}'.repeat(1_000_000)}\\par}`)),
      expect: { codes: [], ready: true, text: ANKER },
    },
    {
      name: 'RTF with a 20 MB picture',
      input: file('bild.rtf', encoder.encode(`{\\rtf1\\ansi {\\pict\\pngblip ${'89ab'.repeat(5_000_000)}}${rtfText('Ein Satz neben dem Bild über den Main.')}\\par}`)),
      expect: { codes: [], ready: true, text: 'Ein Satz neben dem Bild über den Main.' },
    },
    {
      name: 'RTF with huge and negative parameters, \\bin past the end, unclosed groups',
      input: file('kaputt.rtf', encoder.encode(`{\\rtf1\\ansi\\uc99999999 \\u-99999999999?Der Rhein flie\\'dft nach Norden.\\par{\\fs-2147483648{\\f99999999999 Text\\bin999999999 `)),
      expect: { codes: ['office_no_content'], ready: true, text: 'fließt nach Norden.' },
    },
    { name: 'RTF cut in the middle', input: file('halb.rtf', cut(rtf, 0.6)), expect: { codes: [], ready: true, text: 'Die Stadt Kemnath zählte Ende 2023 genau 5.612 Einwohner.' } },
    { name: 'text named .rtf', input: file('text.rtf', encoder.encode('Das ist gar kein RTF.')), expect: { codes: ['rtf_corrupt'] } },
  ];
}

describe('hostile office documents', () => {
  it('each ends as a clean per-document error or a correct parse within 30 s, memory < 2 GB, good documents in the batch ready', async () => {
    const measured = await openMeasuredContext();
    const { context } = measured;
    try {
      const cases = corpus();
      const goodDocx = makeDocx({ body: wordParagraph(`${GOOD_SENTENCE} Sie ist ein Wahrzeichen.`) });
      const submitted: { name: string; record: DocumentRecord; expect?: Expectation }[] = [];
      submitted.push({ name: 'good text', record: await context.ingestion.submit({ kind: 'text', title: 'Gut', text: `${GOOD_SENTENCE} Auch sonntags.` }) });
      for (const item of cases) {
        submitted.push({ name: item.name, record: await context.ingestion.submit(item.input), expect: item.expect });
        if (item.name === 'zip bomb DOCX lying about its size') submitted.push({ name: 'good docx', record: await context.ingestion.submit(file('gut.docx', goodDocx)) });
      }
      submitted.push({ name: 'good rtf', record: await context.ingestion.submit(file('gut.rtf', encoder.encode(`{\\rtf1\\ansi ${rtfText(GOOD_SENTENCE)} Auch nachts.\\par}`))) });

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
      console.info(
        `hostile office documents: ${outcomes.length} settled, slowest load ${Math.round(slowest.milliseconds)} ms (${slowest.name}), peak RSS (beleg + parser) ${Math.round(peakBytes / 1024 ** 2)} MiB`,
      );
    } finally {
      await measured.close();
    }
  }, 240_000);
});
