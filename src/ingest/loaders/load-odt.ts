/**
 * ODT loader: reads OpenDocument text (content.xml and meta.xml through zip-archive.ts and
 * parse-xml.ts). Headings are `text:h` with their outline level; paragraphs, list items and table
 * cells are blocks of their own; footnotes and endnotes (`text:note`) follow the block that cites
 * them; text boxes follow their paragraph. Page headers and footers live in styles.xml, which is
 * never read; comments (`office:annotation`), deleted tracked changes (`text:tracked-changes`) and
 * generated indexes (tables of contents and the like) are dropped. An ODT saved with a password
 * keeps content.xml encrypted and says so in its manifest: `office_encrypted`.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { ListCounters } from './list-labels.ts';
import { attributeOf, buildOfficeDocument, localName, tableRowBlocks, type OfficeBlock } from './office-blocks.ts';
import { odfLabel, readOdfNumbering, type OdfNumbering } from './odt-numbering.ts';
import { parseXml, type XmlElement, type XmlNode } from './parse-xml.ts';
import { readZipEntries } from './zip-archive.ts';

const ODT_MIME_TYPE = 'application/vnd.oasis.opendocument.text';
const PARTS = new Set(['content.xml', 'styles.xml', 'meta.xml', 'META-INF/manifest.xml']);

/** Elements (local names) that hold no text of the document, or only generated or deleted text. */
const SKIPPED = new Set([
  'tracked-changes', 'annotation', 'annotation-end', 'note-citation', 'table-of-content', 'alphabetical-index',
  'illustration-index', 'table-index', 'object-index', 'user-index', 'bibliography', 'table-columns', 'table-column',
  'table-header-columns', 'sequence-decls', 'variable-decls', 'user-field-decls', 'forms', 'soft-page-break',
  'bookmark', 'bookmark-start', 'bookmark-end', 'reference-mark', 'reference-mark-start', 'reference-mark-end',
  'change', 'change-start', 'change-end', 'image', 'covered-table-cell', 'rt', 'number', 'title', 'desc', 'object', 'object-ole',
  'applet', 'plugin', 'event-listeners', 'glue-point', 'enhanced-geometry',
]);

/** Numbering state of one document: heading outline counters, and list counters to continue lists. */
type Walk = { numbering: OdfNumbering; outline: ListCounters; listsById: Map<string, ListCounters>; listsByStyle: Map<string, ListCounters> };
/** The list being walked: its style, counters and level (0 = top). */
type ListContext = { style: string | undefined; counters: ListCounters; level: number };
/** The label the next paragraph of a list item starts with (only the first one gets it). */
type PendingLabel = { value: string };

/** Loads an ODT file. Throws `office_encrypted`, `archive_corrupt`, `archive_too_large`, `xml_invalid` or `office_no_content`. */
export function loadOdt(bytes: Uint8Array): LoadedDocument {
  const parts = readZipEntries(bytes, (name) => PARTS.has(name));
  const manifest = parts.get('META-INF/manifest.xml');
  if (manifest && /encryption-data/.test(new TextDecoder().decode(manifest))) {
    throw new UnprocessableDocumentError(userMessage('office_encrypted'));
  }
  const content = parts.get('content.xml');
  const roots = content ? parseXml(content, 'content.xml') : [];
  const body = roots.flatMap((root) => findAll(root, 'body'))[0];
  const text = body ? findAll(body, 'text')[0] : undefined;
  const styles = parts.get('styles.xml');
  const walk: Walk = {
    numbering: readOdfNumbering([...(styles ? parseXml(styles, 'styles.xml') : []), ...roots]),
    outline: new ListCounters(),
    listsById: new Map(),
    listsByStyle: new Map(),
  };
  const blocks: OfficeBlock[] = [];
  if (text) walkBlocks(text, blocks, true, walk);
  const meta = parts.get('meta.xml');
  const title = meta ? (parseXml(meta, 'meta.xml').flatMap((root) => findAll(root, 'title')).map(plainText)[0] ?? null) : null;
  return buildOfficeDocument(blocks, { title, mimeType: ODT_MIME_TYPE, formatName: 'ODT', bytes });
}

