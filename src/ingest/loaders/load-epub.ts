/**
 * EPUB loader (EPUB 2 and 3): the ZIP container through zip-archive.ts, its package documents
 * through parse-xml.ts, each chapter's XHTML through the HTML loader's structure logic.
 *
 * META-INF/container.xml names the package (OPF) file; the OPF gives the title (`dc:title`), the
 * language (`dc:language`), the manifest and the reading order (spine). Chapters follow the spine;
 * each chapter is a section under its first heading or, when it has none, under its title in the
 * table of contents (EPUB 3 nav document, else the EPUB 2 NCX). Headings inside a chapter (h1–h6)
 * nest as in a web page; paragraphs, list items and table rows are blocks.
 *
 * Decisions: a spine entry whose file is missing from the archive is skipped (as e-book readers
 * do); a book with no readable chapter at all is `epub_corrupt`/`epub_no_content`. A book whose
 * META-INF/encryption.xml names any chapter (DRM) is refused with `epub_encrypted`; encrypted
 * fonts alone (font obfuscation) do not matter for the text.
 */
import { posix } from 'node:path';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { decodeText } from './decode-text.ts';
import { detectLanguage } from './detect-language.ts';
import { appendHtmlContent } from './load-html.ts';
import { normalizeText } from './normalize-text.ts';
import { parseXml, textOf, type XmlElement } from './parse-xml.ts';
import { SectionBuilder } from './section-builder.ts';
import { readZipEntries } from './zip-archive.ts';

export const EPUB_MIME_TYPE = 'application/epub+zip';

/** Most bytes the chapters of one book may declare inflated (a long novel has 1–5 MiB of XHTML). */
const MAX_CHAPTER_BYTES = 64 * 1024 * 1024;
/** Most bytes the package files (container, OPF, table of contents) may declare inflated. */
const MAX_PACKAGE_BYTES = 16 * 1024 * 1024;

type ManifestItem = { id: string; path: string; mediaType: string; properties: string[] };

/**
 * Loads an EPUB. Throws UnprocessableDocumentError `epub_corrupt` (no container, package or
 * chapters), `epub_encrypted` (DRM), `epub_no_content`, and the archive's and XML's own errors
 * (`archive_corrupt`, `archive_too_large`, `xml_invalid`).
 */
export function loadEpub(bytes: Uint8Array): LoadedDocument {
  const meta = readZipEntries(bytes, (name) => name === 'META-INF/container.xml' || name === 'META-INF/encryption.xml', MAX_PACKAGE_BYTES);
  const container = meta.get('META-INF/container.xml');
  if (!container) throw corrupt('META-INF/container.xml missing');
  const rootfile = elementsNamed(parseXml(container, 'META-INF/container.xml'), 'rootfile')
    .map((element) => element.attributes['full-path'])
    .find((path): path is string => typeof path === 'string' && path.length > 0);
  if (!rootfile) throw corrupt('no rootfile in META-INF/container.xml');

  const opfBytes = readZipEntries(bytes, (name) => name === rootfile, MAX_PACKAGE_BYTES).get(rootfile);
  if (!opfBytes) throw corrupt(`${rootfile} missing`);
  const opf = parseXml(opfBytes, rootfile);
  const base = posix.dirname(rootfile);
  const manifest = new Map<string, ManifestItem>();
  for (const item of elementsNamed(opf, 'item')) {
    const { id, href } = item.attributes;
    if (!id || !href) continue;
    manifest.set(id, { id, path: resolvePath(base, href), mediaType: item.attributes['media-type'] ?? '', properties: (item.attributes.properties ?? '').split(/\s+/) });
  }
  const spineElement = elementsNamed(opf, 'spine')[0];
  const spine = elementsNamed(spineElement ? [spineElement] : [], 'itemref')
    .map((itemref) => manifest.get(itemref.attributes.idref ?? ''))
    .filter((item): item is ManifestItem => item !== undefined && !item.properties.includes('nav'));
  if (spine.length === 0) throw corrupt('empty spine');

  const encryption = meta.get('META-INF/encryption.xml');
  if (encryption) {
    const encrypted = new Set(
      elementsNamed(parseXml(encryption, 'META-INF/encryption.xml'), 'CipherReference').map((reference) => resolvePath('', reference.attributes.URI ?? '')),
    );
    if (spine.some((item) => encrypted.has(item.path))) throw new UnprocessableDocumentError(userMessage('epub_encrypted'));
  }

  const tocTitles = tableOfContents(bytes, manifest, spineElement);
  const chapterPaths = new Set(spine.map((item) => item.path));
  const chapters = readZipEntries(bytes, (name) => chapterPaths.has(name), MAX_CHAPTER_BYTES);
  if (chapters.size === 0) throw corrupt('no chapter of the spine is in the archive');

  const builder = new SectionBuilder();
  for (const item of spine) {
    const chapter = chapters.get(item.path);
    if (!chapter) continue;
    const leadingHeading = tocTitles.get(item.path);
    appendHtmlContent(builder, decodeText(chapter, xmlEncoding(chapter)), leadingHeading ? { leadingHeading } : {});
  }
  const { text, sections } = builder.finish();
  if (text.length === 0) throw new UnprocessableDocumentError(userMessage('epub_no_content'));
  const title = clean(elementsNamed(opf, 'title')[0]);
  const language = /^([a-z]{2,3})(?:[-_]|$)/i.exec(clean(elementsNamed(opf, 'language')[0]) ?? '')?.[1]?.toLowerCase() ?? null;
  return {
    text,
    title: title ?? sections[0]?.headingPath[0] ?? null,
    mimeType: EPUB_MIME_TYPE,
    language: language ?? detectLanguage(text),
    sections,
    bytes,
  };
}

