/**
 * DOCX loader: reads WordprocessingML directly (word/document.xml, styles.xml, footnotes.xml,
 * endnotes.xml and docProps/core.xml through zip-archive.ts and parse-xml.ts) rather than through
 * a converter, so the hardened ZIP and XML readers see every byte and nothing is lost on the way
 * through HTML (tracked changes, footnote positions, heading outline levels of localized styles).
 *
 * What it keeps: paragraphs, headings (by the outline level of their style or paragraph, or a
 * built-in heading style such as "heading 1" / "Überschrift 1"), list items, table cells (each its
 * own block, or a row of short cells one block), footnotes and endnotes (after the block that references them), text boxes (after
 * their paragraph), inserted tracked changes, field results, hyperlink text. What it drops: page
 * headers and footers (separate parts it never reads), comments, deleted tracked changes, field
 * instructions, hidden text (`w:vanish`), tables of contents, images, bullets. Automatic numbers of headings and lists
 * ("§ 1", "(2)", "a)") are written before their paragraph (docx-numbering.ts).
 */
import type { LoadedDocument } from '../types.ts';
import { DocxNumbering } from './docx-numbering.ts';
import { attributeOf, buildOfficeDocument, localName, tableRowBlocks, type OfficeBlock } from './office-blocks.ts';
import { parseXml, type XmlElement, type XmlNode } from './parse-xml.ts';
import { readZipEntries } from './zip-archive.ts';

const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PARTS = new Set(['word/document.xml', 'word/styles.xml', 'word/numbering.xml', 'word/footnotes.xml', 'word/endnotes.xml', 'docProps/core.xml']);

/** Elements whose content is never text of the document (properties, deletions, field codes). */
const SKIPPED = new Set([
  'pPr', 'rPr', 'tblPr', 'tblGrid', 'trPr', 'tcPr', 'sectPr', 'del', 'moveFrom', 'delText', 'instrText', 'delInstrText',
  'footnoteRef', 'endnoteRef', 'annotationRef', 'commentReference', 'separator', 'continuationSeparator', 'sdtPr',
  'sdtEndPr', 'fldData', 'bookmarkStart', 'bookmarkEnd', 'proofErr', 'permStart', 'permEnd',
]);
/** Built-in heading style names and ids, English and German ("Überschrift 1" has the id "berschrift1"). */
const HEADING_STYLE_NAME = /^(?:heading|überschrift|berschrift)\s*([1-9])$/i;
const TITLE_STYLE_NAME = /^(?:title|titel)$/i;
/** Table-of-contents entry styles ("toc 1"; LibreOffice writes "Contents 1"; German ids "Verzeichnis1"). */
const CONTENTS_STYLE_NAME = /^(?:toc|contents|verzeichnis|inhaltsverzeichnis)\s*[1-9]$/i;

type Style = { name: string; basedOn?: string; outlineLevel?: number; numbering?: NumberingReference };
/** A paragraph's `w:numPr`: its list and (when given) level. */
type NumberingReference = { numId: string; level?: number };
type Context = { styles: Map<string, Style>; numbering: DocxNumbering; notes: Map<string, OfficeBlock[]> };

/** Loads a DOCX file. Throws `archive_corrupt`, `archive_too_large`, `xml_invalid` or `office_no_content`. */
export function loadDocx(bytes: Uint8Array): LoadedDocument {
  const parts = readZipEntries(bytes, (name) => PARTS.has(name));
  const xml = (name: string): XmlElement[] => {
    const part = parts.get(name);
    return part ? parseXml(part, name) : [];
  };
  const context: Context = { styles: readStyles(xml('word/styles.xml')), numbering: new DocxNumbering(xml('word/numbering.xml')), notes: new Map() };
  for (const [part, kind] of [['word/footnotes.xml', 'footnote'], ['word/endnotes.xml', 'endnote']] as const) {
    for (const note of elementsNamed(xml(part), kind)) {
      const type = attributeOf(note.attributes, 'type');
      if (type && type !== 'normal') continue; // separators and continuation notices
      const blocks: OfficeBlock[] = [];
      walkBlocks(note, context, blocks, false);
      context.notes.set(`${kind}:${attributeOf(note.attributes, 'id')}`, blocks);
    }
  }
  const body = elementsNamed(xml('word/document.xml'), 'body')[0];
  const blocks: OfficeBlock[] = [];
  if (body) walkBlocks(body, context, blocks, true);
  const title = elementsNamed(xml('docProps/core.xml'), 'title').map(plainText)[0] ?? null;
  return buildOfficeDocument(blocks, { title, mimeType: DOCX_MIME_TYPE, formatName: 'DOCX', bytes });
}

