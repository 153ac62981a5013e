/**
 * PDF loader: pdf.js (through unpdf, the only file that imports it) extracts positioned text per
 * page; pdf-layout.ts turns it into paragraphs with page spans. Pages without a text layer
 * (scans) are rendered and recognised (../ocr/) when OCR is on, and their page spans say so;
 * with OCR off a PDF without any text layer is refused. Encrypted, truncated or corrupt PDFs are
 * refused with their own codes.
 */
import { createIsomorphicCanvasFactory, getDocumentProxy } from 'unpdf';
import { CancelledError, UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { DEFAULT_OCR_SETTINGS, OCR_DPI, OCR_NICENESS, type OcrProgressListener, type OcrSettings } from '../ocr/ocr-settings.ts';
import type { LoadedDocument, PageSpan } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { findPdfHeader } from './detect-document-type.ts';
import { unfoldLigatures } from './normalize-text.ts';
import { layoutPages, type PdfLine } from './pdf-layout.ts';
import { toLayoutLines } from '../ocr/recognized-lines.ts';
import type { TextRecognizer } from '../ocr/recognize-text.ts';
import { encodePgm, loadCanvasModule, renderPdfPage, type RenderablePage } from '../ocr/render-pdf-page.ts';

/** Fewer letters per page than this (on average) means there is no real text layer. */
const MIN_LETTERS_PER_PAGE = 5;
/**
 * More pages than this are refused before any is read: a page tree can declare a million pages
 * (all pointing at one page object) and stall the parser; real documents stay far below.
 */
export const MAX_PDF_PAGES = 10_000;

type PdfTextItem = { str: string; transform: number[]; width: number; height: number; hasEOL: boolean };

export type LoadPdfOptions = {
  signal?: AbortSignal;
  /** OCR of pages without a text layer; on (`auto`) when absent. */
  ocr?: OcrSettings;
  /** Told how many pages need OCR, then after each recognised page. */
  onOcrProgress?: OcrProgressListener;
};

/**
 * Loads a PDF. Throws UnprocessableDocumentError `pdf_encrypted`, `pdf_corrupt` (also for
 * truncated files), `pdf_too_many_pages`, `pdf_scanned` (no text layer and OCR off),
 * `ocr_too_many_pages`, `ocr_no_text` (OCR found nothing) or `ocr_failed`.
 */
export async function loadPdf(bytes: Uint8Array, options: LoadPdfOptions = {}): Promise<LoadedDocument> {
  assertComplete(bytes);
  const ocr = options.ocr ?? DEFAULT_OCR_SETTINGS;
  let proxy: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js may detach the buffer it is given: hand it a copy so the caller keeps its bytes.
    // With OCR, pdf.js draws pages on @napi-rs/canvas canvases (../ocr/render-pdf-page.ts).
    const CanvasFactory = ocr.mode === 'auto' ? await createIsomorphicCanvasFactory(loadCanvasModule) : undefined;
    proxy = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, ...(CanvasFactory ? { CanvasFactory } : {}) } as Parameters<typeof getDocumentProxy>[1]);
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
    const lettersOf = (lines: PdfLine[]) => lines.reduce((sum, line) => sum + (line.text.match(/\p{L}/gu)?.length ?? 0), 0);
    const letters = lettersOf(pages.flat());
    const scanned = new Map<number, number>();
    if (ocr.mode === 'off') {
      if (pages.length === 0 || letters < MIN_LETTERS_PER_PAGE * pages.length) {
        throw new UnprocessableDocumentError(userMessage('pdf_scanned'), { details: { pageCount: pages.length } });
      }
    } else {
      // Each page without a text layer of its own is read by OCR (mixed PDFs: only those).
      const without = pages.flatMap((lines, index) => (lettersOf(lines) < MIN_LETTERS_PER_PAGE ? [index] : []));
      if (without.length > 0) await recognizePages(proxy, pages, without, scanned, ocr, options);
      if (pages.length === 0 || lettersOf(pages.flat()) < MIN_LETTERS_PER_PAGE) {
        throw new UnprocessableDocumentError(userMessage(without.length > 0 ? 'ocr_no_text' : 'pdf_scanned'), { details: { pageCount: pages.length } });
      }
    }
    const { text, pages: laidOut } = layoutPages(pages);
    const pageSpans: PageSpan[] = laidOut.map((span) => (scanned.has(span.number) ? { ...span, ocr: true, ocrConfidence: scanned.get(span.number)! } : span));
    const title = await readTitle(proxy);
    return { text, title, mimeType: 'application/pdf', language: detectLanguage(text), pages: pageSpans, bytes };
  } catch (error) {
    if (error instanceof UnprocessableDocumentError || error instanceof CancelledError) throw error;
    throw corrupt(error);
  } finally {
    await proxy.destroy();
  }
}

/**
 * Renders and recognises the pages at `indices` (0-based) in order, replacing their (empty) lines
 * with the recognised ones; records each page's mean confidence (0..1) in `scanned` by page number.
 */
async function recognizePages(
  proxy: Awaited<ReturnType<typeof getDocumentProxy>>,
  pages: PdfLine[][],
  indices: number[],
  scanned: Map<number, number>,
  ocr: OcrSettings,
  options: LoadPdfOptions,
): Promise<void> {
  if (indices.length > ocr.maxPages) {
    throw new UnprocessableDocumentError(userMessage('ocr_too_many_pages', { pageCount: indices.length, limitPages: ocr.maxPages }), {
      details: { pageCount: indices.length, limitPages: ocr.maxPages },
    });
  }
  options.onOcrProgress?.({ ocrPagesDone: 0, ocrPagesTotal: indices.length });
  const recognizer = await startRecognizer();
  try {
    for (const [done, index] of indices.entries()) {
      if (options.signal?.aborted) throw new CancelledError(userMessage('cancelled.loading'));
      const page = await proxy.getPage(index + 1);
      const image = await renderPdfPage(page as unknown as RenderablePage, OCR_DPI);
      page.cleanup();
      const recognized = await recognizer.recognize(encodePgm(image), image.dpi).catch((error: unknown) => {
        throw ocrFailed(error, index + 1);
      });
      pages[index] = toLayoutLines(recognized, image);
      scanned.set(index + 1, Math.round(recognized.confidence) / 100);
      options.onOcrProgress?.({ ocrPagesDone: done + 1, ocrPagesTotal: indices.length });
    }
  } finally {
    await recognizer.dispose();
  }
}

async function startRecognizer(): Promise<TextRecognizer> {
  try {
    // Loaded on first use: text PDFs never load tesseract.js.
    const { createTextRecognizer } = await import('../ocr/recognize-text.ts');
    return await createTextRecognizer({ niceness: OCR_NICENESS });
  } catch (error) {
    throw ocrFailed(error, null);
  }
}

function ocrFailed(error: unknown, page: number | null): UnprocessableDocumentError {
  const reason = error instanceof Error ? error.message : String(error);
  return new UnprocessableDocumentError(userMessage('ocr_failed', { reason, page: page ?? '–' }), { cause: error, details: { page } });
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
