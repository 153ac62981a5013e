/**
 * Decides how to read a document: by its bytes first (magic numbers), then by its name and MIME
 * type. Content wins over names, so a PDF called `notes.txt` is read as a PDF and a ZIP called
 * `notes.txt` is refused.
 */
import { UnprocessableDocumentError, UnsupportedDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { compoundFileRootNames, isOutlookMessage } from './compound-file.ts';
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
  { bytes: [0x25, 0x21, 0x50, 0x53], name: 'a PostScript file' },
];

/** Extensions of the ZIP containers `detectZipContainer` knows. */
const ZIP_CONTAINER_EXTENSIONS = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub']);

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const RTF_MAGIC = [0x7b, 0x5c, 0x72, 0x74, 0x66]; // {\rtf
/** OLE compound file: old binary Office files, and password-protected DOCX/XLSX/PPTX. */
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const EXTENSION_TYPES: Record<string, DocumentType> = {
  pdf: 'pdf',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
  docx: 'docx',
  odt: 'odt',
  rtf: 'rtf',
  eml: 'eml',
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
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/rtf': 'rtf',
  'text/rtf': 'rtf',
  'message/rfc822': 'eml',
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

/** Whether an OLE compound file's directory names a stream `name` (directory entry names are UTF-16LE). */
function oleHasStream(bytes: Uint8Array, name: string): boolean {
  const pattern = Buffer.from(name, 'utf16le');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(pattern) >= 0;
}

/**
 * Refuses OLE compound files with a message that says what to do: an encrypted DOCX/XLSX/PPTX
 * (Office wraps it in an OLE file with `EncryptionInfo` and `EncryptedPackage` streams) →
 * `office_encrypted`; an old Word file (`WordDocument` stream) → save it as DOCX.
 */
function refuseOleFile(bytes: Uint8Array): never {
  if (oleHasStream(bytes, 'EncryptedPackage') || oleHasStream(bytes, 'EncryptionInfo')) {
    throw new UnprocessableDocumentError(userMessage('office_encrypted'));
  }
  if (oleHasStream(bytes, 'WordDocument')) {
    throw new UnsupportedDocumentError(userMessage('unsupported_document.doc'), { detected: 'an old Word file (.doc)' });
  }
  const detected = 'an old Microsoft Office file (DOC/XLS)';
  throw new UnsupportedDocumentError(userMessage('unsupported_document', { detected }), { detected });
}

/** A mail without a telling name (an attachment of type message/rfc822 is named): RFC 5322 header fields at the start. */
function looksLikeMail(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const fields = new Set([...head.split(/\r?\n\r?\n/)[0]!.matchAll(/^(from|to|subject|date|message-id|mime-version|received|return-path):/gim)].map((match) => match[1]!.toLowerCase()));
  return fields.has('from') && (fields.has('subject') || fields.has('date')) && fields.size >= 3;
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
 * UnprocessableDocumentError `pdf_corrupt` for a file that claims to be a PDF but is not,
 * `rtf_corrupt` for one that claims to be RTF without an RTF header, `office_encrypted` for a
 * password-protected DOCX/XLSX/PPTX (an OLE file holding `EncryptedPackage`), and
 * UnsupportedDocumentError naming `.doc` for an old binary Word file. A damaged DOCX/ODT (named
 * so) goes to its loader, which says `archive_corrupt`.
 */
export function detectDocumentType(bytes: Uint8Array, hints: { fileName?: string; mimeType?: string | null }): DocumentType {
  if (bytes.length === 0) throw new UnprocessableDocumentError(userMessage('empty_document'));
  if (findPdfHeader(bytes) >= 0) return 'pdf';
  const extension = extensionOf(hints.fileName);
  const mimeType = (hints.mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  const named = MIME_TYPES[mimeType] ?? EXTENSION_TYPES[extension];
  if (startsWith(bytes, RTF_MAGIC)) return 'rtf';
  // Outlook messages are OLE files with MAPI property streams; other OLE files (DOC, XLS,
  // encrypted OOXML) are refused with their own messages.
  // A damaged one named .msg (its directory unreadable) goes to the mail loader too, for a clear `mail_corrupt`.
  if (startsWith(bytes, OLE_MAGIC) && (isOutlookMessage(bytes) || (extension === 'msg' && compoundFileRootNames(bytes) === null))) return 'msg';
  if (startsWith(bytes, OLE_MAGIC)) refuseOleFile(bytes);
  if (startsWith(bytes, ZIP_MAGIC)) {
    const container = detectZipContainer(bytes);
    if (container !== null && container in ISOLATED_LOADERS) return container as IsolatedFormat;
    // A ZIP named like a container beleg reads (`.docx`, `.xlsx`, `.odp`, …) whose entries cannot be read is a damaged file.
    if (container === null && ZIP_CONTAINER_EXTENSIONS.has(extension) && extension in ISOLATED_LOADERS) {
      throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
    }
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
  if (named === 'rtf') throw new UnprocessableDocumentError(userMessage('rtf_corrupt'));
  if (named === 'image') {
    throw new UnprocessableDocumentError(userMessage('image_corrupt', { reason: 'no valid PNG, JPEG or TIFF header' }));
  }
  if (looksBinary(bytes)) {
    throw new UnsupportedDocumentError(userMessage('unsupported_document.binary'));
  }
  if (named === 'html' || looksLikeHtml(bytes)) return 'html';
  if (named !== 'eml' && extension === '' && looksLikeMail(bytes)) return 'eml';
  if (named) return named;
  if (extension === '' && (mimeType === '' || mimeType === 'application/octet-stream' || mimeType.startsWith('text/'))) return 'text';
  if (mimeType.startsWith('text/')) return 'text';
  throw new UnsupportedDocumentError(userMessage('unsupported_document.type', { type: extension ? `.${extension}` : mimeType }), { extension, mimeType });
}