// ---- block level: paragraphs, tables, content controls

/** Appends the blocks of a block container (body, table cell, note, text box) to `out`. */
function walkBlocks(container: XmlElement, context: Context, out: OfficeBlock[], headings: boolean): void {
  for (const child of container.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (name === 'p') paragraph(child, context, out, headings);
    else if (name === 'tbl') table(child, context, out);
    else if (name === 'sdt' && isTableOfContents(child)) continue; // generated: repeats the headings with page numbers
    else if (!SKIPPED.has(name)) walkBlocks(child, context, out, headings); // sdt, sdtContent, customXml, ins, …
  }
}

/** Each row's cells are walked as containers of their own; tableRowBlocks decides whether the row is one block. */
function table(element: XmlElement, context: Context, out: OfficeBlock[]): void {
  for (const child of element.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (name === 'tr') {
      const cells: OfficeBlock[][] = [];
      collectCells(child, context, cells);
      out.push(...tableRowBlocks(cells));
    } else if (!SKIPPED.has(name) && name !== 'p') table(child, context, out); // sdt, sdtContent, customXml around rows
  }
}

function collectCells(element: XmlElement, context: Context, cells: OfficeBlock[][]): void {
  for (const child of element.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (name === 'tc') {
      const blocks: OfficeBlock[] = [];
      walkBlocks(child, context, blocks, false);
      cells.push(blocks);
    } else if (!SKIPPED.has(name) && name !== 'p') collectCells(child, context, cells); // sdt, sdtContent, customXml around cells
  }
}

function paragraph(element: XmlElement, context: Context, out: OfficeBlock[], headings: boolean): void {
  if (isContentsEntry(element, context.styles)) return;
  const after: OfficeBlock[] = [];
  const label = numberLabel(element, context);
  const content = inlineText(element, context, after);
  const text = label && content.trim() ? `${label} ${content}` : content;
  const level = headings ? headingLevel(element, context.styles) : null;
  out.push(level === null ? { kind: 'paragraph', text } : { kind: 'heading', level, text });
  out.push(...after);
}

// ---- inline level: runs, breaks, notes, text boxes

/** The text of a paragraph; footnotes it references and text boxes it holds go to `after`. */
function inlineText(element: XmlElement, context: Context, after: OfficeBlock[]): string {
  let text = '';
  for (const child of element.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (SKIPPED.has(name)) continue;
    switch (name) {
      case 't':
        text += plainText(child);
        break;
      case 'tab':
      case 'ptab':
        text += '\t';
        break;
      case 'br':
      case 'cr':
        text += '\n';
        break;
      case 'noBreakHyphen':
        text += '-';
        break;
      case 'softHyphen':
        break;
      case 'r':
        if (!isHidden(child)) text += inlineText(child, context, after);
        break;
      case 'footnoteReference':
      case 'endnoteReference': {
        const key = `${name === 'footnoteReference' ? 'footnote' : 'endnote'}:${attributeOf(child.attributes, 'id')}`;
        after.push(...(context.notes.get(key) ?? []));
        context.notes.delete(key); // a note referenced twice is kept once
        break;
      }
      case 'AlternateContent': {
        // Choice and Fallback hold the same content twice (e.g. a text box as DrawingML and VML).
        const choice = child.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'Choice');
        const fallback = child.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'Fallback');
        const chosen = choice ?? fallback;
        if (chosen) text += inlineText(chosen, context, after);
        break;
      }
      case 'txbxContent':
        walkBlocks(child, context, after, false);
        break;
      default:
        // hyperlink, smartTag, ins, moveTo, fldSimple, sdt, drawing, pict, oMath, …: their runs count.
        text += inlineText(child, context, after);
    }
  }
  return text;
}

/** A content control Word (and LibreOffice) wrap a table of contents in: `w:docPartGallery` "Table of Contents". */
function isTableOfContents(sdt: XmlElement): boolean {
  const properties = sdt.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'sdtPr');
  if (!properties) return false;
  const gallery = elementsNamed([properties], 'docPartGallery')[0];
  return /table of contents/i.test(attributeOf(gallery?.attributes ?? {}, 'val') ?? '');
}

/** A paragraph in a table-of-contents entry style. */
function isContentsEntry(element: XmlElement, styles: Map<string, Style>): boolean {
  const properties = element.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pPr');
  const styleElement = properties?.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pStyle');
  const styleId = styleElement ? attributeOf(styleElement.attributes, 'val') : undefined;
  if (styleId === undefined) return false;
  return CONTENTS_STYLE_NAME.test(styles.get(styleId)?.name ?? '') || CONTENTS_STYLE_NAME.test(styleId);
}

