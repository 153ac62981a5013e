/**
 * PPTX, ODP, XLSX and ODS through loadDocument (detection by content, the real parser process):
 * the extracted text is compared with the source content written in tests/fixtures/office/*.fodp
 * and *.fods, and with real Microsoft Office files. A slide is a section and a `slide` page span;
 * a sheet is a section and each row a `row` span naming its cells; no sentence or chunk crosses
 * a row or a slide.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from '../src/ingest/chunk-document.ts';
import { parserPool } from '../src/ingest/isolate/parse-isolated.ts';
import { loadDocument } from '../src/ingest/load-document.ts';
import { splitSentences } from '../src/ingest/split-sentences.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';
import { ods, worksheet, xlsx, zip } from './helpers/hostile-office.ts';

const tokenizer = LlamaTokenizer.fromDirectory();
const options = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/office/${name}`, import.meta.url)));
const load = (name: string, fileName = name) => loadDocument({ kind: 'file', fileName, bytes: fixture(name) }, options);

afterAll(() => parserPool.close());

/** The text of the section whose heading path is `path`. */
function sectionText(document: LoadedDocument, path: string[]): string {
  const section = document.sections!.find((candidate) => candidate.headingPath.join(' > ') === path.join(' > '));
  expect(section, path.join(' > ')).toBeDefined();
  return document.text.slice(section!.charStart, section!.charEnd);
}

