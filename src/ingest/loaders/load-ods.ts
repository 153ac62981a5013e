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
import { descendants, parseXml, type XmlElement } from './parse-xml.ts';
import { CellBudget, MAX_SHEET_COLUMNS, workbookDocument, type Sheet, type SheetCell, type SheetRow } from './sheet-table.ts';
import { formatIsoDate, formatNumber } from './spreadsheet-values.ts';
import { readZipEntries } from './zip-archive.ts';

export const ODS_MIME_TYPE = 'application/vnd.oasis.opendocument.spreadsheet';

/** Elements that group rows; their rows are the sheet's rows in order. */
const ROW_GROUPS = new Set(['table:table-header-rows', 'table:table-row-group', 'table:table-rows']);

/** Reads an ODS file. Throws UnprocessableDocumentError (`archive_corrupt`, `archive_too_large`, `xml_invalid`, `spreadsheet_too_large`, `empty_document`). */
export function loadOds(bytes: Uint8Array): LoadedDocument {
  const entries = readZipEntries(bytes, (name) => name === 'content.xml' || name === 'meta.xml');
  const content = entries.get('content.xml');
  if (!content) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  const budget = new CellBudget();
  const spreadsheets = parseXml(content, 'content.xml').flatMap((root) => [...descendants(root, 'office:spreadsheet')]);
  const sheets: Sheet[] = spreadsheets.flatMap((spreadsheet) =>
    spreadsheet.children
      .filter((child): child is XmlElement => 'tag' in child && child.tag === 'table:table')
      .map((table) => ({ name: table.attributes['table:name'] ?? '', rows: readRows(table, budget) })),
  );
  return workbookDocument(sheets, { title: declaredTitle(entries.get('meta.xml'), 'meta.xml'), mimeType: ODS_MIME_TYPE, bytes });
}

function readRows(table: XmlElement, budget: CellBudget): SheetRow[] {
  const rows: SheetRow[] = [];
  let rowNumber = 1;
  const visit = (group: XmlElement): void => {
    for (const child of group.children) {
      if (!('tag' in child)) continue;
      if (ROW_GROUPS.has(child.tag)) visit(child);
      if (child.tag !== 'table:table-row') continue;
      const repeat = repetition(child.attributes['table:number-rows-repeated']);
      const cells = readCells(child);
      if (cells.length > 0) {
        for (let copy = 0; copy < repeat; copy++) {
          budget.spend(cells.length);
          rows.push({ number: rowNumber + copy, cells });
        }
      }
      rowNumber += repeat;
    }
  };
  visit(table);
  return rows;
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
