/**
 * The single entry point of document loading: bytes, text or a URL in, normalized text with
 * page or section spans out. Dispatches by content (magic bytes) first, then by name and MIME
 * type; each format's library stays inside its own loader.
 */
import { CancelledError, DocumentTooLargeError, UnprocessableDocumentError, UnsupportedDocumentError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';
import type { HostResolver } from './fetch/host-resolver.ts';
import { DEFAULT_PARSE_LIMITS, parserPool } from './isolate/parse-isolated.ts';
import { decodeText } from './loaders/decode-text.ts';
import { detectDocumentType, type DocumentType } from './loaders/detect-document-type.ts';
import { loadMarkdown } from './loaders/load-markdown.ts';
import { loadText } from './loaders/load-text.ts';
import { imageFormatOf } from './ocr/image-header.ts';
import { DEFAULT_OCR_SETTINGS, type OcrProgressListener, type OcrSettings } from './ocr/ocr-settings.ts';
import type { DocumentInput, LoadedDocument } from './types.ts';

export type LoadOptions = {
  /** Largest document accepted, in bytes (files, texts and downloads). */
  maxBytes: number;
  /** Whole time allowed for fetching a URL, redirects included. */
  fetchTimeoutMs: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  /** Hosts or CIDR ranges that URL fetching may reach although they are private or loopback. */
  urlAllowList: string[];
  /** Aborts fetching and loading. */
  signal?: AbortSignal;
  /** Host name resolver for URL fetching; the system resolver when absent (tests pass a stub). */
  lookup?: HostResolver;
  /** Time allowed for parsing one PDF or HTML page (config `limits.parseTimeoutMs`); 30 s when absent. */
  parseTimeoutMs?: number;
  /** Heap limit of the parser process in MiB; 512 when absent. */
  parseMemoryMb?: number;
  /** Resident memory at which the parser process is killed, in MiB; 1024 when absent. */
  parseMaxResidentMb?: number;
  /** Largest HTML page parsed, in bytes (a DOM takes 10–20× its source); 16 MiB when absent. */
  maxHtmlBytes?: number;
  /** OCR of scanned PDF pages and images (config `BELEG_OCR` …); on with the defaults when absent. */
  ocr?: OcrSettings;
  /** Told as OCR of the document advances. */
  onOcrProgress?: OcrProgressListener;
};

/** HTML pages larger than this are refused before parsing unless `maxHtmlBytes` says otherwise. */
const DEFAULT_MAX_HTML_BYTES = 16 * 1024 * 1024;

/**
 * Loads one document. Throws (all BelegError subclasses): UnsupportedDocumentError for types beleg
 * cannot read, DocumentTooLargeError over `maxBytes`, UnprocessableDocumentError with codes
 * `empty_document`, `pdf_scanned`, `pdf_encrypted`, `pdf_corrupt`, `html_no_content`, `html_too_large`,
 * `ocr_no_text`, `ocr_failed`, `ocr_timeout`, `ocr_too_many_pages`, `image_too_large`, `image_corrupt`
 * (UnsupportedDocumentError `unsupported_document` for images when OCR is off),
 * `parse_timeout`, `parse_out_of_memory`, `parse_failed`, and for URLs BlockedUrlError and
 * FetchFailedError; CancelledError when `signal` aborts.
 *
 * PDFs and HTML are parsed in a child process with a deadline and a memory cap
 * (src/ingest/isolate/): a hostile file fails on its own and cannot stall or crash the server.
 */
export async function loadDocument(input: DocumentInput, options: LoadOptions): Promise<LoadedDocument> {
  if (options.signal?.aborted) throw new CancelledError(userMessage('cancelled.loading'));
  switch (input.kind) {
    case 'text': {
      const bytes = new TextEncoder().encode(input.text);
      checkSize(bytes.length, options.maxBytes);
      const document =
        input.mimeType === 'text/markdown' || /\.(md|markdown)$/i.test(input.fileName ?? '')
          ? loadMarkdown(input.text, bytes)
          : loadText(input.text, bytes);
      return input.title ? { ...document, title: input.title } : document;
    }
    case 'file':
      return loadBytes(input.bytes, { fileName: input.fileName, mimeType: input.mimeType ?? null }, options);
    case 'url': {
      const { fetchUrl } = await import('./fetch/fetch-url.ts');
      const response = await fetchUrl(input.url, options);
      const document = await loadBytes(
        response.bytes,
        { fileName: new URL(response.finalUrl).pathname, mimeType: response.contentType, baseUrl: response.finalUrl },
        options,
      );
      return { ...document, finalUrl: response.finalUrl };
    }
  }
}

type Hints = { fileName?: string; mimeType: string | null; baseUrl?: string };

async function loadBytes(bytes: Uint8Array, hints: Hints, options: LoadOptions): Promise<LoadedDocument> {
  checkSize(bytes.length, options.maxBytes);
  const type: DocumentType = detectDocumentType(bytes, hints);
  switch (type) {
    case 'markdown':
      return loadMarkdown(decodeText(bytes, charsetOf(hints.mimeType)), bytes);
    case 'text':
      return loadText(decodeText(bytes, charsetOf(hints.mimeType)), bytes);
    case 'html': {
      const maxHtmlBytes = options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
      if (bytes.length > maxHtmlBytes) {
        throw new UnprocessableDocumentError(userMessage('html_too_large', { sizeBytes: bytes.length, limitBytes: maxHtmlBytes }), {
          details: { sizeBytes: bytes.length, limitBytes: maxHtmlBytes },
        });
      }
      break;
    }
    case 'image':
      assertOcrAllowed(type, bytes, (options.ocr ?? DEFAULT_OCR_SETTINGS).mode);
      break;
  }
  const document = await parserPool.parse(
    { format: type, bytes, contentType: hints.mimeType, baseUrl: hints.baseUrl, fileName: hints.fileName, ocr: options.ocr ?? DEFAULT_OCR_SETTINGS },
    parseLimits(options),
  );
  return { ...document, bytes };
}

/**
 * Images are read only by OCR: with `BELEG_OCR=off` they are refused (UnsupportedDocumentError
 * `unsupported_document`, naming the image kind and how to switch OCR on). The API calls this at
 * upload, so such a file is refused at once rather than failing later.
 */
export function assertOcrAllowed(type: DocumentType, bytes: Uint8Array, mode: OcrSettings['mode']): void {
  if (type !== 'image' || mode !== 'off') return;
  const format = imageFormatOf(bytes);
  const detected = userMessage(`fragment.image_kind.${format ?? 'png'}`);
  throw new UnsupportedDocumentError(userMessage('unsupported_document.ocr_off', { detected }), { detected: format });
}

function parseLimits(options: LoadOptions) {
  return {
    timeoutMs: options.parseTimeoutMs ?? DEFAULT_PARSE_LIMITS.timeoutMs,
    memoryMb: options.parseMemoryMb ?? DEFAULT_PARSE_LIMITS.memoryMb,
    maxResidentMb: options.parseMaxResidentMb ?? DEFAULT_PARSE_LIMITS.maxResidentMb,
    signal: options.signal,
    ocrPageTimeoutMs: options.ocr?.pageTimeoutMs ?? DEFAULT_OCR_SETTINGS.pageTimeoutMs,
    onProgress: options.onOcrProgress,
  };
}

function checkSize(size: number, limit: number): void {
  if (size > limit) throw new DocumentTooLargeError(size, limit);
}

/** The `charset` parameter of a Content-Type value, or null. */
export function charsetOf(contentType: string | null | undefined): string | null {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match ? match[2]! : null;
}