/** Chapter titles by file path, from the EPUB 3 nav document or else the EPUB 2 NCX; empty when neither is readable. */
function tableOfContents(bytes: Uint8Array, manifest: Map<string, ManifestItem>, spine: XmlElement | undefined): Map<string, string> {
  const titles = new Map<string, string>();
  const nav = [...manifest.values()].find((item) => item.properties.includes('nav'));
  const ncx = manifest.get(spine?.attributes.toc ?? '') ?? [...manifest.values()].find((item) => item.mediaType === 'application/x-dtbncx+xml');
  const source = nav ?? ncx;
  if (!source) return titles;
  const file = readZipEntries(bytes, (name) => name === source.path, MAX_PACKAGE_BYTES).get(source.path);
  if (!file) return titles;
  let root: XmlElement[];
  try {
    root = parseXml(file, source.path);
  } catch {
    return titles; // A broken table of contents costs the chapter names, not the book.
  }
  const base = posix.dirname(source.path);
  const add = (href: string | undefined, title: string | null) => {
    if (!href || !title) return;
    const path = resolvePath(base, href);
    if (!titles.has(path)) titles.set(path, title);
  };
  if (source === nav) {
    for (const link of elementsNamed(root, 'a')) add(link.attributes.href, clean(link));
  } else {
    for (const point of elementsNamed(root, 'navPoint')) {
      const label = point.children.find((child): child is XmlElement => 'tag' in child && localName(child.tag) === 'navLabel');
      const content = point.children.find((child): child is XmlElement => 'tag' in child && localName(child.tag) === 'content');
      add(content?.attributes.src, label ? clean(label) : null);
    }
  }
  return titles;
}

/** Elements below `roots` (and the roots themselves) whose local name (without prefix) is `name`, in document order. */
function elementsNamed(roots: XmlElement[], name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const element = stack.pop()!;
    if (localName(element.tag) === name) found.push(element);
    for (let index = element.children.length - 1; index >= 0; index--) {
      const child = element.children[index]!;
      if ('tag' in child) stack.push(child);
    }
  }
  return found;
}

function localName(tag: string): string {
  return tag.slice(tag.indexOf(':') + 1);
}

/** A path inside the archive: `href` (URL-encoded, maybe with a #fragment) relative to the folder `base`. */
function resolvePath(base: string, href: string): string {
  let decoded = href.split('#')[0]!;
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // keep it as written
  }
  return posix.normalize(posix.join(base === '.' ? '' : base, decoded)).replace(/^\/+/, '');
}

/** The `encoding` of an `<?xml …?>` declaration, or null. */
function xmlEncoding(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']/.exec(head)?.[1] ?? null;
}

function clean(element: XmlElement | undefined): string | null {
  if (!element) return null;
  const text = normalizeText(textOf(element).replace(/\s+/g, ' '));
  return text.length > 0 ? text : null;
}

function corrupt(reason: string): UnprocessableDocumentError {
  return new UnprocessableDocumentError(userMessage('epub_corrupt', { reason }));
}
