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
import { attributeOf, buildOfficeDocument, localName, type OfficeBlock } from './office-blocks.ts';
import { parseXml, type XmlElement, type XmlNode } from './parse-xml.ts';
import { readZipEntries } from './zip-archive.ts';

const ODT_MIME_TYPE = 'application/vnd.oasis.opendocument.text';
const PARTS = new Set(['content.xml', 'meta.xml', 'META-INF/manifest.xml']);

/** Elements (local names) that hold no text of the document, or only generated or deleted text. */
const SKIPPED = new Set([
  'tracked-changes', 'annotation', 'annotation-end', 'note-citation', 'table-of-content', 'alphabetical-index',
  'illustration-index', 'table-index', 'object-index', 'user-index', 'bibliography', 'table-columns', 'table-column',
  'table-header-columns', 'sequence-decls', 'variable-decls', 'user-field-decls', 'forms', 'soft-page-break',
  'bookmark', 'bookmark-start', 'bookmark-end', 'reference-mark', 'reference-mark-start', 'reference-mark-end',
  'change', 'change-start', 'change-end', 'image', 'covered-table-cell', 'rt',
]);

/** Loads an ODT file. Throws `office_encrypted`, `archive_corrupt`, `archive_too_large`, `xml_invalid` or `office_no_content`. */
export function loadOdt(bytes: Uint8Array): LoadedDocument {
  const parts = readZipEntries(bytes, (name) => PARTS.has(name));
  const manifest = parts.get('META-INF/manifest.xml');
  if (manifest && /encryption-data/.test(new TextDecoder().decode(manifest))) {
    throw new UnprocessableDocumentError(userMessage('office_encrypted'));
  }
  const content = parts.get('content.xml');
  const roots = content ? parseXml(content, 'content.xml') : [];
  const text = roots.flatMap((root) => findAll(root, 'text')).find((element) => element.tag === 'office:text') ?? findAll(roots[0], 'text')[0];
  const blocks: OfficeBlock[] = [];
  if (text) walkBlocks(text, blocks, true);
  const meta = parts.get('meta.xml');
  const title = meta ? (parseXml(meta, 'meta.xml').flatMap((root) => findAll(root, 'title')).map(plainText)[0] ?? null) : null;
  return buildOfficeDocument(blocks, { title, mimeType: ODT_MIME_TYPE, formatName: 'ODT', bytes });
}

/** Appends the blocks of a container (the document body, a section, a list item, a table cell, a note body). */
function walkBlocks(container: XmlElement, out: OfficeBlock[], headings: boolean): void {
  for (const child of container.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    if (SKIPPED.has(name)) continue;
    if (name === 'p' || name === 'h') {
      const after: OfficeBlock[] = [];
      const text = inlineText(child, after);
      const level = Number(attributeOf(child.attributes, 'outline-level') ?? '1');
      out.push(name === 'h' && headings ? { kind: 'heading', level: Number.isInteger(level) && level > 0 ? level : 1, text } : { kind: 'paragraph', text });
      out.push(...after);
    } else if (name === 'table-cell') {
      walkBlocks(child, out, false);
    } else if (name === 'table' || name === 'list' || name === 'list-item' || name === 'list-header' || name === 'numbered-paragraph') {
      walkBlocks(child, out, headings && !name.startsWith('table'));
    } else {
      walkBlocks(child, out, headings); // section, table rows and row groups, index-body outside indexes, …
    }
  }
}

/** The text of a paragraph or heading; its notes and text boxes go to `after`. */
function inlineText(element: XmlElement, after: OfficeBlock[]): string {
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
        if (body) walkBlocks(body, after, false);
        break;
      }
      case 'text-box':
        walkBlocks(child, after, false);
        break;
      default:
        text += inlineText(child, after); // span, a, ruby-base, frame, meta, date and other fields, …
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
