/**
 * Decides how to read a document: by its bytes first (magic numbers), then by its name and MIME
 * type. Content wins over names, so a PDF called `notes.txt` is read as a PDF and a ZIP called
 * `notes.txt` is refused.
 */
import { UnprocessableDocumentError, UnsupportedDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { looksBinary } from './decode-text.ts';
import { ISOLATED_LOADERS, type IsolatedFormat } from './isolated-loaders.ts';
import { detectZipContainer } from './zip-archive.ts';
import { imageFormatOf } from '../ocr/image-header.ts';

/** How a document is read: in the parser process (`IsolatedFormat`) or in place (Markdown, plain text). */
export type DocumentType = IsolatedFormat | 'markdown' | 'text';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Known binary formats, so the error can name what was uploaded. */
const BINARY_SIGNATURES: Array<{ bytes: number[]; name: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'a ZIP archive (or DOCX/ODT/XLSX)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], name: 'an old Microsoft Office file (DOC/XLS)' },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: 'a GIF image' },
  { bytes: [0x1f, 0x8b], name: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], name: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], name: 'a 7-Zip archive' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], name: 'an RTF document' },
  { bytes: [0x25, 0x21, 0x50, 0x53], name: 'a PostScript file' },
];

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

const EXTENSION_TYPES: Record<string, DocumentType> = {
  pdf: 'pdf',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  tif: 'image',
  tiff: 'image',
};

const MIME_TYPES: Record<string, DocumentType> = {
  'application/pdf': 'pdf',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/tiff': 'image',
};

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  return signature.every((value, index) => bytes[at + index] === value);
}

/** Position of `%PDF-` within the first KiB (some producers put junk before it), or -1. */
export function findPdfHeader(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length - PDF_MAGIC.length, 1024);
  for (let index = 0; index <= limit; index++) if (startsWith(bytes, PDF_MAGIC, index)) return index;
  return -1;
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return /^(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml[^>]*>\s*<!doctype html|<!--[\s\S]*?-->\s*<(!doctype html|html))/.test(head);
}

/** The lower-cased extension of a file name without the dot, or ''. */
export function extensionOf(fileName: string | undefined): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(fileName ?? '');
  return match ? match[1]!.toLowerCase() : '';
}

/**
 * The type to read `bytes` as. Throws UnprocessableDocumentError `empty_document` for 0 bytes
 * (whatever the name says: the API's upload check and the loader share this, so an empty file is
 * `empty_document` on every path), UnsupportedDocumentError for binary formats and unknown names,
 * UnprocessableDocumentError `pdf_corrupt` for a file that claims to be a PDF but is not.
 */
export function detectDocumentType(bytes: Uint8Array, hints: { fileName?: string; mimeType?: string | null }): DocumentType {
  if (bytes.length === 0) throw new UnprocessableDocumentError(userMessage('empty_document'));
  if (findPdfHeader(bytes) >= 0) return 'pdf';
  const extension = extensionOf(hints.fileName);
  const mimeType = (hints.mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  const named = MIME_TYPES[mimeType] ?? EXTENSION_TYPES[extension];
  if (startsWith(bytes, ZIP_MAGIC)) {
    const container = detectZipContainer(bytes);
    if (container !== null && container in ISOLATED_LOADERS) return container as IsolatedFormat;
  }
  // PNG, JPEG and TIFF are read by OCR (refused later when BELEG_OCR=off).
  if (imageFormatOf(bytes) !== null) return 'image';
  for (const signature of BINARY_SIGNATURES) {
    if (startsWith(bytes, signature.bytes)) {
      throw new UnsupportedDocumentError(userMessage('unsupported_document', { detected: signature.name }), { detected: signature.name });
    }
  }
  if (named === 'pdf') {
    throw new UnprocessableDocumentError(userMessage('pdf_corrupt.no_header'));
  }
  if (named === 'image') {
    throw new UnprocessableDocumentError(userMessage('image_corrupt', { reason: 'no valid PNG, JPEG or TIFF header' }));
  }
  if (looksBinary(bytes)) {
    throw new UnsupportedDocumentError(userMessage('unsupported_document.binary'));
  }
  if (named === 'html' || looksLikeHtml(bytes)) return 'html';
  if (named) return named;
  if (extension === '' && (mimeType === '' || mimeType === 'application/octet-stream' || mimeType.startsWith('text/'))) return 'text';
  if (mimeType.startsWith('text/')) return 'text';
  throw new UnsupportedDocumentError(userMessage('unsupported_document.type', { type: extension ? `.${extension}` : mimeType }), { extension, mimeType });
}
