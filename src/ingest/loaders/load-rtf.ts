/**
 * RTF loader: a small tokenizer of beleg's own (the npm RTF readers are unmaintained or built to
 * render, not to extract). It reads control words, control symbols, groups and text in one pass
 * over the bytes with an explicit group stack (no recursion, so deeply nested groups cost memory,
 * not the call stack):
 * - characters: `\'hh` bytes in the document's code page (`\ansicpg`, or the charset of the
 *   current font; Windows-1252 by default, where German umlauts live), `\uN` Unicode with `\ucN`
 *   fallback characters skipped, the named symbols (`\emdash`, `\ldblquote`, …);
 * - blocks: `\par` ends a paragraph, `\cell` a table cell and `\row` a row (a row of short cells is
 *   one block, see tableRowBlocks), `\line` is a line
 *   break, `\tab` a space; a paragraph with an outline level (`\outlinelevelN` directly or through
 *   its style in the stylesheet) is a heading;
 * - footnotes (`\footnote`) and text boxes (`\shptxt`) follow the paragraph that holds them; the
 *   title comes from `\info\title`;
 * - dropped: font, colour and style tables, list tables, page headers and footers, pictures,
 *   objects, field instructions (field results stay, but not a TOC field's: a generated table of
 *   contents), comments, bullets, hidden text (`\v`),
 *   deleted tracked changes (`\deleted`) and every ignorable destination (`\*\…`);
 * - list numbers: the rendered number a writer leaves in `\listtext` ("§ 1", "(2)", "a)") goes
 *   before its paragraph, as DOCX and ODT numbers do.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { decodeWindows1252 } from './decode-text.ts';
import { buildOfficeDocument, tableRowBlocks, type OfficeBlock } from './office-blocks.ts';

const RTF_MIME_TYPE = 'application/rtf';

/** Destinations whose content is no text of the document. */
const SKIPPED_DESTINATIONS = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'object', 'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl',
  'footerr', 'footerf', 'listtable', 'listoverridetable', 'pntxta', 'pntxtb', 'rsidtbl',
  'revtbl', 'themedata', 'colorschememapping', 'datastore', 'latentstyles', 'xmlnstbl', 'generator', 'annotation',
  'atnid', 'atnauthor', 'atrfstart', 'atrfend', 'xe', 'tc', 'txe', 'nonshppict', 'shp', 'shprslt', 'do', 'ftnsep', 'ftnsepc',
  'aftnsep', 'aftnsepc', 'template', 'filetbl', 'userprops', 'docvar', 'bkmkstart', 'bkmkend', 'pgdsctbl', 'mmathPr',
  'wgrffmtfilter', 'protusertbl', 'falt', 'panose', 'leveltext', 'levelnumbers', 'author', 'operator', 'company',
]);

/** Control words that stand for one character. */
const SYMBOLS: Record<string, string> = {
  emdash: '\u2014', endash: '\u2013', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201C', rdblquote: '\u201D',
  bullet: '\u2022', emspace: ' ', enspace: ' ', qmspace: ' ', tab: '\t', line: '\n', page: '\n', column: '\n',
  zwj: '', zwnj: '', ltrmark: '', rtlmark: '',
};

/** Windows code pages of the `\fcharsetN` values. */
const CHARSET_CODE_PAGES: Record<number, number> = {
  0: 1252, 77: 10000, 128: 932, 129: 949, 134: 936, 136: 950, 161: 1253, 162: 1254, 163: 1258, 177: 1255, 178: 1256,
  186: 1257, 204: 1251, 222: 874, 238: 1250,
};

/** Where the text of a group goes: the body, a footnote, the title, a list label, a field instruction, or nowhere. */
type Sink = 'body' | 'footnote' | 'title' | 'label' | 'instruction' | 'none';

type GroupState = {
  sink: Sink;
  /** Fallback characters after `\uN`. */
  unicodeSkip: number;
  hidden: boolean;
  deleted: boolean;
  /** Paragraph properties: outline level from `\outlinelevelN` or the style, -1 for none; inside a table. */
  outlineLevel: number;
  inTable: boolean;
  /** Code page of the current font (`\fN`), or 0 for the document's. */
  fontCodePage: number;
  /** In the stylesheet: the style being defined. */
  styleNumber: number;
};

