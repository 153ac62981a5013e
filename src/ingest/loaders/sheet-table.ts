/**
 * The text of a workbook (XLSX, ODS), built the same way for both formats: one section per sheet
 * under its name; each non-empty row one block, a sentence naming each value by its column —
 * "Posten: Schulen; Betrag: 480.000 €." — so a quote read alone still says what its numbers are.
 *
 * Column names come from the sheet's header row: the first row with two or more values, when all
 * of them are text and rows follow it. Rows above it with a single value (a sheet's title, "Haushaltsplan 2025") are
 * blocks of their own; without a header row, columns are named by their letters ("A: …; B: …").
 * The header row itself is not repeated as a block: its names stand in every row.
 *
 * Every row is a PageSpan of kind `row` naming its sheet and cells (`A5:D5`), so a citation says
 * "Tabelle Haushalt, Zeile 5", and no quote crosses from one row into the next.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument, PageSpan } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';

/** A cell with a value: its column (0-based), its text as shown, and whether it holds text (not a number, date or boolean). */
export type SheetCell = { column: number; text: string; isText: boolean };
/** A row with at least one value: its 1-based number and its cells, left to right. */
export type SheetRow = { number: number; cells: SheetCell[] };
export type Sheet = { name: string; rows: SheetRow[] };

/** Most cells with a value read from one workbook (a hostile file may repeat one row 10^6 times). */
export const MAX_SHEET_CELLS = 1_000_000;
/** Columns a sheet may have (Excel's limit, XFD). */
export const MAX_SHEET_COLUMNS = 16_384;

/** Counts cells against MAX_SHEET_CELLS while a loader reads; throws `spreadsheet_too_large` past it. */
export class CellBudget {
  #used = 0;
  constructor(readonly limit = MAX_SHEET_CELLS) {}
  spend(cells: number): void {
    this.#used += cells;
    if (this.#used > this.limit) throw new UnprocessableDocumentError(userMessage('spreadsheet_too_large', { limitCells: this.limit }), { details: { limitCells: this.limit } });
  }
}

/** `0` → `A`, `25` → `Z`, `26` → `AA`. */
export function columnLetters(column: number): string {
  let letters = '';
  for (let rest = column + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}

/** `B5` → column 1; null for no valid reference. */
export function columnOfReference(reference: string): number | null {
  const match = /^\$?([A-Z]{1,3})\$?\d*$/i.exec(reference);
  if (!match) return null;
  let column = 0;
  for (const letter of match[1]!.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column - 1;
}

/** The document of `sheets`: text, a section per sheet, a PageSpan per row. */
export function workbookDocument(sheets: readonly Sheet[], metadata: { title: string | null; mimeType: string; bytes: Uint8Array }): LoadedDocument {
  const builder = new SectionBuilder();
  const pages: PageSpan[] = [];
  for (const sheet of sheets) {
    const rows = sheet.rows
      .map((row) => ({ number: row.number, cells: row.cells.map((cell) => ({ ...cell, text: cleanValue(cell.text) })).filter((cell) => cell.text.length > 0) }))
      .filter((row) => row.cells.length > 0);
    if (rows.length === 0) continue;
    const sheetName = cleanValue(sheet.name) || `Tabelle ${sheets.indexOf(sheet) + 1}`;
    builder.addHeading(1, sheetName);
    const headerIndex = rows.findIndex((row) => row.cells.length >= 2);
    // A header names the rows below it: a sheet's last row is data, whatever it looks like.
    const header = headerIndex >= 0 && headerIndex < rows.length - 1 && rows[headerIndex]!.cells.every((cell) => cell.isText) ? rows[headerIndex]! : null;
    const names = new Map(header?.cells.map((cell) => [cell.column, cell.text]) ?? []);
    rows.forEach((row, index) => {
      if (row === header) return;
      const titleRow = header !== null && index < headerIndex;
      const sentence = titleRow ? row.cells.map((cell) => cell.text).join(' ') : rowSentence(row, names);
      const span = builder.addBlock(sentence);
      if (!span) return;
      const first = row.cells[0]!.column;
      const last = row.cells[row.cells.length - 1]!.column;
      const cells = first === last ? `${columnLetters(first)}${row.number}` : `${columnLetters(first)}${row.number}:${columnLetters(last)}${row.number}`;
      pages.push({ number: row.number, charStart: span.charStart, charEnd: span.charEnd, kind: 'row', sheet: sheetName, cells });
    });
  }
  const { text, sections } = builder.finish();
  if (text.length === 0) throw new UnprocessableDocumentError(userMessage('empty_document'));
  return { text, title: metadata.title, mimeType: metadata.mimeType, language: detectLanguage(text), pages, sections, bytes: metadata.bytes };
}

/** "Spalte: Wert; Spalte: Wert." — a column without a header name is named by its letter. */
function rowSentence(row: SheetRow, names: ReadonlyMap<number, string>): string {
  const sentence = row.cells.map((cell) => `${names.get(cell.column) ?? columnLetters(cell.column)}: ${cell.text}`).join('; ');
  return /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** A cell's text on one line: a value's line breaks would otherwise look like block breaks. */
function cleanValue(text: string): string {
  return normalizeText(text.replace(/\s+/g, ' '));
}
