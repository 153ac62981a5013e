/**
 * Bytes to string for text formats. UTF-8 unless a charset is declared; files that are not
 * valid UTF-8 are read as Windows-1252 (a superset of ISO-8859-1 in every browser), which is what
 * German text files and web pages without a declaration usually are.
 */
import { UnsupportedDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/**
 * Code points of Windows-1252 bytes 0x80–0x9F (WHATWG encoding standard). Node 20's TextDecoder
 * decodes 'windows-1252' as ISO-8859-1 there (C1 controls instead of "–", "„", "€"), so beleg
 * decodes this range itself.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

/** Decodes Windows-1252 (and so ISO-8859-1 and US-ASCII, which browsers read as Windows-1252). */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  const step = 8192;
  for (let offset = 0; offset < bytes.length; offset += step) {
    const codes = Array.from(bytes.subarray(offset, offset + step), (byte) => (byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80]! : byte));
    text += String.fromCharCode(...codes);
  }
  return text;
}

/** Cleans quoting around a charset label. */
function cleanCharset(charset: string): string {
  return charset.trim().replace(/^["']|["']$/g, '').toLowerCase();
}

/** Whether the bytes look binary (NUL bytes in the first 8 KiB): not text of any kind. */
export function looksBinary(bytes: Uint8Array): boolean {
  const limit = Math.min(bytes.length, 8192);
  for (let index = 0; index < limit; index++) if (bytes[index] === 0) return true;
  return false;
}

/**
 * Decodes `bytes` with the declared `charset` when given and known; else UTF-8 (BOM stripped),
 * falling back to Windows-1252 when the bytes are not valid UTF-8.
 */
export function decodeText(bytes: Uint8Array, charset?: string | null): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (charset) {
    const label = cleanCharset(charset);
    let decoder: TextDecoder | null = null;
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null; // unknown label: sniff below
    }
    if (decoder?.encoding === 'windows-1252') return decodeWindows1252(bytes);
    if (decoder && decoder.encoding !== 'utf-8') return decoder.decode(bytes);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Throws UnsupportedDocumentError when bytes are binary, so text loaders never store garbage. */
export function assertText(bytes: Uint8Array, fileName: string): void {
  if (looksBinary(bytes)) {
    throw new UnsupportedDocumentError(userMessage('unsupported_document.binary_file', { fileName }), { fileName });
  }
}