/** Appends the blocks of a container (the document body, a section, a list item, a table cell, a note body). */
function walkBlocks(container: XmlElement, out: OfficeBlock[], headings: boolean, walk: Walk, list?: ListContext, pending?: PendingLabel): void {
  for (const child of container.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (SKIPPED.has(name)) continue;
    if (name === 'p' || name === 'h') {
      const after: OfficeBlock[] = [];
      const content = inlineText(child, after, walk);
      const parsedLevel = Number(attributeOf(child.attributes, 'outline-level') ?? '1');
      const level = Number.isInteger(parsedLevel) && parsedLevel > 0 ? Math.min(parsedLevel, 10) : 1;
      let label = pending?.value ?? '';
      if (pending) pending.value = '';
      // Headings count in the outline, also inside a list (older files wrap numbered headings in one),
      // unless a list style of their own numbers them.
      if (name === 'h' && !label && attributeOf(child.attributes, 'is-list-header') !== 'true') {
        walk.outline.advance(level - 1, walk.numbering.outline[level - 1]?.start ?? 1);
        label = odfLabel(walk.numbering.outline, level - 1, walk.outline);
      }
      const text = label && content.trim() ? `${label} ${content}` : content;
      out.push(name === 'h' && headings ? { kind: 'heading', level, text } : { kind: 'paragraph', text });
      out.push(...after);
    } else if (name === 'table-row') {
      const cells: OfficeBlock[][] = [];
      for (const cell of child.children) {
        if (!('tag' in cell) || localName(cell.tag) !== 'table-cell') continue;
        const blocks: OfficeBlock[] = [];
        walkBlocks(cell, blocks, false, walk);
        cells.push(blocks);
      }
      out.push(...tableRowBlocks(cells));
    } else if (name === 'list') {
      walkBlocks(child, out, headings, walk, openList(child, walk, list));
    } else if (name === 'list-item' && list) {
      const levels = walk.numbering.lists.get(list.style ?? '');
      const restart = Number(attributeOf(child.attributes, 'start-value'));
      if (Number.isInteger(restart) && attributeOf(child.attributes, 'start-value') !== undefined) list.counters.restart(list.level, restart);
      list.counters.advance(list.level, levels?.[list.level]?.start ?? 1);
      walkBlocks(child, out, headings, walk, list, { value: odfLabel(levels, list.level, list.counters) });
    } else {
      // list-header, table, rows and row groups, section, index-body outside indexes, …
      walkBlocks(child, out, headings && !name.startsWith('table'), walk, list);
    }
  }
}

/**
 * The context of a `text:list`: a nested list goes one level deeper in its parent's counters; a
 * top-level list starts over, unless it continues an earlier one (`text:continue-list`, or
 * `text:continue-numbering="true"`: the last list of its style).
 */
function openList(element: XmlElement, walk: Walk, parent: ListContext | undefined): ListContext {
  const style = attributeOf(element.attributes, 'style-name') ?? parent?.style;
  let counters: ListCounters;
  if (parent) counters = parent.counters;
  else {
    const continued = attributeOf(element.attributes, 'continue-list');
    const previous = continued !== undefined ? walk.listsById.get(continued) : attributeOf(element.attributes, 'continue-numbering') === 'true' ? walk.listsByStyle.get(style ?? '') : undefined;
    counters = previous ?? new ListCounters();
  }
  const id = attributeOf(element.attributes, 'id');
  if (id !== undefined) walk.listsById.set(id, counters);
  if (!parent) walk.listsByStyle.set(style ?? '', counters);
  return { style, counters, level: parent ? parent.level + 1 : 0 };
}

/** The text of a paragraph or heading; its notes and text boxes go to `after`. */
function inlineText(element: XmlElement, after: OfficeBlock[], walk: Walk): string {
  let text = '';
  for (const child of element.children) {
    if (!('tag' in child)) {
      text += child.text;
      continue;
    }
    const name = localName(child.tag);
    if (SKIPPED.has(name)) continue;
    switch (name) {
      case 's': {
        const count = Number(attributeOf(child.attributes, 'c') ?? '1');
        text += ' '.repeat(Number.isInteger(count) && count > 0 ? Math.min(count, 100) : 1);
        break;
      }
      case 'tab':
        text += '\t';
        break;
      case 'line-break':
        text += '\n';
        break;
      case 'note': {
        const body = child.children.find((node): node is XmlElement => 'tag' in node && localName(node.tag) === 'note-body');
        if (body) walkBlocks(body, after, false, walk);
        break;
      }
      case 'text-box':
      case 'p':
      case 'h':
      case 'list':
      case 'table':
        // Text boxes, and paragraphs inside frames and shapes anchored in this paragraph: blocks after it.
        walkBlocks(name === 'text-box' ? child : { tag: 'container', attributes: {}, children: [child] }, after, false, walk);
        break;
      default:
        text += inlineText(child, after, walk); // span, a, ruby-base, frame, meta, date and other fields, …
    }
  }
  return text;
}

/** Elements with local name `name` below `root` (not inside a match), in document order. */
function findAll(root: XmlElement | undefined, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const visit = (element: XmlElement) => {
    for (const child of element.children) {
      if (!('tag' in child)) continue;
      if (localName(child.tag) === name) found.push(child);
      else visit(child);
    }
  };
  if (root) visit(root);
  return found;
}

function plainText(node: XmlNode): string {
  return 'text' in node ? node.text : node.children.map(plainText).join('');
}