/** Loads an RTF document. Throws `rtf_corrupt` without an RTF header, `office_no_content` without text. */
export function loadRtf(bytes: Uint8Array): LoadedDocument {
  const { blocks, title } = parseRtf(bytes);
  return buildOfficeDocument(blocks, { title, mimeType: RTF_MIME_TYPE, formatName: 'RTF', bytes });
}

/** The blocks and `\title` of an RTF document. */
export function parseRtf(bytes: Uint8Array): { blocks: OfficeBlock[]; title: string | null } {
  if (!(bytes[0] === 0x7b && bytes[1] === 0x5c && bytes[2] === 0x72 && bytes[3] === 0x74 && bytes[4] === 0x66)) {
    throw new UnprocessableDocumentError(userMessage('rtf_corrupt'));
  }
  return new RtfReader(bytes).read();
}

// ---- the reader: one pass over the bytes, a stack of group states

/** Reads one RTF document; `read()` once. */
class RtfReader {
  readonly #bytes: Uint8Array;
  #position = 0;
  #documentCodePage = 1252;
  readonly #fontCodePages = new Map<number, number>();
  /** Outline level by style number (`\sN`) from the stylesheet. */
  readonly #styleOutlines = new Map<number, number>();
  #state: GroupState = { sink: 'body', unicodeSkip: 1, hidden: false, deleted: false, outlineLevel: -1, inTable: false, fontCodePage: 0, styleNumber: -1 };
  readonly #stack: GroupState[] = [];
  /** Text of the paragraph being read, per sink. */
  #paragraph = '';
  #footnoteParagraph = '';
  #title = '';
  /** The rendered number of the current list item (`\listtext`, `\pntext`), and where its group started. */
  #label = '';
  #labelDepth = -1;
  /** The instruction of the last field (`\fldinst`): a TOC field's result is a generated table of contents. */
  #instruction = '';
  /** Pending `\'hh` bytes, decoded together (double-byte code pages). */
  #pendingBytes: number[] = [];
  /** Fallback characters still to skip after a `\uN`. */
  #skipCharacters = 0;
  /** In the font table: the font being defined. */
  #fontNumber = -1;
  #destinationNext = false;
  readonly #blocks: OfficeBlock[] = [];
  /** The table row being read: its finished cells, and the blocks of the open cell. */
  #rowCells: OfficeBlock[][] = [];
  #cellBlocks: OfficeBlock[] = [];
  #footnotes: OfficeBlock[] = [];
  #pendingFootnotes: OfficeBlock[] = [];
  /** Group depth where the current footnote started. */
  #footnoteDepth = -1;
  /** The group is the font table (its nested font groups set `\fcharset`). */
  #fontTableDepth = -1;
  #styleSheetDepth = -1;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(): { blocks: OfficeBlock[]; title: string | null } {
    const bytes = this.#bytes;
    while (this.#position < bytes.length) {
      const byte = bytes[this.#position]!;
      if (byte === 0x7b) {
        this.#flushBytes();
        this.#stack.push(this.#state);
        this.#state = { ...this.#state };
        this.#position += 1;
      } else if (byte === 0x7d) {
        this.#flushBytes();
        this.#closeGroup();
        this.#position += 1;
      } else if (byte === 0x5c) {
        this.#controlWord();
      } else if (byte === 0x0d || byte === 0x0a) {
        this.#position += 1; // line ends in the source mean nothing
      } else if (byte >= 0x80) {
        // An 8-bit character written raw: a byte of the code page, like \'hh.
        this.#position += 1;
        if (this.#skipCharacters > 0) this.#skipCharacters -= 1;
        else if (this.#writing()) this.#pendingBytes.push(byte);
      } else {
        this.#flushBytes();
        this.#position += 1;
        this.#character(String.fromCharCode(byte), true);
      }
    }
    this.#flushBytes();
    this.#endParagraph();
    this.#endRow();
    this.#blocks.push(...this.#pendingFootnotes);
    const title = this.#title.replace(/\s+/g, ' ').trim();
    return { blocks: this.#blocks, title: title || null };
  }

  #closeGroup(): void {
    const depth = this.#stack.length;
    if (depth === this.#footnoteDepth) {
      this.#endFootnoteParagraph();
      this.#pendingFootnotes.push(...this.#footnotes);
      this.#footnotes = [];
      this.#footnoteDepth = -1;
    }
    if (depth === this.#labelDepth) {
      // A number ("§ 1", "(2)", "a)") goes before the paragraph; a bullet (no letter or digit) does not.
      const label = this.#label.replace(/\s+/g, ' ').trim();
      if (/[\p{L}\p{N}]/u.test(label) && this.#stack[this.#stack.length - 1]?.sink === 'body') this.#paragraph += `${label} `;
      this.#label = '';
      this.#labelDepth = -1;
    }
    if (depth === this.#fontTableDepth) this.#fontTableDepth = -1;
    if (depth === this.#styleSheetDepth) this.#styleSheetDepth = -1;
    const outer = this.#stack.pop();
    if (outer) {
      // Paragraph properties set inside a group that holds the paragraph's end are read at `\par`; a
      // group that closes before it restores them, as RTF readers do.
      this.#state = outer;
    }
  }

  // ---- tokens: control words and symbols

  /** Reads `\word[-N][ ]` or `\symbol` at the current position and acts on it. */
  #controlWord(): void {
    const bytes = this.#bytes;
    const start = this.#position + 1;
    const first = bytes[start];
    if (first === undefined) {
      this.#position = start;
      return;
    }
    if (!isLetter(first)) {
      this.#position = start + 1;
      this.#controlSymbol(first);
      return;
    }
    let end = start;
    while (end < bytes.length && end - start < 32 && isLetter(bytes[end]!)) end++;
    const word = String.fromCharCode(...bytes.subarray(start, end));
    let parameterEnd = end;
    if (bytes[parameterEnd] === 0x2d) parameterEnd++;
    while (parameterEnd < bytes.length && parameterEnd - end < 11 && bytes[parameterEnd]! >= 0x30 && bytes[parameterEnd]! <= 0x39) parameterEnd++;
    const hasParameter = parameterEnd > end && !(parameterEnd === end + 1 && bytes[end] === 0x2d);
    const parameter = hasParameter ? Number(String.fromCharCode(...bytes.subarray(end, parameterEnd))) : null;
    if (!hasParameter) parameterEnd = end;
    this.#position = bytes[parameterEnd] === 0x20 ? parameterEnd + 1 : parameterEnd;
    if (word !== 'u') this.#flushBytes();
    this.#act(word, parameter);
  }

  #controlSymbol(symbol: number): void {
    switch (symbol) {
      case 0x27: {
        // \'hh
        const hex = String.fromCharCode(this.#bytes[this.#position] ?? 0, this.#bytes[this.#position + 1] ?? 0);
        this.#position += 2;
        const value = Number.parseInt(hex, 16);
        if (this.#skipCharacters > 0) this.#skipCharacters -= 1;
        else if (Number.isInteger(value) && this.#writing()) this.#pendingBytes.push(value);
        return;
      }
      case 0x2a: // \*
        this.#flushBytes();
        this.#destinationNext = true;
        return;
      case 0x5c:
      case 0x7b:
      case 0x7d:
        this.#flushBytes();
        this.#character(String.fromCharCode(symbol), true);
        return;
      case 0x7e: // \~ non-breaking space
        this.#flushBytes();
        this.#character('\u00A0', true);
        return;
      case 0x5f: // \_ non-breaking hyphen
        this.#flushBytes();
        this.#character('-', true);
        return;
      case 0x0a:
      case 0x0d: // \<newline> is \par
        this.#flushBytes();
        this.#act('par', null);
        return;
      default:
        this.#flushBytes();
        if (this.#skipCharacters > 0) this.#skipCharacters -= 1; // \- (optional hyphen), \|, \: …
    }
  }

  // ---- what control words do: destinations, characters, formatting, structure

  #act(word: string, parameter: number | null): void {
    const state = this.#state;
    const destination = this.#destinationNext;
    this.#destinationNext = false;
    // A control word that starts a destination group decides where the group's text goes.
    // A footnote, and the text of a text box (inside a shape that is otherwise skipped), follow their paragraph.
    if (word === 'footnote' || word === 'shptxt') {
      this.#footnoteDepth = this.#stack.length;
      state.sink = 'footnote';
      this.#footnoteParagraph = '';
      return;
    }
    if (word === 'title' && this.#stack.length > 0 && this.#stack[this.#stack.length - 1]!.sink === 'none') {
      state.sink = 'title';
      return;
    }
    if (word === 'fldinst') {
      this.#instruction = '';
      state.sink = 'instruction';
      return;
    }
    if (word === 'fldrslt' && /^\s*TOC\b/.test(this.#instruction)) {
      state.sink = 'none';
      return;
    }
    if ((word === 'listtext' || word === 'pntext') && state.sink === 'body') {
      this.#labelDepth = this.#stack.length;
      this.#label = '';
      state.sink = 'label';
      return;
    }
    if (word === 'fonttbl') this.#fontTableDepth = this.#stack.length;
    if (word === 'stylesheet') this.#styleSheetDepth = this.#stack.length;
    if (SKIPPED_DESTINATIONS.has(word) || (destination && word !== 'footnote' && word !== 'fldrslt')) {
      state.sink = 'none';
      if (this.#skipCharacters > 0) this.#skipCharacters -= 1;
      return;
    }
    if (this.#skipCharacters > 0 && word !== 'u') {
      this.#skipCharacters -= 1; // a control word counts as one fallback character
      if (!(word in SYMBOLS)) this.#apply(word, parameter);
      return;
    }
    if (word in SYMBOLS) {
      this.#character(SYMBOLS[word]!, false);
      return;
    }
    this.#apply(word, parameter);
  }

  /** Formatting, structure and code-page control words. */
  #apply(word: string, parameter: number | null): void {
    const state = this.#state;
    switch (word) {
      case 'u': {
        if (parameter === null) return;
        const code = parameter < 0 ? parameter + 65536 : parameter;
        this.#flushBytes();
        if (this.#writing()) this.#append(String.fromCharCode(code));
        this.#skipCharacters = state.unicodeSkip;
        return;
      }
      case 'uc':
        state.unicodeSkip = Math.max(0, Math.min(parameter ?? 1, 10));
        return;
      case 'ansicpg':
        if (parameter !== null && parameter > 0) this.#documentCodePage = parameter;
        return;
      case 'mac':
        this.#documentCodePage = 10000;
        return;
      case 'f':
        if (this.#fontTableDepth >= 0) this.#fontNumber = parameter ?? -1;
        else state.fontCodePage = this.#fontCodePages.get(parameter ?? -1) ?? 0;
        return;
      case 'fcharset':
        if (this.#fontTableDepth >= 0 && parameter !== null && CHARSET_CODE_PAGES[parameter]) this.#fontCodePages.set(this.#fontNumber, CHARSET_CODE_PAGES[parameter]!);
        return;
      case 'cpg':
        if (this.#fontTableDepth >= 0 && parameter) this.#fontCodePages.set(this.#fontNumber, parameter);
        return;
      case 's':
        if (this.#styleSheetDepth >= 0) state.styleNumber = parameter ?? 0;
        else state.outlineLevel = this.#styleOutlines.get(parameter ?? 0) ?? -1;
        return;
      case 'outlinelevel':
        if (this.#styleSheetDepth >= 0) this.#styleOutlines.set(state.styleNumber, parameter ?? 0);
        else state.outlineLevel = parameter ?? 0;
        return;
      case 'pard':
        state.outlineLevel = -1;
        state.inTable = false;
        return;
      case 'intbl':
        state.inTable = true;
        return;
      case 'plain':
        state.hidden = false;
        state.deleted = false;
        return;
      case 'v':
        state.hidden = parameter !== 0;
        return;
      case 'deleted':
        state.deleted = parameter !== 0;
        return;
      case 'par':
      case 'sect':
        if (state.sink === 'footnote') this.#endFootnoteParagraph();
        else if (state.sink === 'body') this.#endParagraph();
        return;
      case 'cell':
        if (state.sink === 'body') {
          this.#endParagraph(true);
          this.#rowCells.push(this.#cellBlocks);
          this.#cellBlocks = [];
        }
        return;
      case 'nestcell': // a cell of a table inside a cell: a paragraph of the outer cell
        if (state.sink === 'body') this.#endParagraph(true);
        return;
      case 'row':
        if (state.sink === 'body') this.#endRow();
        return;
      case 'bin':
        // Binary data follows: skip it unread.
        this.#position += Math.max(0, parameter ?? 0);
        return;
      case 'chftn':
        return; // the footnote's own number
      default:
    }
  }

  // ---- output: text into its sink, paragraphs and table rows into blocks

  /** Whether text in the current group is kept. */
  #writing(): boolean {
    return this.#state.sink !== 'none' && !this.#state.hidden && !this.#state.deleted;
  }

  #character(character: string, countsAsFallback: boolean): void {
    if (countsAsFallback && this.#skipCharacters > 0) {
      this.#skipCharacters -= 1;
      return;
    }
    if (this.#writing()) this.#append(character);
  }

  #append(text: string): void {
    if (this.#state.sink === 'body') this.#paragraph += text;
    else if (this.#state.sink === 'footnote') this.#footnoteParagraph += text;
    else if (this.#state.sink === 'title') this.#title += text;
    else if (this.#state.sink === 'label') this.#label += text;
    else if (this.#state.sink === 'instruction') this.#instruction += text;
  }

  #flushBytes(): void {
    if (this.#pendingBytes.length === 0) return;
    const pending = Uint8Array.from(this.#pendingBytes);
    this.#pendingBytes = [];
    this.#append(decodeCodePage(pending, this.#state.fontCodePage || this.#documentCodePage));
  }

  /** Ends the paragraph; inside a table (`\intbl`, or ended by `\cell`) it belongs to the open cell. */
  #endParagraph(inCell = false): void {
    const text = this.#paragraph;
    this.#paragraph = '';
    const level = this.#state.outlineLevel;
    const inTable = inCell || this.#state.inTable;
    const target = inTable ? this.#cellBlocks : this.#blocks;
    if (!inTable && this.#rowCells.length + this.#cellBlocks.length > 0) this.#endRow(); // a row left without \row
    if (level >= 0 && level <= 8 && !inTable) target.push({ kind: 'heading', level: level + 1, text });
    else target.push({ kind: 'paragraph', text });
    target.push(...this.#pendingFootnotes);
    this.#pendingFootnotes = [];
  }

  /** Ends the table row: its cells become one block or blocks of their own (tableRowBlocks). */
  #endRow(): void {
    if (this.#cellBlocks.some((block) => block.text.trim().length > 0)) this.#rowCells.push(this.#cellBlocks);
    this.#cellBlocks = [];
    if (this.#rowCells.length > 0) this.#blocks.push(...tableRowBlocks(this.#rowCells));
    this.#rowCells = [];
  }

  #endFootnoteParagraph(): void {
    this.#footnotes.push({ kind: 'paragraph', text: this.#footnoteParagraph });
    this.#footnoteParagraph = '';
  }
}

function isLetter(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a);
}

/** Decodes bytes of a Windows (or Mac, DOS) code page; Windows-1252 when the page is unknown. */
function decodeCodePage(bytes: Uint8Array, codePage: number): string {
  if (codePage === 1252) return decodeWindows1252(bytes);
  const labels: Record<number, string> = { 10000: 'macintosh', 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 874: 'windows-874', 65001: 'utf-8' };
  const label = labels[codePage] ?? (codePage >= 1250 && codePage <= 1258 ? `windows-${codePage}` : null);
  if (label) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // unknown to this runtime: fall through
    }
  }
  return decodeWindows1252(bytes);
}
