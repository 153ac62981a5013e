/**
 * What the DOCX, ODT and RTF loaders have in common: each walks its format into a list of
 * blocks (headings with a level, and paragraph-like blocks: paragraphs, list items, table cells,
 * footnotes), and this module turns that list into beleg's text with section spans, so the three
 * formats end in the same shape.
 *
 * Conventions shared by the three loaders (README "Supported formats"):
 * - every paragraph and list item is a block of its own (blank line between), so no quote crosses
 *   from one into the next; headings become section spans and are never quoted;
 * - a table row of short one-line cells (a data table: "Straßenbau | 830.000") is one block, its
 *   cells joined by " | ", so a quote keeps a value with its label; a row with a long cell or a
 *   cell of several paragraphs (a layout table holding prose) gives every cell paragraph its own
 *   block, so no quote runs from one cell into the next;
 * - a footnote or endnote becomes its own block right after the block that references it (so it
 *   stays in its section), its reference mark is dropped from the running text;
 * - a line break inside a paragraph stays a line break, a tab becomes a space;
 * - page headers and footers, comments, deleted tracked changes and generated indexes are dropped.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';

/** A heading (level 1 = top) or a paragraph-like block, its raw text as the format gave it. */
export type OfficeBlock = { kind: 'heading'; level: number; text: string } | { kind: 'paragraph'; text: string };

/** Deepest heading level kept; deeper outline levels count as this one. */
const MAX_HEADING_LEVEL = 9;

/** Longest cell (characters) of a row kept as one block; longer cells hold prose, not values. */
const MAX_ROW_CELL_CHARACTERS = 120;
/** Longest row kept as one block. */
const MAX_ROW_CHARACTERS = 400;
/** Between the cells of a row kept as one block. */
export const CELL_SEPARATOR = ' | ';

/**
 * The blocks of one table row from the blocks of its cells, in order: one block with the cells
 * joined by " | " when every cell is one short line (empty cells left out), else each cell's
 * blocks as they are.
 */
export function tableRowBlocks(cells: OfficeBlock[][]): OfficeBlock[] {
  const contents = cells.map((cell) => cell.map((block) => cleanOfficeBlock(block.text)).filter((text) => text.length > 0));
  const values = contents.filter((cell) => cell.length > 0).map((cell) => cell[0]!);
  const short = contents.every((cell) => cell.length <= 1 && (cell[0] === undefined || (cell[0].length <= MAX_ROW_CELL_CHARACTERS && !cell[0].includes('\n'))));
  if (!short || values.length === 0 || values.join(CELL_SEPARATOR).length > MAX_ROW_CHARACTERS) {
    return cells.flat().map((block) => ({ kind: 'paragraph', text: block.text }));
  }
  return [{ kind: 'paragraph', text: values.join(CELL_SEPARATOR) }];
}

/** A block's text: normalized, whitespace collapsed within lines, line breaks kept. */
export function cleanOfficeBlock(text: string): string {
  return normalizeText(
    text
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line.length > 0)
      .join('\n'),
  );
}

/**
 * Builds the loaded document from `blocks`. The title is `title` when the document properties
 * have one, else the first heading. Throws UnprocessableDocumentError `office_no_content` when
 * no text remains.
 */
export function buildOfficeDocument(
  blocks: Iterable<OfficeBlock>,
  meta: { title: string | null; mimeType: string; formatName: string; bytes: Uint8Array },
): LoadedDocument {
  const builder = new SectionBuilder();
  for (const block of blocks) {
    const text = cleanOfficeBlock(block.text);
    if (block.kind === 'heading') builder.addHeading(Math.min(Math.max(1, block.level), MAX_HEADING_LEVEL), text.replace(/\s+/g, ' '));
    else builder.addBlock(text);
  }
  const { text, sections } = builder.finish();
  if (text.length === 0) throw new UnprocessableDocumentError(userMessage('office_no_content', { format: meta.formatName }));
  const title = cleanOfficeBlock(meta.title ?? '').replace(/\s+/g, ' ');
  return {
    text,
    title: title || (sections[0]?.headingPath[0] ?? null),
    mimeType: meta.mimeType,
    language: detectLanguage(text),
    sections,
    bytes: meta.bytes,
  };
}

/** `w:p` → `p`: office XML is matched by local names, whatever prefix a producer chose. */
export function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

/** The value of attribute `name` (matched by local name, `w:val` for `val`), or undefined. */
export function attributeOf(attributes: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(attributes)) if (key === name || localName(key) === name) return value;
  return undefined;
}
