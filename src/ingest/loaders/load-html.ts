/**
 * HTML loader: cheerio (the only file that imports it) parses the page; beleg keeps the main
 * content only (no navigation, page header/footer, sidebars, scripts, forms or cookie banners),
 * turns headings into section spans and block elements into paragraphs.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { decodeText } from './decode-text.ts';
import { detectLanguage } from './detect-language.ts';
import { limitNesting } from './limit-html-nesting.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';

/** Elements that never hold main content. */
const DROPPED_ELEMENTS = [
  'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'nav', 'aside', 'form',
  'button', 'select', 'input', 'textarea', 'dialog', 'menu', '[hidden]', '[aria-hidden="true"]',
  '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]', '[role="complementary"]', '[role="search"]',
  '[role="dialog"]', '[role="alertdialog"]',
].join(',');

/** id or class names of boilerplate: cookie/consent banners, share bars, ads, breadcrumbs, sidebars. */
const BOILERPLATE_NAME =
  /(?:^|[-_\s])(?:cookies?|consent|gdpr|dsgvo|cmp|newsletter|popup|modal|advert(?:isement)?|ads?|werbung|social|share|sharing|breadcrumbs?|sidebar|skip-?link|related|comments?|navbar|menu)(?:$|[-_\s])|cookie|consent/i;

/** id or class names of page chrome; dropped only outside the article or main element. */
const PAGE_CHROME_NAME = /(?:^|[-_\s])(?:header|footer|fusszeile|kopfzeile|navigation|nav|masthead|topbar)(?:$|[-_\s])/i;

const BLOCK_ELEMENTS = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'header', 'hgroup', 'hr', 'html', 'li', 'main', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);
const HEADING = /^h([1-6])$/;
/** Deeper elements lose their tags (not their text); real pages nest far less. */
const MAX_NESTING = 400;

/**
 * Loads an HTML page. The charset comes from `contentType` (the HTTP header), else from
 * `<meta charset>` / `<meta http-equiv="Content-Type">`, else UTF-8 with a Windows-1252 fallback.
 * Throws UnprocessableDocumentError `html_no_content` when no main text remains.
 */
export function loadHtml(bytes: Uint8Array, options: { contentType?: string | null; baseUrl?: string } = {}): LoadedDocument {
  const builder = new SectionBuilder();
  const page = appendHtmlContent(builder, decodeHtml(bytes, options.contentType), { baseUrl: options.baseUrl });
  const { text, sections } = builder.finish();
  if (text.length === 0) {
    throw new UnprocessableDocumentError(userMessage('html_no_content'));
  }
  const firstHeading = sections[0]?.headingPath[0] ?? null;
  return {
    text,
    title: page.title ?? firstHeading,
    mimeType: 'text/html',
    language: page.language ?? detectLanguage(text),
    sections,
    ...(page.canonicalUrl ? { canonicalUrl: page.canonicalUrl } : {}),
    bytes,
  };
}

/**
 * HTML bytes as text: the charset from `contentType` (an HTTP header), else from `<meta charset>`,
 * else UTF-8 with a Windows-1252 fallback.
 */
export function decodeHtml(bytes: Uint8Array, contentType?: string | null): string {
  return decodeText(bytes, headerCharset(contentType) ?? metaCharset(bytes));
}

/** What an HTML page says about itself besides its content. */
export type HtmlPageInfo = { title: string | null; language: string | null; canonicalUrl?: string };

/**
 * The structure logic of loadHtml, for every HTML beleg reads (web pages, e-mail bodies, EPUB
 * chapters): parses `html`, drops what is not main content, and appends its headings (as sections)
 * and blocks (paragraphs, list items, table rows) to `builder`. With `leadingHeading`, content that
 * does not start with a heading of its own gets that title as a level-1 heading first (an EPUB
 * chapter named only in the book's table of contents).
 */
