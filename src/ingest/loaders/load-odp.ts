/**
 * OpenDocument presentations (ODP, LibreOffice Impress). Slides are the `draw:page` elements of
 * content.xml in order; per slide the title frame (`presentation:class="title"`) first, then the
 * other shapes' paragraphs and list items in the page's shape order (groups entered), table
 * cells one by one, and the speaker notes (`presentation:notes`). Page-number, footer, header
 * and date frames are left out. Hidden slides are kept, as in PPTX.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { declaredTitle } from './office-core-title.ts';
import { odfParagraphs } from './odf-text.ts';
import { descendants, parseXml, type XmlElement } from './parse-xml.ts';
import { slideDeckDocument, type Slide } from './slide-deck.ts';
import { readZipEntries } from './zip-archive.ts';

export const ODP_MIME_TYPE = 'application/vnd.oasis.opendocument.presentation';

const SKIPPED_CLASSES = new Set(['page-number', 'footer', 'header', 'date-time', 'page']);

/** Reads an ODP file. Throws UnprocessableDocumentError (`archive_corrupt`, `archive_too_large`, `xml_invalid`, `empty_document`). */
export function loadOdp(bytes: Uint8Array): LoadedDocument {
  const entries = readZipEntries(bytes, (name) => name === 'content.xml' || name === 'meta.xml');
  const content = entries.get('content.xml');
  if (!content) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  const pages = parseXml(content, 'content.xml').flatMap((root) => [...descendants(root, 'draw:page')]);
  const slides: Slide[] = pages.map((page, index) => {
    const titles: string[] = [];
    const blocks: string[] = [];
    const notes: string[] = [];
    visitShapes(page, titles, blocks, notes);
    return { number: index + 1, title: titles.length > 0 ? titles.join(' ') : null, blocks, notes };
  });
  const document = slideDeckDocument(slides, { title: declaredTitle(entries.get('meta.xml'), 'meta.xml'), mimeType: ODP_MIME_TYPE, bytes });
  if (document.text.length === 0) throw new UnprocessableDocumentError(userMessage('empty_document'));
  return document;
}

function visitShapes(group: XmlElement, titles: string[], blocks: string[], notes: string[]): void {
  for (const shape of group.children) {
    if (!('tag' in shape)) continue;
    if (shape.tag === 'presentation:notes') {
      // The notes frame (its class is not always written); the page thumbnail holds no text.
      for (const frame of descendants(shape, 'draw:frame')) notes.push(...odfParagraphs(frame));
    } else if (shape.tag === 'draw:g') {
      visitShapes(shape, titles, blocks, notes);
    } else if (shape.tag.startsWith('draw:')) {
      const kind = shape.attributes['presentation:class'];
      if (kind && SKIPPED_CLASSES.has(kind)) continue;
      if (kind === 'title') {
        titles.push(odfParagraphs(shape).join(' ').trim());
        continue;
      }
      const tables = [...descendants(shape, 'table:table')];
      if (tables.length > 0) {
        for (const table of tables) for (const cell of descendants(table, 'table:table-cell')) blocks.push(odfParagraphs(cell).join('\n'));
      } else {
        blocks.push(...odfParagraphs(shape));
      }
    }
  }
}
