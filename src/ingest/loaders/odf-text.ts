/**
 * Text of OpenDocument paragraphs (ODP, ODS): `text:p`/`text:h` with spans and links entered,
 * `text:s` as its count of spaces, `text:tab` as a space, `text:line-break` as a line break;
 * footnotes, comments (`office:annotation`) and change-tracking marks are left out.
 */
import type { XmlElement, XmlNode } from './parse-xml.ts';

const SKIPPED = new Set(['text:note', 'office:annotation', 'office:annotation-end', 'text:tracked-changes', 'draw:frame', 'draw:custom-shape']);
/** Most spaces one `text:s` may stand for (a hostile file may claim 10^9). */
const MAX_SPACES = 1_000;
const PARAGRAPHS = new Set(['text:p', 'text:h']);

/** The text of one paragraph. */
export function odfParagraphText(paragraph: XmlElement): string {
  let text = '';
  const visit = (node: XmlNode): void => {
    if ('text' in node) {
      text += node.text;
      return;
    }
    if (SKIPPED.has(node.tag)) return;
    if (node.tag === 'text:s') text += ' '.repeat(Math.min(MAX_SPACES, Math.max(1, Number.parseInt(node.attributes['text:c'] ?? '1', 10) || 1)));
    else if (node.tag === 'text:tab') text += '\t';
    else if (node.tag === 'text:line-break') text += '\n';
    else node.children.forEach(visit);
  };
  paragraph.children.forEach(visit);
  return text;
}

/** The paragraphs below `element` (lists entered), each as its text, in document order. */
export function odfParagraphs(element: XmlElement): string[] {
  const paragraphs: string[] = [];
  const visit = (node: XmlElement): void => {
    for (const child of node.children) {
      if (!('tag' in child) || SKIPPED.has(child.tag)) continue;
      if (PARAGRAPHS.has(child.tag)) paragraphs.push(odfParagraphText(child));
      else visit(child);
    }
  };
  visit(element);
  return paragraphs;
}

