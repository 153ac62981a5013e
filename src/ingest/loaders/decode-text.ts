/**
 * Bytes to string for text formats. UTF-8 unless a charset is declared; files that are not
 * valid UTF-8 are read as Windows-1252 (a superset of ISO-8859-1 in every browser), which is what
 * German text files and web pages without a declaration usually are.
 */
import { UnsupportedDocumentError } from '../../errors.ts';

/** Labels WHATWG maps to Windows-1252 are all fine for TextDecoder; this only cleans quoting. */
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
    if (decoder && decoder.encoding !== 'utf-8') return decoder.decode(bytes);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Throws UnsupportedDocumentError when bytes are binary, so text loaders never store garbage. */
export function assertText(bytes: Uint8Array, fileName: string): void {
  if (looksBinary(bytes)) {
    throw new UnsupportedDocumentError(
      `'${fileName}' contains binary data and is not a PDF, HTML, Markdown or plain-text file. Convert it to PDF or text first.`,
      { fileName },
    );
  }
}