export function appendHtmlContent(builder: SectionBuilder, html: string, options: { baseUrl?: string; leadingHeading?: string } = {}): HtmlPageInfo {
  const $ = cheerio.load(limitNesting(html, MAX_NESTING));
  const title = cleanInline($('title').first().text()) || cleanInline($('meta[property="og:title"]').attr('content') ?? '') || null;
  const canonicalUrl = resolveUrl($('link[rel~="canonical"]').attr('href'), options.baseUrl);

  $(DROPPED_ELEMENTS).remove();
  $('[id], [class]').each((_index, element) => {
    const tag = element.tagName.toLowerCase();
    if (tag === 'html' || tag === 'body' || tag === 'main' || tag === 'article') return;
    const names = `${$(element).attr('id') ?? ''} ${$(element).attr('class') ?? ''}`;
    if (BOILERPLATE_NAME.test(names)) $(element).remove();
  });
  // Page-level header and footer go; an article's own header (with its h1) stays.
  $('header, footer, [id], [class]').each((_index, element) => {
    const tag = element.tagName.toLowerCase();
    const names = `${$(element).attr('id') ?? ''} ${$(element).attr('class') ?? ''}`;
    const isChrome = tag === 'header' || tag === 'footer' || PAGE_CHROME_NAME.test(names);
    if (isChrome && tag !== 'body' && tag !== 'html' && $(element).closest('article, main, [role="main"]').length === 0) $(element).remove();
  });

  const root = mainContent($);
  let started = options.leadingHeading === undefined;
  const addBlock = (block: string) => {
    if (block.trim().length === 0) return;
    if (!started) builder.addHeading(1, options.leadingHeading!);
    started = true;
    builder.addBlock(block);
  };
  const addHeading = (level: number, heading: string) => {
    if (heading.trim().length > 0) started = true;
    builder.addHeading(level, heading);
  };
  let inline = '';
  const flush = () => {
    addBlock(cleanBlock(inline));
    inline = '';
  };
  // Depth-first walk with an explicit stack: hostile pages nest elements 100 000 deep.
  const stack: Step[] = [...root].reverse().map((node) => ({ node }));
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ('closeTag' in step) {
      if (BLOCK_ELEMENTS.has(step.closeTag)) flush();
      else if (step.closeTag === 'td' || step.closeTag === 'th') inline += ' ';
      continue;
    }
    const node = step.node;
    if (node.type === 'text') {
      inline += node.data;
      continue;
    }
    if (node.type !== 'tag' && node.type !== 'root') continue;
    const element = node as Element;
    const tag = element.tagName?.toLowerCase() ?? '';
    const heading = HEADING.exec(tag);
    if (heading) {
      flush();
      addHeading(Number(heading[1]), cleanInline(textOf(element)));
      continue;
    }
    if (tag === 'br') {
      inline += '\n';
      continue;
    }
    if (tag === 'pre') {
      flush();
      addBlock(normalizeText(textOf(element)));
      continue;
    }
    if (BLOCK_ELEMENTS.has(tag)) flush();
    stack.push({ closeTag: tag });
    const children = element.children ?? [];
    for (let index = children.length - 1; index >= 0; index--) stack.push({ node: children[index]! });
  }
  flush();
  return { title, language: normalizeLanguage($('html').attr('lang')), ...(canonicalUrl ? { canonicalUrl } : {}) };
}

type Step = { node: AnyNode } | { closeTag: string };

/** The text of a node and its descendants, without recursion (cheerio's .text() recurses). */
function textOf(root: AnyNode): string {
  const parts: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') parts.push(node.data);
    else if ('children' in node) {
      for (let index = node.children.length - 1; index >= 0; index--) stack.push(node.children[index]!);
    }
  }
  return parts.join('');
}

/** The element holding the page's main content: `<main>`, `[role=main]`, the largest `<article>`, or `<body>`. */
function mainContent($: cheerio.CheerioAPI): AnyNode[] {
  for (const selector of ['main', '[role="main"]']) {
    const found = $(selector).first();
    if (found.length > 0 && cleanInline(textOf(found[0]!)).length > 0) return found.toArray();
  }
  const articles = $('article').toArray();
  if (articles.length > 0) {
    const lengths = new Map(articles.map((article) => [article, textOf(article).length]));
    const largest = articles.reduce((best, article) => (lengths.get(article)! > lengths.get(best)! ? article : best));
    if (cleanInline(textOf(largest)).length > 0) return [largest];
  }
  const body = $('body');
  return body.length > 0 ? body.toArray() : $.root().toArray();
}

/** A block's text: NFC, ligatures unfolded, whitespace collapsed (line breaks from `<br>` kept). */
function cleanBlock(text: string): string {
  return normalizeText(
    text
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line.length > 0)
      .join('\n'),
  );
}

function cleanInline(text: string): string {
  return normalizeText(text.replace(/\s+/g, ' '));
}

/** The `charset` parameter of an HTTP Content-Type header, or null. */
function headerCharset(contentType: string | null | undefined): string | null {
  const match = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '');
  return match ? match[1]! : null;
}

/** The charset a page declares in its first 4 KiB: `<meta charset>` or `<meta http-equiv>`, or null. */
function metaCharset(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const direct = /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)/i.exec(head);
  return direct ? direct[1]! : null;
}

function resolveUrl(href: string | undefined, baseUrl: string | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const url = new URL(href, baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** `de-DE` → `de`; null for missing or odd values. */
function normalizeLanguage(lang: string | undefined): string | null {
  const match = /^([a-z]{2,3})(?:[-_]|$)/i.exec(lang?.trim() ?? '');
  return match ? match[1]!.toLowerCase() : null;
}
