/**
 * PDF loader: pdf.js (through unpdf, the only file that imports it) extracts positioned text per
 * page; pdf-layout.ts turns it into paragraphs with page spans. PDFs without a text layer,
 * encrypted, truncated or corrupt ones are refused with their own codes.
 */
import { getDocumentProxy } from 'unpdf';
import { CancelledError, UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { findPdfHeader } from './detect-document-type.ts';
import { unfoldLigatures } from './normalize-text.ts';
import { layoutPages, type PdfLine } from './pdf-layout.ts';

/** Fewer letters per page than this (on average) means there is no real text layer. */
const MIN_LETTERS_PER_PAGE = 5;
/**
 * More pages than this are refused before any is read: a page tree can declare a million pages
 * (all pointing at one page object) and stall the parser; real documents stay far below.
 */
export const MAX_PDF_PAGES = 10_000;

type PdfTextItem = { str: string; transform: number[]; width: number; height: number; hasEOL: boolean };

/**
 * Loads a PDF. Throws UnprocessableDocumentError `pdf_encrypted`, `pdf_corrupt` (also for
 * truncated files), `pdf_too_many_pages` or `pdf_scanned` (no text layer; beleg does no OCR).
 */
export async function loadPdf(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<LoadedDocument> {
  assertComplete(bytes);
  let proxy: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js may detach the buffer it is given: hand it a copy so the caller keeps its bytes.
    proxy = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch (error) {
    throw classifyOpenError(error);
  }
  try {
    if (proxy.numPages > MAX_PDF_PAGES) {
      throw new UnprocessableDocumentError(userMessage('pdf_too_many_pages', { pageCount: proxy.numPages, limitPages: MAX_PDF_PAGES }), {
        details: { pageCount: proxy.numPages, limitPages: MAX_PDF_PAGES },
      });
    }
    const pages: PdfLine[][] = [];
    for (let number = 1; number <= proxy.numPages; number++) {
      if (options.signal?.aborted) throw new CancelledError(userMessage('cancelled.loading'));
      const page = await proxy.getPage(number);
      const content = await page.getTextContent();
      pages.push(toLines(content.items.filter((item): item is PdfTextItem & typeof item => 'str' in item) as PdfTextItem[]));
      page.cleanup();
    }
    const letters = pages.flat().reduce((sum, line) => sum + (line.text.match(/\p{L}/gu)?.length ?? 0), 0);
    if (pages.length === 0 || letters < MIN_LETTERS_PER_PAGE * pages.length) {
      throw new UnprocessableDocumentError(userMessage('pdf_scanned'), { details: { pageCount: pages.length } });
    }
    const { text, pages: pageSpans } = layoutPages(pages);
    const title = await readTitle(proxy);
    return { text, title, mimeType: 'application/pdf', language: detectLanguage(text), pages: pageSpans, bytes };
  } catch (error) {
    if (error instanceof UnprocessableDocumentError || error instanceof CancelledError) throw error;
    throw corrupt(error);
  } finally {
    await proxy.destroy();
  }
}

/** A PDF must end with `%%EOF` (trailing whitespace or a little junk allowed): else it was cut off. */
function assertComplete(bytes: Uint8Array): void {
  const tail = new TextDecoder('latin1').decode(bytes.subarray(Math.max(0, bytes.length - 2048)));
  if (findPdfHeader(bytes) < 0 || !tail.includes('%%EOF')) {
    throw new UnprocessableDocumentError(userMessage('pdf_corrupt.truncated'));
  }
}

function classifyOpenError(error: unknown): UnprocessableDocumentError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') {
    return new UnprocessableDocumentError(userMessage('pdf_encrypted'), { cause: error });
  }
  return corrupt(error);
}

function corrupt(error: unknown): UnprocessableDocumentError {
  const reason = error instanceof Error ? error.message : String(error);
  return new UnprocessableDocumentError(userMessage('pdf_corrupt', { reason }), { cause: error });
}

async function readTitle(proxy: Awaited<ReturnType<typeof getDocumentProxy>>): Promise<string | null> {
  try {
    const { info } = await proxy.getMetadata();
    const title = (info as Record<string, unknown> | undefined)?.Title;
    return typeof title === 'string' && title.trim().length > 0 ? unfoldLigatures(title).normalize('NFC').trim() : null;
  } catch {
    return null;
  }
}

/**
 * Groups text items into lines: a new line after an item that ends one (`hasEOL`) or when the
 * baseline moves by more than half the font size. Items on one line are joined with a space when
 * the horizontal gap between them is wider than a fifth of the font size.
 */
function toLines(items: PdfTextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let current: (PdfLine & { right: number }) | null = null;
  let endedLine = false;
  for (const item of items) {
    const text = unfoldLigatures(item.str).normalize('NFC').replace(/\s/g, ' ');
    const [scaleX = 0, skewY = 0, , , x = 0, y = 0] = item.transform;
    const fontSize = Math.hypot(scaleX, skewY) || item.height || 1;
    if (text.length > 0) {
      const sameLine = current !== null && !endedLine && Math.abs(current.y - y) <= Math.max(current.fontSize, fontSize) * 0.5;
      if (current && sameLine) {
        const gap = x - current.right;
        const needsSpace = gap > fontSize * 0.2 && !current.text.endsWith(' ') && !text.startsWith(' ');
        current.text += (needsSpace ? ' ' : '') + text;
        current.right = Math.max(current.right, x + item.width);
        current.fontSize = Math.max(current.fontSize, fontSize);
      } else {
        if (current) lines.push(finishLine(current));
        current = { text, x, y, fontSize, width: 0, right: x + item.width };
      }
    }
    if (item.hasEOL) endedLine = true;
    else if (text.length > 0) endedLine = false;
  }
  if (current) lines.push(finishLine(current));
  return lines.filter((line) => line.text.length > 0);
}

function finishLine(line: PdfLine & { right: number }): PdfLine {
  return { text: line.text.replace(/ {2,}/g, ' ').trim(), x: line.x, y: line.y, fontSize: line.fontSize, width: line.right - line.x };
}
