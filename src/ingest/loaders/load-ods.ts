/**
 * OpenDocument spreadsheets (ODS, LibreOffice Calc). Sheets are the `table:table` elements of
 * content.xml in order, rows their `table:table-row`s (inside header rows and row groups too).
 * Values: text as written; dates from `office:date-value` as `TT.MM.JJJJ`; numbers, currencies,
 * percentages, times and booleans as the cell shows them (its `text:p`, formatted by the program
 * that saved it); a number shown just as stored (no number format) and one without shown text get
 * a decimal comma. Comments are left out.
 *
 * Repetition is where ODS files get hostile: LibreOffice itself writes a last row "repeated
 * 1 048 553 times" and cells "repeated 1 024 times". Empty repeats only advance the row or column
 * number; repeats with values are expanded and count against the workbook's cell budget
 * (`spreadsheet_too_large`), so 10^6 claimed rows cost nothing when empty and a clean error when
 * not. Hidden sheets are kept, as in XLSX.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { declaredTitle } from './office-core-title.ts';
import { odfParagraphs } from './odf-text.ts';
import { checkXml, decodeXmlText, parseXml, type XmlElement } from './parse-xml.ts';
import { CellBudget, MAX_SHEET_COLUMNS, workbookDocument, type Sheet, type SheetCell } from './sheet-table.ts';
import { formatIsoDate, formatNumber } from './spreadsheet-values.ts';
import { readZipEntries } from './zip-archive.ts';

export const ODS_MIME_TYPE = 'application/vnd.oasis.opendocument.spreadsheet';

/** Reads an ODS file. Throws UnprocessableDocumentError (`archive_corrupt`, `archive_too_large`, `xml_invalid`, `spreadsheet_too_large`, `empty_document`). */
export function loadOds(bytes: Uint8Array): LoadedDocument {
  const entries = readZipEntries(bytes, (name) => name === 'content.xml' || name === 'meta.xml');
  const content = entries.get('content.xml');
  if (!content) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  return workbookDocument(readSheets(checkXml(content, 'content.xml')), { title: declaredTitle(entries.get('meta.xml'), 'meta.xml'), mimeType: ODS_MIME_TYPE, bytes });
}

/** A sheet's start, its end, or one row (self-closing or with its cells). */
const SHEET_PARTS = /<table:table(?=[\s>\/])([^>]*?)(\/?)>|<\/table:table>|<table:table-row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/table:table-row>)/g;
const SHEET_NAME = /\btable:name\s*=\s*(?:"([^"]*)"|'([^']*)')/;
const ROWS_REPEATED = /\btable:number-rows-repeated\s*=\s*["'](\d+)["']/;

/**
 * The sheets of a checked content.xml. A sheet of 10^6 cells is too large to hold as a tree, so the
 * text is scanned for sheets and rows (row groups need no handling: their rows are found in
 * order), and only each row is parsed as a tree, on its own.
 */
function readSheets(content: string): Sheet[] {
  const budget = new CellBudget();
  const sheets: Sheet[] = [];
  let sheet: Sheet | null = null;
  let rowNumber = 1;
  for (const match of content.matchAll(SHEET_PARTS)) {
    if (match[0].startsWith('</table:table>')) {
      sheet = null;
    } else if (match[3] === undefined && match[0].startsWith('<table:table')) {
      const name = SHEET_NAME.exec(match[1] ?? '');
      sheet = { name: decodeXmlText(name?.[1] ?? name?.[2] ?? ''), rows: [] };
      sheets.push(sheet);
      rowNumber = 1;
      if (match[2] === '/') sheet = null;
    } else if (sheet !== null) {
      const repeatMatch = ROWS_REPEATED.exec(match[3] ?? '');
      const repeat = repetition(repeatMatch?.[1]);
      const cells = match[4] ? readCells(parseRow(match[4])) : [];
      if (cells.length > 0) {
        for (let copy = 0; copy < repeat; copy++) {
          budget.spend(cells.length);
          sheet.rows.push({ number: rowNumber + copy, cells });
        }
      }
      rowNumber += repeat;
    }
  }
  return sheets;
}

/** One row's cells as a tree (an element standing for the row, its cells as children). */
function parseRow(inner: string): XmlElement {
  return { tag: 'table:table-row', attributes: {}, children: parseXml(`<row>${inner}</row>`, 'content.xml')[0]?.children ?? [] };
}

function readCells(row: XmlElement): SheetCell[] {
  const cells: SheetCell[] = [];
  let column = 0;
  for (const cell of row.children) {
    if (!('tag' in cell) || (cell.tag !== 'table:table-cell' && cell.tag !== 'table:covered-table-cell')) continue;
    const repeat = repetition(cell.attributes['table:number-columns-repeated']);
    const value = cell.tag === 'table:table-cell' ? cellValue(cell) : null;
    if (value !== null && value.text.trim().length > 0) {
      for (let copy = 0; copy < repeat && column + copy < MAX_SHEET_COLUMNS; copy++) cells.push({ column: column + copy, ...value });
    }
    column += repeat;
    if (column >= MAX_SHEET_COLUMNS) break;
  }
  return cells;
}

/** A repeat count attribute: 1 when absent or odd. */
function repetition(value: string | undefined): number {
  const count = Number.parseInt(value ?? '1', 10);
  return Number.isFinite(count) && count > 1 ? count : 1;
}

function cellValue(cell: XmlElement): { text: string; isText: boolean } | null {
  const type = cell.attributes['office:value-type'] ?? cell.attributes['calcext:value-type'];
  const shown = odfParagraphs(cell).join('\n');
  switch (type) {
    case undefined:
    case 'string':
      return shown.length > 0 ? { text: shown, isText: true } : null;
    case 'date':
      return { text: cell.attributes['office:date-value'] ? formatIsoDate(cell.attributes['office:date-value']) : shown, isText: false };
    default: {
      const value = Number(cell.attributes['office:value']);
      // A number shown exactly as stored ("0.4166": no format, written in an English locale) gets a decimal comma.
      const plain = /^-?\d+(\.\d+)?$/.test(shown) && Number(shown) === value;
      if (shown.length > 0 && !plain) return { text: shown, isText: false };
      return Number.isFinite(value) ? { text: formatNumber(value, 'General'), isText: false } : shown.length > 0 ? { text: shown, isText: false } : null;
    }
  }
}
