/**
 * Markdown loader: keeps the words, drops the markup (heading hashes, emphasis, link targets,
 * images), and turns headings into section spans so chunks know their heading path.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';

const ATX_HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const FRONT_MATTER = /^---\n[\s\S]*?\n---\n/;

/** Removes inline Markdown: images, links (keeping their text), emphasis, code ticks, HTML tags. */
export function stripInlineMarkdown(line: string): string {
  return line
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<\/?[a-zA-Z][^>]*>/g, '')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(?<![\p{L}\p{N}*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\p{L}\p{N}*])/gu, '$2')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/`([^`]+)`/g, '$1');
}

/** Loads Markdown source text. Throws `empty_document` when no text remains. */
export function loadMarkdown(source: string, bytes: Uint8Array): LoadedDocument {
  const lines = normalizeText(source).replace(FRONT_MATTER, '').split('\n');
  const builder = new SectionBuilder();
  let title: string | null = null;
  let paragraph: string[] = [];
  const flush = () => {
    builder.addBlock(paragraph.join('\n'));
    paragraph = [];
  };
  let fenced = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (FENCE.test(line)) {
      flush();
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      paragraph.push(line);
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    const next = lines[index + 1];
    const setext = paragraph.length === 0 && line.trim().length > 0 && next !== undefined && SETEXT_UNDERLINE.exec(next);
    if (atx || setext) {
      flush();
      const level = atx ? atx[1]!.length : setext && setext[1]!.startsWith('=') ? 1 : 2;
      const heading = stripInlineMarkdown(atx ? atx[2]! : line).trim();
      if (level === 1 && title === null) title = heading;
      builder.addHeading(level, heading);
      if (setext) index++;
      continue;
    }
    if (line.trim().length === 0) {
      flush();
      continue;
    }
    if (/^ {0,3}([-*_])( ?\1){2,}\s*$/.test(line)) {
      flush(); // thematic break
      continue;
    }
    paragraph.push(stripInlineMarkdown(line.replace(/^ {0,3}>\s?/, '')).replace(/\s+$/, ''));
  }
  flush();
  const { text, sections } = builder.finish();
  if (text.length === 0) {
    throw new UnprocessableDocumentError(userMessage('empty_document.no_text'));
  }
  return { text, title, mimeType: 'text/markdown', language: detectLanguage(text), sections, bytes };
}
