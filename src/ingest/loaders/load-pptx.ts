/**
 * PowerPoint presentations (PPTX). Slides in show order (`p:sldIdLst` of ppt/presentation.xml,
 * through its relationships); per slide the title placeholder (`title`/`ctrTitle`) first, then
 * every other text shape's paragraphs in the slide's shape order (groups entered), table cells
 * one by one, and the speaker notes from the slide's notes part. Footer, date and slide-number
 * placeholders are left out (they repeat on every slide). Hidden slides are kept: they are part
 * of the file the user owns, and their numbers stay those PowerPoint shows.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { declaredTitle } from './office-core-title.ts';
import { readRelationships, relationshipKind } from './office-relationships.ts';
import { childElement, descendants, parseXml, type XmlElement } from './parse-xml.ts';
import { slideDeckDocument, type Slide } from './slide-deck.ts';
import { readZipEntries } from './zip-archive.ts';

export const PPTX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** The parts read: the presentation, its slides and notes, and the core properties (no media, no layouts). */
const WANTED = /^(ppt\/presentation\.xml|ppt\/_rels\/presentation\.xml\.rels|ppt\/slides\/(_rels\/)?[^/]+\.xml(\.rels)?|ppt\/notesSlides\/[^/]+\.xml|docProps\/core\.xml)$/;
const TITLE_PLACEHOLDERS = new Set(['title', 'ctrTitle']);
/** Placeholders that repeat on every slide (or show the slide's picture on a notes page). */
const SKIPPED_PLACEHOLDERS = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);

/** Reads a PPTX file. Throws UnprocessableDocumentError (`archive_corrupt`, `archive_too_large`, `xml_invalid`, `empty_document`). */
export function loadPptx(bytes: Uint8Array): LoadedDocument {
  const entries = readZipEntries(bytes, (name) => WANTED.test(name));
  const presentationXml = entries.get('ppt/presentation.xml');
  if (!presentationXml) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  const relationships = readRelationships(entries, 'ppt/presentation.xml');
  const slideIds = parseXml(presentationXml, 'ppt/presentation.xml').flatMap((root) => [...descendants(root, 'p:sldId')]);
  const slides: Slide[] = [];
  slideIds.forEach((slideId, index) => {
    const target = relationships.get(slideId.attributes['r:id'] ?? '')?.target;
    const slideXml = target ? entries.get(target) : undefined;
    if (!target || !slideXml) return;
    const slide = readShapes(parseXml(slideXml, target));
    const notesTarget = [...readRelationships(entries, target).values()].find((relationship) => relationshipKind(relationship.type) === 'notesSlide')?.target;
    const notesXml = notesTarget ? entries.get(notesTarget) : undefined;
    const notes = notesXml && notesTarget ? readShapes(parseXml(notesXml, notesTarget)).blocks : [];
    slides.push({ number: index + 1, title: slide.title, blocks: slide.blocks, notes });
  });
  const document = slideDeckDocument(slides, { title: declaredTitle(entries.get('docProps/core.xml'), 'docProps/core.xml'), mimeType: PPTX_MIME_TYPE, bytes });
  if (document.text.length === 0) throw new UnprocessableDocumentError(userMessage('empty_document'));
  return document;
}

/** The title and the text blocks of a slide's (or notes page's) shape tree. */
function readShapes(roots: XmlElement[]): { title: string | null; blocks: string[] } {
  const titles: string[] = [];
  const blocks: string[] = [];
  for (const root of roots) {
    for (const tree of descendants(root, 'p:spTree')) visitShapes(tree, titles, blocks);
  }
  return { title: titles.length > 0 ? titles.join(' ') : null, blocks };
}

function visitShapes(group: XmlElement, titles: string[], blocks: string[]): void {
  for (const shape of group.children) {
    if (!('tag' in shape)) continue;
    if (shape.tag === 'p:grpSp') {
      visitShapes(shape, titles, blocks);
    } else if (shape.tag === 'mc:AlternateContent') {
      // Newer shape features come with a fallback: read what PowerPoint shows (the first choice).
      const choice = childElement(shape, 'mc:Choice') ?? childElement(shape, 'mc:Fallback');
      if (choice) visitShapes(choice, titles, blocks);
    } else if (shape.tag === 'p:sp') {
      const placeholder = [...descendants(shape, 'p:ph')][0]?.attributes.type;
      if (placeholder && SKIPPED_PLACEHOLDERS.has(placeholder)) continue;
      const body = childElement(shape, 'p:txBody');
      if (!body) continue;
      const paragraphs = [...descendants(body, 'a:p')].map(paragraphText);
      if (placeholder && TITLE_PLACEHOLDERS.has(placeholder)) titles.push(paragraphs.join(' ').trim());
      else blocks.push(...paragraphs);
    } else if (shape.tag === 'p:graphicFrame') {
      for (const cell of descendants(shape, 'a:tc')) {
        blocks.push([...descendants(cell, 'a:p')].map(paragraphText).join('\n'));
      }
    }
  }
}

/** A DrawingML paragraph: its runs' and fields' text, line breaks as `\n`. */
function paragraphText(paragraph: XmlElement): string {
  let text = '';
  for (const child of paragraph.children) {
    if (!('tag' in child)) continue;
    if (child.tag === 'a:r' || child.tag === 'a:fld') {
      const run = childElement(child, 'a:t');
      if (run) text += run.children.map((node) => ('text' in node ? node.text : '')).join('');
    } else if (child.tag === 'a:br') {
      text += '\n';
    }
  }
  return text;
}
