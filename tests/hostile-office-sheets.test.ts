/**
 * Hostile presentations and spreadsheets through the real ingestion service (SQLite, LanceDB,
 * the loaders in their parser process): each ends as a clean coded error or a correct parse
 * within 30 s, beleg and its parser stay under 2 GB, and a good workbook in the same batch
 * becomes ready and searchable.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentInput, DocumentRecord } from '../src/ingest/types.ts';
import {
  danglingPptx,
  deeplyNestedPptx,
  deeplyNestedXlsx,
  emptyRepeatsOds,
  emptyRowsXlsx,
  entityBombOdp,
  entityBombXlsx,
  lyingZipBombXlsx,
  repeatedColumnsOds,
  repeatedRowsOds,
  wholeSheetDimensionXlsx,
  zipBombXlsx,
} from './helpers/hostile-office.ts';
import { flippedBytes, truncations } from './helpers/hostile-documents.ts';
import { expectOutcomes, openMeasuredContext, type Expectation } from './helpers/hostile-batch.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

type Case = { name: string; input: DocumentInput; expect: Expectation };

const file = (fileName: string, bytes: Uint8Array): DocumentInput => ({ kind: 'file', fileName, bytes });
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/office/${name}`, import.meta.url)));

function corpus(): Case[] {
  const workbook = fixture('haushaltsplan.xlsx');
  const damaged = ['archive_corrupt', 'xml_invalid', 'empty_document', 'unsupported_document', 'parse_failed'];
  return [
    { name: 'zip bomb XLSX (300 MiB in one part)', input: file('bombe.xlsx', zipBombXlsx()), expect: { codes: ['archive_too_large'] } },
    // The headers say 1 000 bytes: the size check passes, and the inflater stops where the header said.
    {
      name: 'zip bomb XLSX with lying sizes (300 MiB declared as 1 000 bytes)',
      input: file('luege.xlsx', lyingZipBombXlsx(300 * 1024 * 1024)),
      expect: { codes: ['xml_invalid', 'archive_corrupt', 'parse_out_of_memory'] },
    },
    { name: 'entity bomb in sharedStrings.xml', input: file('lachen.xlsx', entityBombXlsx()), expect: { codes: ['xml_invalid'] } },
    { name: 'ODS row with values repeated 10^6 times', input: file('wiederholt.ods', repeatedRowsOds()), expect: { codes: ['spreadsheet_too_large'] } },
    { name: 'ODS value repeated over 16 384 columns and 10^6 rows', input: file('breit.ods', repeatedColumnsOds()), expect: { codes: ['spreadsheet_too_large'] } },
    {
      name: 'ODS with 10^6 empty repeated rows, then a row',
      input: file('kasse.ods', emptyRepeatsOds()),
      expect: { codes: [], ready: true, text: 'A: Barkasse; B: geprüft am 3. Februar.' },
    },
    {
      name: 'XLSX dimension A1:XFD1048576 with two cells',
      input: file('dimension.xlsx', wholeSheetDimensionXlsx()),
      expect: { codes: [], ready: true, text: 'A: Anfang der Tabelle.\n\nXFD: Ende der Tabelle.' },
    },
    { name: 'XLSX with 10^5 empty rows', input: file('leer.xlsx', emptyRowsXlsx()), expect: { codes: [], ready: true, text: 'A: Kassenprüfung; B: ohne Beanstandung.' } },
    { name: 'XLSX nested 10^5 deep', input: file('tief.xlsx', deeplyNestedXlsx()), expect: { codes: ['xml_invalid'] } },
    { name: 'PPTX slide nested 10^5 groups deep', input: file('tief.pptx', deeplyNestedPptx()), expect: { codes: ['xml_invalid'] } },
    { name: 'entity bomb in ODP content.xml', input: file('lachen.odp', entityBombOdp()), expect: { codes: ['xml_invalid'] } },
    { name: 'encrypted XLSX', input: file('geheim.xlsx', fixture('excelize-encrypt-aes.xlsx')), expect: { codes: ['office_encrypted'] } },
    { name: 'PPTX whose slides point outside the package', input: file('leer.pptx', danglingPptx()), expect: { codes: ['empty_document'] } },
    ...truncations(workbook, 6).map((item) => ({ name: `XLSX ${item.name}`, input: file(item.fileName.replace(/\.pdf$/, '.xlsx'), item.bytes), expect: { codes: damaged } })),
    // A flip may land in a harmless place (a style, padding): then a correct parse is fine.
    ...flippedBytes(workbook, 6, 12).map((item) => ({ name: `XLSX ${item.name}`, input: file(item.fileName.replace(/\.pdf$/, '.xlsx'), item.bytes), expect: { codes: damaged, ready: true } })),
  ];
}

describe('hostile presentations and spreadsheets', () => {
  it('each ends as a clean coded error or a correct parse within 30 s, memory < 2 GB, a good workbook in the batch ready', async () => {
    const measured = await openMeasuredContext();
    const { context } = measured;
    try {
      const submitted: { name: string; record: DocumentRecord; expect?: Expectation }[] = [];
      for (const item of corpus()) {
        submitted.push({ name: item.name, record: await context.ingestion.submit(item.input), expect: item.expect });
        if (item.name.startsWith('zip bomb')) submitted.push({ name: 'good workbook', record: await context.ingestion.submit(file('haushaltsplan.xlsx', fixture('haushaltsplan.xlsx'))) });
      }
      const outcomes = await Promise.all(submitted.map(async (item) => ({ ...item, final: await context.ingestion.settled(item.record.id) })));
      await expectOutcomes(context, outcomes);
      const slowest = measured.slowest();
      const peakBytes = measured.peakBytes();
      expect(slowest.milliseconds).toBeLessThan(30_000);
      expect(peakBytes).toBeLessThan(2 * 1024 ** 3);

      const ready = await context.ingestion.readyDocumentIds();
      const hits = await context.store.searchText('Straßenbeleuchtung Ansatz', { limit: 10, documentIds: ready });
      const good = outcomes.find((item) => item.name === 'good workbook')!.final;
      expect(hits.map((hit) => hit.chunk.documentId)).toContain(good.id);
      const failedIds = outcomes.filter((item) => item.final.status === 'failed').map((item) => item.final.id);
      for (const id of failedIds) expect(await context.store.chunksOf(id), id).toEqual([]);
      console.info(
        `hostile office files: ${outcomes.length} settled, slowest load ${Math.round(slowest.milliseconds)} ms (${slowest.name}), peak RSS (beleg + parser) ${Math.round(peakBytes / 1024 ** 2)} MiB`,
      );
    } finally {
      await measured.close();
    }
  }, 120_000);
});
