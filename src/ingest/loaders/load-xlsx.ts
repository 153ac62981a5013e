/**
 * Excel workbooks (XLSX). Sheets in the workbook's order (xl/workbook.xml through its
 * relationships), their cells from the sheet parts: shared strings (rich-text runs joined,
 * phonetic hints left out), inline strings, numbers and dates shown as ./spreadsheet-values.ts
 * says (the cell's style decides whether a number is a date; the workbook's 1900/1904 date
 * system is honoured), booleans as WAHR/FALSCH, formulas by their cached value (a formula never
 * calculated has none and is left out). The declared dimension is ignored: only cells present in
 * the file are read. Hidden sheets are kept (the user can show them in Excel; their content is
 * part of the file); "very hidden" sheets, reachable only through macros, are left out.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { declaredTitle } from './office-core-title.ts';
import { readRelationships } from './office-relationships.ts';
import { checkXml, descendants, parseXml, type XmlElement } from './parse-xml.ts';
import { CellBudget, columnOfReference, MAX_SHEET_COLUMNS, workbookDocument, type Sheet, type SheetCell, type SheetRow } from './sheet-table.ts';
import { formatCodeOf, formatNumber, formatSerialDate, formatIsoDate, isDateFormat } from './spreadsheet-values.ts';
import { readZipEntries } from './zip-archive.ts';
import { runText, scanWorksheet, type ScannedCell } from './scan-worksheet.ts';

export const XLSX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const WANTED = /^(xl\/workbook\.xml|xl\/_rels\/workbook\.xml\.rels|xl\/sharedStrings\.xml|xl\/styles\.xml|xl\/worksheets\/[^/]+\.xml|docProps\/core\.xml)$/;

type Styles = { formats: string[] };

/** Reads an XLSX file. Throws UnprocessableDocumentError (`archive_corrupt`, `archive_too_large`, `xml_invalid`, `spreadsheet_too_large`, `empty_document`). */
export function loadXlsx(bytes: Uint8Array): LoadedDocument {
  const entries = readZipEntries(bytes, (name) => WANTED.test(name));
  const workbookXml = entries.get('xl/workbook.xml');
  if (!workbookXml) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  const workbook = parseXml(workbookXml, 'xl/workbook.xml');
  const properties = workbook.flatMap((root) => [...descendants(root, `${prefixOf(root)}workbookPr`)])[0];
  const date1904 = properties?.attributes.date1904 === '1' || properties?.attributes.date1904 === 'true';
  const relationships = readRelationships(entries, 'xl/workbook.xml');
  const sharedStrings = readSharedStrings(entries.get('xl/sharedStrings.xml'));
  const styles = readStyles(entries.get('xl/styles.xml'));
  const budget = new CellBudget();
  const sheets: Sheet[] = [];
  for (const sheet of workbook.flatMap((root) => [...descendants(root, `${prefixOf(root)}sheet`)])) {
    if (sheet.attributes.state === 'veryHidden') continue;
    const relationshipId = Object.entries(sheet.attributes).find(([name]) => name.endsWith(':id'))?.[1];
    const target = relationships.get(relationshipId ?? '')?.target;
    const part = target ? entries.get(target) : undefined;
    if (!target || !part) continue;
    sheets.push({ name: sheet.attributes.name ?? '', rows: readRows(part, target, { sharedStrings, styles, date1904, budget }) });
  }
  return workbookDocument(sheets, { title: declaredTitle(entries.get('docProps/core.xml'), 'docProps/core.xml'), mimeType: XLSX_MIME_TYPE, bytes });
}

/** The namespace prefix a part's root element uses (`x:` in files some libraries write; usually none), so its children are found under it. */
function prefixOf(root: XmlElement): string {
  const colon = root.tag.indexOf(':');
  return colon > 0 ? root.tag.slice(0, colon + 1) : '';
}

/** The shared strings, by index: plain `t`, or rich-text runs `r/t` joined; `rPh` (phonetic hints) left out. Scanned like worksheets (it can be as large). */
function readSharedStrings(part: Uint8Array | undefined): string[] {
  if (!part) return [];
  const text = checkXml(part, 'xl/sharedStrings.xml');
  return [...text.matchAll(STRING_ITEM)].map((item) => runText(item[1] ?? ''));
}

const STRING_ITEM = /<(?:\w+:)?si\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?si>)/g;

/** The number format code of each cell style (`cellXfs`), by style index. */
function readStyles(part: Uint8Array | undefined): Styles {
  if (!part) return { formats: [] };
  const roots = parseXml(part, 'xl/styles.xml');
  const custom = new Map<number, string>();
  for (const root of roots) {
    for (const format of descendants(root, `${prefixOf(root)}numFmt`)) custom.set(Number(format.attributes.numFmtId), format.attributes.formatCode ?? '');
  }
  const formats: string[] = [];
  for (const root of roots) {
    for (const list of descendants(root, `${prefixOf(root)}cellXfs`)) {
      for (const style of list.children) {
        if ('tag' in style && style.tag === `${prefixOf(root)}xf`) formats.push(formatCodeOf(Number(style.attributes.numFmtId ?? 0), custom));
      }
    }
  }
  return { formats };
}

type ReadContext = { sharedStrings: string[]; styles: Styles; date1904: boolean; budget: CellBudget };

/** The rows with values of a worksheet part; rows and cells without a reference follow the one before. */
function readRows(part: Uint8Array, partName: string, context: ReadContext): SheetRow[] {
  const rows: SheetRow[] = [];
  let rowNumber = 0;
  for (const row of scanWorksheet(part, partName)) {
    const declared = Number.parseInt(row.attributes.r ?? '', 10);
    rowNumber = Number.isFinite(declared) && declared > rowNumber ? declared : rowNumber + 1;
    const cells: SheetCell[] = [];
    let column = -1;
    for (const cell of row.cells) {
      const referenced = cell.attributes.r ? columnOfReference(cell.attributes.r) : null;
      column = referenced !== null && referenced > column ? referenced : column + 1;
      if (column >= MAX_SHEET_COLUMNS) break;
      const value = cellValue(cell, context);
      if (value !== null && value.text.trim().length > 0) cells.push({ column, ...value });
    }
    context.budget.spend(cells.length);
    if (cells.length > 0) rows.push({ number: rowNumber, cells });
  }
  return rows;
}

/** A cell's shown text and whether it is text; null when it has no value. */
function cellValue(cell: ScannedCell, context: ReadContext): { text: string; isText: boolean } | null {
  const type = cell.attributes.t ?? 'n';
  if (type === 'inlineStr') return cell.inlineText === null ? null : { text: cell.inlineText, isText: true };
  if (cell.value === null) return null;
  const raw = cell.value;
  switch (type) {
    case 's': {
      const text = context.sharedStrings[Number.parseInt(raw, 10)];
      return text === undefined ? null : { text, isText: true };
    }
    case 'str':
      return { text: raw, isText: true };
    case 'b':
      return { text: raw.trim() === '1' ? 'WAHR' : 'FALSCH', isText: false };
    case 'e':
      return { text: raw, isText: false };
    case 'd':
      return { text: formatIsoDate(raw), isText: false };
    default: {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) return { text: raw, isText: false };
      const code = context.styles.formats[Number.parseInt(cell.attributes.s ?? '0', 10)] ?? 'General';
      return { text: isDateFormat(code) ? formatSerialDate(value, code, context.date1904) : formatNumber(value, code), isText: false };
    }
  }
}
