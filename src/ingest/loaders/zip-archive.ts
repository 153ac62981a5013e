/**
 * Reading ZIP containers (DOCX, XLSX, PPTX, ODF, EPUB) through fflate, the only module that knows
 * it. Entry names come from the central directory without inflating anything; entries are
 * inflated only when asked for, one at a time, and only while the sizes their headers declare
 * stay under a budget, so a zip bomb is refused before it is inflated. (A header that understates
 * a size gets its entry inflated only up to that size, and the cut part then fails as invalid XML;
 * tests/hostile-office-sheets.test.ts. The parser process's memory limit stays the last line.)
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/** Most bytes that all inflated entries of one document may declare together. */
export const DEFAULT_MAX_INFLATED_BYTES = 256 * 1024 * 1024;
/** Most entries a container may have (an office file has tens to a few thousand). */
const MAX_ENTRIES = 20_000;

export type ZipEntryInfo = { name: string; size: number; originalSize: number };

/** The entries of a ZIP archive (names and declared sizes), or null when the bytes are no readable ZIP. */
export function listZipEntries(bytes: Uint8Array): ZipEntryInfo[] | null {
  const entries: ZipEntryInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (file: UnzipFileInfo) => {
        if (entries.length < MAX_ENTRIES + 1) entries.push({ name: file.name, size: file.size, originalSize: file.originalSize });
        return false;
      },
    });
  } catch {
    return null;
  }
  return entries;
}

/**
 * The entries whose names `wanted` accepts, inflated. Throws UnprocessableDocumentError
 * `archive_corrupt` for a damaged archive and `archive_too_large` when the entries declare more
 * than `maxInflatedBytes` or the archive has too many entries.
 */
export function readZipEntries(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
  maxInflatedBytes = DEFAULT_MAX_INFLATED_BYTES,
): Map<string, Uint8Array> {
  const entries = listZipEntries(bytes);
  if (entries === null) throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  if (entries.length > MAX_ENTRIES) {
    throw new UnprocessableDocumentError(userMessage('archive_too_large', { limitBytes: maxInflatedBytes }), { details: { entries: entries.length } });
  }
  const declared = entries.filter((entry) => wanted(entry.name)).reduce((sum, entry) => sum + entry.originalSize, 0);
  if (declared > maxInflatedBytes) {
    throw new UnprocessableDocumentError(userMessage('archive_too_large', { limitBytes: maxInflatedBytes }), {
      details: { declaredBytes: declared, limitBytes: maxInflatedBytes },
    });
  }
  try {
    return new Map(Object.entries(unzipSync(bytes, { filter: (file) => wanted(file.name) })));
  } catch {
    throw new UnprocessableDocumentError(userMessage('archive_corrupt'));
  }
}

/** Which office or e-book format a ZIP holds, by its entries (and an ODF/EPUB `mimetype` entry); null for any other ZIP. */
export type ZipContainerFormat = 'docx' | 'xlsx' | 'pptx' | 'odt' | 'ods' | 'odp' | 'epub';

const ODF_MIME_TYPES: Record<string, ZipContainerFormat> = {
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/epub+zip': 'epub',
};

export function detectZipContainer(bytes: Uint8Array): ZipContainerFormat | null {
  const entries = listZipEntries(bytes);
  if (entries === null) return null;
  const names = new Set(entries.map((entry) => entry.name));
  if (names.has('word/document.xml')) return 'docx';
  if (names.has('xl/workbook.xml')) return 'xlsx';
  if (names.has('ppt/presentation.xml')) return 'pptx';
  if (names.has('mimetype')) {
    const mimetype = entries.find((entry) => entry.name === 'mimetype')!;
    if (mimetype.originalSize > 200) return null;
    try {
      const inflated = unzipSync(bytes, { filter: (file) => file.name === 'mimetype' }).mimetype;
      return inflated ? (ODF_MIME_TYPES[new TextDecoder().decode(inflated).trim()] ?? null) : null;
    } catch {
      return null;
    }
  }
  return null;
}