/** A run formatted as hidden text (`<w:vanish/>`, not `w:val="0"`). */
function isHidden(run: XmlElement): boolean {
  const properties = run.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'rPr');
  const vanish = properties?.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'vanish');
  if (!vanish) return false;
  const value = attributeOf(vanish.attributes, 'val');
  return value === undefined || !['0', 'false', 'off'].includes(value);
}

// ---- styles and headings

function readStyles(roots: XmlElement[]): Map<string, Style> {
  const styles = new Map<string, Style>();
  for (const style of elementsNamed(roots, 'style')) {
    if (attributeOf(style.attributes, 'type') !== 'paragraph') continue;
    const id = attributeOf(style.attributes, 'styleId');
    if (!id) continue;
    const child = (name: string) => style.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === name);
    const properties = child('pPr');
    const outline = properties && outlineLevelOf(properties);
    const numbering = properties && numberingOf(properties);
    styles.set(id, {
      name: attributeOf(child('name')?.attributes ?? {}, 'val') ?? id,
      basedOn: attributeOf(child('basedOn')?.attributes ?? {}, 'val'),
      ...(outline !== undefined ? { outlineLevel: outline } : {}),
      ...(numbering ? { numbering } : {}),
    });
  }
  return styles;
}

/** `w:numPr` of a paragraph-properties element, or undefined. */
function numberingOf(properties: XmlElement): NumberingReference | undefined {
  const numPr = properties.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'numPr');
  if (!numPr) return undefined;
  const value = (name: string) => {
    const element = numPr.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === name);
    return element ? attributeOf(element.attributes, 'val') : undefined;
  };
  const numId = value('numId');
  const level = Number(value('ilvl'));
  return numId === undefined ? undefined : { numId, ...(value('ilvl') !== undefined && Number.isInteger(level) ? { level } : {}) };
}

/** The automatic number of a paragraph ("§ 1", "(2)"), from its own `w:numPr` or its style's; '' for none or bullets. */
function numberLabel(element: XmlElement, context: Context): string {
  const properties = element.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pPr');
  if (!properties) return '';
  const styleElement = properties.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pStyle');
  const styleId = styleElement ? attributeOf(styleElement.attributes, 'val') : undefined;
  let reference = numberingOf(properties);
  for (let id = styleId, hops = 0; reference === undefined && id !== undefined && hops < 20; hops++) {
    const style = context.styles.get(id);
    reference = style?.numbering;
    id = style?.basedOn;
  }
  if (!reference || reference.numId === '0') return '';
  return context.numbering.next(reference.numId, reference.level, styleId);
}

/** `w:outlineLvl` of a paragraph-properties element: 0–8, 9 meaning body text; undefined when absent. */
function outlineLevelOf(properties: XmlElement): number | undefined {
  const outline = properties.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'outlineLvl');
  const value = Number(attributeOf(outline?.attributes ?? {}, 'val'));
  return outline && Number.isInteger(value) ? value : undefined;
}

/** The heading level (1–9) of a paragraph, or null for body text. */
function headingLevel(element: XmlElement, styles: Map<string, Style>): number | null {
  const properties = element.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pPr');
  if (!properties) return null;
  const direct = outlineLevelOf(properties);
  if (direct !== undefined) return direct >= 0 && direct <= 8 ? direct + 1 : null;
  const styleElement = properties.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'pStyle');
  let styleId = styleElement ? attributeOf(styleElement.attributes, 'val') : undefined;
  // Follow basedOn: a custom "Satzung §" style based on "Überschrift 2" is a heading 2.
  for (let hops = 0; styleId !== undefined && hops < 20; hops++) {
    const style = styles.get(styleId);
    if (style?.outlineLevel !== undefined) return style.outlineLevel >= 0 && style.outlineLevel <= 8 ? style.outlineLevel + 1 : null;
    const named = HEADING_STYLE_NAME.exec(style?.name ?? '') ?? HEADING_STYLE_NAME.exec(styleId);
    if (named) return Number(named[1]);
    if (TITLE_STYLE_NAME.test(style?.name ?? styleId)) return 1;
    styleId = style?.basedOn;
  }
  return null;
}

// ---- helpers

/** Elements with local name `name` anywhere below (and including) `roots`, in document order. */
function elementsNamed(roots: XmlElement[], name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (element: XmlElement) => {
    if (localName(element.tag) === name) {
      found.push(element);
      return;
    }
    for (const child of element.children) if ('tag' in child) visit(child);
  };
  roots.forEach(visit);
  return found;
}

function plainText(node: XmlNode): string {
  return 'text' in node ? node.text : node.children.map(plainText).join('');
}
