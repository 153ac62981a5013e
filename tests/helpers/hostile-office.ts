/**
 * Builds the hostile office files for tests/hostile-office-sheets.test.ts: ZIP containers (XLSX,
 * ODS, PPTX) written with fflate from XML strings, so that a file can declare what no office
 * program writes — 10^6 repeated rows, a dimension of the whole sheet, entities, 10^5 nesting.
 */
import { zipSync, type Zippable } from 'fflate';

const encoder = new TextEncoder();
const SPREADSHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A ZIP of `entries` (strings are UTF-8, Uint8Arrays go in as they are, deflated). */
export function zip(entries: Record<string, string | Uint8Array>): Uint8Array {
  const files: Zippable = {};
  for (const [name, content] of Object.entries(entries)) files[name] = typeof content === 'string' ? encoder.encode(content) : [content, { level: 6 }];
  return zipSync(files);
}

/** An XLSX of one sheet "Tabelle1" whose part is `sheetXml`, with optional extra entries. */
export function xlsx(sheetXml: string | Uint8Array, extra: Record<string, string | Uint8Array> = {}): Uint8Array {
  return zip({
    'xl/workbook.xml': `<?xml version="1.0"?><workbook ${SPREADSHEET_NS}><sheets><sheet name="Tabelle1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels':
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': sheetXml,
    ...extra,
  });
}

/** A worksheet part with `rows` (already written `<row>` elements) and an optional dimension. */
export function worksheet(rows: string, dimension = 'A1'): string {
  return `<?xml version="1.0"?><worksheet ${SPREADSHEET_NS}><dimension ref="${dimension}"/><sheetData>${rows}</sheetData></worksheet>`;
}

/** A cell with an inline string. */
export function inlineCell(reference: string, text: string): string {
  return `<c r="${reference}" t="inlineStr"><is><t>${text}</t></is></c>`;
}

/** 300 MiB of spaces in one sheet part: about 300 KB zipped. */
export function zipBombXlsx(inflatedBytes = 300 * 1024 * 1024): Uint8Array {
  return xlsx(new Uint8Array(inflatedBytes).fill(0x20));
}

/** "Billion laughs" in sharedStrings.xml: ten levels of ten entity references. */
export function entityBombXlsx(): Uint8Array {
  const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`)].join('');
  return xlsx(worksheet(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), {
    'xl/sharedStrings.xml': `<?xml version="1.0"?><!DOCTYPE sst [${entities}]><sst ${SPREADSHEET_NS}><si><t>&lol9;</t></si></sst>`,
  });
}

/** An XLSX declaring the whole sheet (A1:XFD1048576) with values only in the first and the very last cell. */
export function wholeSheetDimensionXlsx(): Uint8Array {
  return xlsx(worksheet(`<row r="1">${inlineCell('A1', 'Anfang der Tabelle')}</row><row r="1048576">${inlineCell('XFD1048576', 'Ende der Tabelle')}</row>`, 'A1:XFD1048576'));
}

/** An XLSX of 10^5 empty rows, then one with values. */
export function emptyRowsXlsx(count = 100_000): Uint8Array {
  const rows: string[] = [];
  for (let row = 1; row <= count; row++) rows.push(`<row r="${row}"/>`);
  rows.push(`<row r="${count + 1}">${inlineCell(`A${count + 1}`, 'Kassenprüfung')}${inlineCell(`B${count + 1}`, 'ohne Beanstandung')}</row>`);
  return xlsx(worksheet(rows.join('')));
}

/** A worksheet nested `depth` elements deep. */
export function deeplyNestedXlsx(depth = 100_000): Uint8Array {
  return xlsx(worksheet(`<row r="1"><c r="A1" t="inlineStr"><is>${'<r>'.repeat(depth)}${'</r>'.repeat(depth)}</is></c></row>`));
}

/** An ODS whose content.xml body (inside office:spreadsheet) is `tables`. */
export function ods(tables: string): Uint8Array {
  return zip({
    mimetype: 'application/vnd.oasis.opendocument.spreadsheet',
    'content.xml': `<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>${tables}</office:spreadsheet></office:body></office:document-content>`,
  });
}