/** No sentence and no chunk crosses one of the document's page spans (slides, rows). */
function expectNothingCrossesSpans(document: LoadedDocument): void {
  const spans = document.pages!;
  const crosses = (start: number, end: number) => spans.some((span) => start < span.charStart && end > span.charStart);
  for (const section of document.sections!) {
    for (const sentence of splitSentences(document.text, { start: section.charStart, end: section.charEnd, marking: 'marked' })) {
      expect(crosses(sentence.charStart, sentence.charEnd), document.text.slice(sentence.charStart, sentence.charEnd)).toBe(false);
      expect(document.text.slice(sentence.charStart, sentence.charEnd)).not.toMatch(/\n\n/);
    }
  }
  for (const chunk of chunkDocument(document, tokenizer, { maxTokens: 64 })) {
    expect(document.text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
    // A chunk may hold several rows or a slide's blocks, but each of its sentences stays in one span.
    for (const sentence of chunk.sentences) expect(crosses(sentence.charStart, sentence.charEnd)).toBe(false);
  }
}

const DECK_SLIDES = [
  { number: 1, title: 'Sitzung des Gemeinderats am 12. März 2025', text: ['Öffentliche Sitzung im Rathaus Mühlbach, Beginn 19 Uhr.'], notes: ['Bürgermeisterin Kessler begrüßt die Anwesenden und stellt die Beschlussfähigkeit fest.'] },
  { number: 2, title: 'Tagesordnung', text: ['Sanierung der Grundschule am Lindenweg', 'Neubau des Feuerwehrgerätehauses', 'Verschiedenes und Anfragen'], notes: [] },
  { number: 3, title: 'Sanierung der Grundschule', text: ['Die Kosten der Dachsanierung betragen 480.000 Euro.', 'Die Arbeiten beginnen in den Sommerferien 2025.'], notes: ['Der Förderbescheid des Landes über 200.000 Euro liegt seit Februar vor.'] },
  { number: 4, title: 'Folie 4', text: ['Der Gemeinderat stimmt dem Neubau des Feuerwehrgerätehauses einstimmig zu.', 'Ja-Stimmen', '14', 'Nein-Stimmen', '0'], notes: ['Der Baubeginn ist für Herbst 2025 geplant.'] },
];

describe.each(['gemeinderat.pptx', 'gemeinderat.odp'])('presentation %s (LibreOffice)', (name) => {
  it('has one section per slide under its title ("Folie 4" when untitled), blocks in order, notes under "Notizen", the slide number as page', async () => {
    const document = await load(name);
    expect(document.title).toBe('Sitzung des Gemeinderats Mühlbach');
    expect(document.language).toBe('de');
    expect(document.mimeType).toMatch(/presentation/);
    expect(document.pages!.map((page) => [page.number, page.kind])).toEqual(DECK_SLIDES.map((slide) => [slide.number, 'slide']));
    const titles = document.sections!.filter((section) => section.headingPath.length === 1).map((section) => section.headingPath[0]);
    expect(titles).toEqual(DECK_SLIDES.map((slide) => slide.title));
    for (const [index, slide] of DECK_SLIDES.entries()) {
      const page = document.pages![index]!;
      const slideText = document.text.slice(page.charStart, page.charEnd);
      // Title first, then each text box, bullet and table cell as its own block, in order.
      expect(sectionText(document, [slide.title]).split('\n\n')).toEqual([slide.title, ...slide.text]);
      if (slide.notes.length > 0) {
        expect(sectionText(document, [slide.title, 'Notizen']).split('\n\n')).toEqual(['Notizen', ...slide.notes]);
        expect(slideText.indexOf(slide.notes[0]!)).toBeGreaterThan(slideText.indexOf(slide.text[slide.text.length - 1]!));
      } else {
        expect(slideText).not.toContain('Notizen');
      }
    }
    expectNothingCrossesSpans(document);
  });

  it('chunks carry the slide number as page and the slide title as heading path', async () => {
    const document = await load(name);
    const chunks = chunkDocument(document, tokenizer);
    const notes = chunks.find((chunk) => chunk.text.includes('Förderbescheid'))!;
    expect(notes.page).toBe(3);
    expect(notes.headingPath).toBe('Sanierung der Grundschule > Notizen');
    const vote = chunks.find((chunk) => chunk.text.includes('einstimmig'))!;
    expect(vote.page).toBe(4);
    expect(vote.headingPath).toBe('Folie 4');
  });
});

describe('presentations made with Microsoft PowerPoint', () => {
  it('reads speaker notes of an untitled slide', async () => {
    const document = await load('shapecrawler-slide-notes.pptx');
    expect(document.text).toBe('Folie 1\n\nNotizen\n\nNOTES LINE 1\n\nNOTES LINE 2\n\nNOTES LINE 3');
    expect(document.sections!.map((section) => section.headingPath)).toEqual([['Folie 1'], ['Folie 1', 'Notizen']]);
    expect(document.pages).toEqual([{ number: 1, charStart: 0, charEnd: document.text.length, kind: 'slide' }]);
  });

  it('reads a table cell by cell and a title placeholder as the section', async () => {
    const table = await load('shapecrawler-table.pptx');
    expect(table.text.split('\n\n')).toEqual(['Folie 1', 'Header Row Cell 1', 'Header Row Cell 2', 'Cell with text']);
    const titled = await load('shapecrawler-title-placeholder.pptx');
    expect(titled.sections![0]!.headingPath).toEqual(['Test title text']);
    expect(titled.text.startsWith('Test title text\n\n')).toBe(true);
  });
});

/** The rows of haushaltsplan.fods as a reader expects them. */
const HAUSHALT_ROWS = [
  { number: 1, cells: 'A1', text: 'Haushaltsplan 2025 der Gemeinde Mühlbach' },
  { number: 4, cells: 'A4:D4', text: 'Posten: Grundschule Lindenweg; Ansatz 2025: 480.000,00 €; Ansatz 2024: 125.000,50 €; Beschlossen am: 12.03.2025.' },
  { number: 5, cells: 'A5:D5', text: 'Posten: Feuerwehrgerätehaus; Ansatz 2025: 1.250.000,00 €; Ansatz 2024: 0,00 €; Beschlossen am: 12.03.2025.' },
  { number: 7, cells: 'A7:D7', text: 'Posten: Straßenbeleuchtung; Ansatz 2025: 87.340,25 €; Ansatz 2024: 91.200,00 €; Beschlossen am: 28.11.2024.' },
  // The formula =SUM(B4:B7), by its cached value.
  { number: 8, cells: 'A8:B8', text: 'Posten: Summe; Ansatz 2025: 1.817.340,25 €.' },
];
const INVESTITIONEN_ROWS = [
  { number: 2, cells: 'A2:D2', text: 'Maßnahme: Dachsanierung der Grundschule; Kosten: 480000; Baubeginn: 28.07.2025; Zuständig: Bauamt, Frau Yilmaz.' },
  { number: 3, cells: 'A3:D3', text: 'Maßnahme: Neubau Feuerwehrgerätehaus; Kosten: 1250000; Baubeginn: 01.10.2025; Zuständig: Kämmerei, Herr Bauer.' },
  { number: 4, cells: 'A4:B4', text: 'Maßnahme: Anteil der Fördermittel; Kosten: 0,4166.' },
];

describe.each(['haushaltsplan.xlsx', 'haushaltsplan.ods'])('workbook %s (LibreOffice)', (name) => {
  it('has one section per sheet and one sentence per row, named by the header row, with German numbers and dates', async () => {
    const document = await load(name);
    expect(document.title).toBe('Haushaltsplan 2025 Mühlbach');
    expect(document.language).toBe('de');
    expect(document.sections!.map((section) => section.headingPath)).toEqual([['Haushalt'], ['Investitionen']]);
    expect(sectionText(document, ['Haushalt']).split('\n\n')).toEqual(['Haushalt', ...HAUSHALT_ROWS.map((row) => row.text)]);
    expect(sectionText(document, ['Investitionen']).split('\n\n')).toEqual(['Investitionen', ...INVESTITIONEN_ROWS.map((row) => row.text)]);
    // The header rows are names, not rows of their own; empty rows leave no block.
    expect(document.text).not.toContain('Posten: Posten');
  });

  it('gives every row a span with its sheet, row number and cells, exactly over its sentence', async () => {
    const document = await load(name);
    const expected = [
      ...HAUSHALT_ROWS.map((row) => ({ ...row, sheet: 'Haushalt' })),
      ...INVESTITIONEN_ROWS.map((row) => ({ ...row, sheet: 'Investitionen' })),
    ];
    expect(document.pages!.map((page) => ({ sheet: page.sheet, number: page.number, cells: page.cells, text: document.text.slice(page.charStart, page.charEnd) }))).toEqual(expected);
    expect(document.pages!.every((page) => page.kind === 'row')).toBe(true);
    expectNothingCrossesSpans(document);
    // Rows are no pages: chunks carry the sheet as heading path and no page number.
    const chunks = chunkDocument(document, tokenizer);
    expect(chunks.every((chunk) => chunk.page === null)).toBe(true);
    expect(chunks.find((chunk) => chunk.text.includes('Yilmaz'))!.headingPath).toBe('Investitionen');
  });
});

describe('workbook made with Microsoft Excel', () => {
  it('reads shared strings of both sheets; without a text header, columns are named by letter', async () => {
    const document = await load('excelize-book1.xlsx');
    expect(document.sections!.map((section) => section.headingPath)).toEqual([['Sheet1'], ['Sheet2']]);
    const sheet2 = sectionText(document, ['Sheet2']).split('\n\n');
    expect(sheet2[1]).toBe('Monitor: > 23 Inch; B: 19; Brand: HP; D: 200.');
    expect(sheet2).toContain('Brand: SAMSUNG; D: 53.');
    expect(sectionText(document, ['Sheet1'])).toContain('A: Total:; B: 237.');
    const row = document.pages!.find((page) => document.text.slice(page.charStart, page.charEnd).includes('SAMSUNG'))!;
    expect(row).toMatchObject({ kind: 'row', sheet: 'Sheet2' });
    expect(row.cells).toMatch(new RegExp(`^C${row.number}:D${row.number}$`));
  });
});

describe('password-protected office files', () => {
  it('an encrypted XLSX (OLE container with EncryptedPackage) is office_encrypted, whatever its name', async () => {
    for (const fileName of ['geheim.xlsx', 'geheim.bin']) {
      await expect(load('excelize-encrypt-aes.xlsx', fileName)).rejects.toMatchObject({ code: 'office_encrypted' });
    }
  });
});

describe('large workbooks', () => {
  const ROWS = 50_000;
  const header = ['Posten', 'Betrag', 'Ort', 'Anzahl', 'Art', 'Nummer', 'Stelle', 'Konto', 'Jahr', 'Bemerkung'];
  const value = (row: number, column: number) => (column % 2 === 1 ? String(row * 4 + column) : `Eintrag ${row}/${column}`);
  const letter = (column: number) => String.fromCharCode(65 + column);

  function bigXlsx(): Uint8Array {
    const rows = [`<row r="1">${header.map((name, column) => `<c r="${letter(column)}1" t="inlineStr"><is><t>${name}</t></is></c>`).join('')}</row>`];
    for (let row = 2; row <= ROWS + 1; row++) {
      rows.push(`<row r="${row}">${header.map((_, column) => (column % 2 === 1 ? `<c r="${letter(column)}${row}"><v>${value(row, column)}</v></c>` : `<c r="${letter(column)}${row}" t="inlineStr"><is><t>${value(row, column)}</t></is></c>`)).join('')}</row>`);
    }
    return xlsx(worksheet(rows.join('')));
  }

  function bigOds(): Uint8Array {
    const cell = (text: string, type: string) => `<table:table-cell office:value-type="${type}"${type === 'float' ? ` office:value="${text}"` : ''}><text:p>${text}</text:p></table:table-cell>`;
    const rows = [`<table:table-row>${header.map((name) => cell(name, 'string')).join('')}</table:table-row>`];
    for (let row = 2; row <= ROWS + 1; row++) rows.push(`<table:table-row>${header.map((_, column) => cell(value(row, column), column % 2 === 1 ? 'float' : 'string')).join('')}</table:table-row>`);
    return ods(`<table:table table:name="Buchungen">${rows.join('')}</table:table>`);
  }

  // 500 000 filled cells: as a tree of nodes this ran out of the parser's memory; scanned, it loads.
  it.each([
    ['buchungen.xlsx', bigXlsx],
    ['buchungen.ods', bigOds],
  ])('%s with 50 000 rows of 10 values loads in the parser, every row a sentence with its span', async (fileName, build) => {
    const document = await loadDocument({ kind: 'file', fileName, bytes: build() }, options);
    expect(document.pages).toHaveLength(ROWS);
    const last = document.pages![ROWS - 1]!;
    expect(last).toMatchObject({ kind: 'row', number: ROWS + 1, cells: `A${ROWS + 1}:J${ROWS + 1}` });
    expect(document.text.slice(last.charStart, last.charEnd)).toBe(header.map((name, column) => `${name}: ${value(ROWS + 1, column)}`).join('; ') + '.');
  }, 60_000);
});

describe('XLSX details no LibreOffice file shows', () => {
  const NS = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  const relationship = (id: number) =>
    `<Relationship Id="rId${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet${id}.xml"/>`;
  const sheet = (rows: string) => `<?xml version="1.0"?><x:worksheet ${NS}><x:sheetData>${rows}</x:sheetData></x:worksheet>`;
  const workbook = zip({
    // A namespace prefix on every element (as some libraries write), the 1904 date system, a hidden and a very hidden sheet.
    'xl/workbook.xml': `<?xml version="1.0"?><x:workbook ${NS}><x:workbookPr date1904="1"/><x:sheets><x:sheet name="Konten" sheetId="1" rel:id="rId1"/><x:sheet name="Hilfstabelle" sheetId="2" state="hidden" rel:id="rId2"/><x:sheet name="Makro" sheetId="3" state="veryHidden" rel:id="rId3"/></x:sheets></x:workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${[1, 2, 3].map(relationship).join('')}</Relationships>`,
    'xl/styles.xml': `<?xml version="1.0"?><x:styleSheet ${NS}><x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="[$-407]dd/mm/yyyy;@"/></x:numFmts><x:cellXfs count="4"><x:xf numFmtId="0"/><x:xf numFmtId="164"/><x:xf numFmtId="4"/><x:xf numFmtId="9"/></x:cellXfs></x:styleSheet>`,
    'xl/sharedStrings.xml': `<?xml version="1.0"?><x:sst ${NS}><x:si><x:t>Konto</x:t></x:si><x:si><x:t>Stand</x:t></x:si><x:si><x:r><x:rPr><x:b/></x:rPr><x:t>Giro</x:t></x:r><x:r><x:t xml:space="preserve">konto </x:t></x:r><x:rPh sb="0" eb="1"><x:t>ギロ</x:t></x:rPh><x:r><x:t>Sparkasse</x:t></x:r></x:si></x:sst>`,
    'xl/worksheets/sheet1.xml': sheet(
      '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>Betrag</x:t></x:is></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>Quote</x:t></x:is></x:c><x:c r="E1" t="inlineStr"><x:is><x:t>Geprüft</x:t></x:is></x:c><x:c r="F1" t="inlineStr"><x:is><x:t>Kennung</x:t></x:is></x:c></x:row>' +
        '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="B3" s="1"><x:v>44266</x:v></x:c><x:c r="C3" s="2"><x:f>SUM(C4:C9)</x:f><x:v>1234.5</x:v></x:c><x:c r="D3" s="3"><x:v>0.25</x:v></x:c><x:c r="E3" t="b"><x:v>1</x:v></x:c><x:c r="F3" t="str"><x:f>"DE"&amp;"-7"</x:f><x:v>DE-7</x:v></x:c></x:row>' +
        '<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>Festgeld</x:t></x:is></x:c><x:c r="C4" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="D4"><x:f>NEVER()</x:f></x:c></x:row>',
    ),
    'xl/worksheets/sheet2.xml': sheet('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Zinssatz 2,5 Prozent</x:t></x:is></x:c></x:row>'),
    'xl/worksheets/sheet3.xml': sheet('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Geheimes Makroblatt</x:t></x:is></x:c></x:row>'),
  });

  it('reads prefixed parts, 1904 dates by style, formats, rich text, booleans, errors, cached formula values; keeps hidden, drops very hidden sheets', async () => {
    const document = await loadDocument({ kind: 'file', fileName: 'konten.xlsx', bytes: workbook }, options);
    expect(document.sections!.map((section) => section.headingPath)).toEqual([['Konten'], ['Hilfstabelle']]);
    expect(document.text).toBe(
      'Konten\n\n' +
        'Konto: Girokonto Sparkasse; Stand: 12.03.2025; Betrag: 1.234,50; Quote: 25 %; Geprüft: WAHR; Kennung: DE-7.\n\n' +
        // A sentence ending in its own punctuation gets no period.
        'Konto: Festgeld; Betrag: #DIV/0!\n\n' +
        'Hilfstabelle\n\nA: Zinssatz 2,5 Prozent.',
    );
    expect(document.pages!.map((page) => `${page.sheet}!${page.cells}`)).toEqual(['Konten!A3:F3', 'Konten!A4:C4', 'Hilfstabelle!A1']);
  });
});