const odsCell = (text: string, columns = 1) => `<table:table-cell table:number-columns-repeated="${columns}" office:value-type="string"><text:p>${text}</text:p></table:table-cell>`;

/** One row with two values, repeated 10^6 times. */
export function repeatedRowsOds(): Uint8Array {
  return ods(`<table:table table:name="Liste"><table:table-row table:number-rows-repeated="1000000">${odsCell('Zeile')}${odsCell('Wert')}</table:table-row></table:table>`);
}

/** One value repeated over 16 384 columns, in a row repeated 10^6 times. */
export function repeatedColumnsOds(): Uint8Array {
  return ods(`<table:table table:name="Breit"><table:table-row table:number-rows-repeated="1000000">${odsCell('x', 16_384)}</table:table-row></table:table>`);
}

/** 10^6 empty repeated rows and 1024 empty columns (as LibreOffice writes the rest of a sheet), then a row with values. */
export function emptyRepeatsOds(): Uint8Array {
  return ods(
    `<table:table table:name="Kasse"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
      `<table:table-row>${odsCell('Barkasse')}${odsCell('geprüft am 3. Februar')}</table:table-row></table:table>`,
  );
}

/** A PPTX whose slide list points outside the package and at missing parts. */
export function danglingPptx(): Uint8Array {
  return zip({
    'ppt/presentation.xml':
      '<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId1"/><p:sldId id="257" r:id="rId2"/></p:sldIdLst></p:presentation>',
    'ppt/_rels/presentation.xml.rels':
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="../../../../etc/passwd"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide9.xml"/></Relationships>',
  });
}

/** A PPTX of one slide whose part is `slideXml`. */
export function pptx(slideXml: string): Uint8Array {
  return zip({
    'ppt/presentation.xml':
      '<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>',
    'ppt/_rels/presentation.xml.rels':
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide1.xml"/></Relationships>',
    'ppt/slides/slide1.xml': slideXml,
  });
}

/** A slide whose only text box is nested `depth` groups deep. */
export function deeplyNestedPptx(depth = 100_000): Uint8Array {
  return pptx(
    `<?xml version="1.0"?><p:sld xmlns:p="urn:p" xmlns:a="urn:a"><p:cSld><p:spTree>${'<p:grpSp>'.repeat(depth)}<p:sp><p:txBody><a:p><a:r><a:t>tief</a:t></a:r></a:p></p:txBody></p:sp>${'</p:grpSp>'.repeat(depth)}</p:spTree></p:cSld></p:sld>`,
  );
}

/** An ODP whose content.xml defines entities ("billion laughs"). */
export function entityBombOdp(): Uint8Array {
  const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`)].join('');
  return zip({
    mimetype: 'application/vnd.oasis.opendocument.presentation',
    'content.xml': `<?xml version="1.0"?><!DOCTYPE doc [${entities}]><office:document-content xmlns:office="urn:o" xmlns:draw="urn:d" xmlns:text="urn:t"><office:body><office:presentation><draw:page><draw:frame><draw:text-box><text:p>&lol9;</text:p></draw:text-box></draw:frame></draw:page></office:presentation></office:body></office:document-content>`,
  });
}

/**
 * A zip bomb whose headers lie: the sheet part declares 1 000 bytes unpacked (local header and
 * central directory) but inflates to `inflatedBytes`. The size check cannot see it; the inflater
 * must not write past what was declared.
 */
export function lyingZipBombXlsx(inflatedBytes = 1024 * 1024 * 1024): Uint8Array {
  const bytes = zipBombXlsx(inflatedBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const target = 'xl/worksheets/sheet1.xml';
  for (let offset = 0; offset + 46 < bytes.length; offset++) {
    const signature = view.getUint32(offset, true);
    const local = signature === 0x04034b50;
    const central = signature === 0x02014b50;
    if (!local && !central) continue;
    const nameLength = view.getUint16(offset + (local ? 26 : 28), true);
    const nameStart = offset + (local ? 30 : 46);
    if (new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nameLength)) !== target) continue;
    view.setUint32(offset + (local ? 22 : 24), 1000, true);
  }
  return bytes;
}
