/**
 * Builds small office files in tests: a DOCX from its WordprocessingML parts (zipped with fflate,
 * as Word zips them), an OLE compound file shell for password-protected and old binary Office
 * files, and hostile variants (zip bomb, entity bomb, deep nesting, huge RTF groups).
 */
import { zipSync, type Zippable } from 'fflate';

const encoder = new TextEncoder();
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** WordprocessingML namespaces for hand-written parts. */
export const WORD_NAMESPACES = `${W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"`;

/** A DOCX whose body is `body` (the children of `w:body`), with optional styles, footnotes and core properties. */
export function makeDocx(parts: { body: string; styles?: string; footnotes?: string; title?: string; extra?: Record<string, Uint8Array> }): Uint8Array {
  const files: Zippable = {
    '[Content_Types].xml': encoder.encode(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    ),
    'word/document.xml': encoder.encode(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${WORD_NAMESPACES}><w:body>${parts.body}</w:body></w:document>`),
    ...(parts.styles ? { 'word/styles.xml': encoder.encode(`<?xml version="1.0" encoding="UTF-8"?><w:styles ${W}>${parts.styles}</w:styles>`) } : {}),
    ...(parts.footnotes ? { 'word/footnotes.xml': encoder.encode(`<?xml version="1.0" encoding="UTF-8"?><w:footnotes ${W}>${parts.footnotes}</w:footnotes>`) } : {}),
    ...(parts.title
      ? {
          'docProps/core.xml': encoder.encode(
            `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${parts.title}</dc:title></cp:coreProperties>`,
          ),
        }
      : {}),
    ...parts.extra,
  };
  return zipSync(files);
}

/** A DOCX whose document.xml is exactly `xml` (for hostile XML). */
export function makeDocxWithDocumentXml(xml: string | Uint8Array): Uint8Array {
  return zipSync({ 'word/document.xml': typeof xml === 'string' ? encoder.encode(xml) : xml });
}

/** A paragraph `w:p` with text runs (text is XML-escaped by the caller). */
export function wordParagraph(text: string, style?: string): string {
  const properties = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : '';
  return `<w:p>${properties}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
}

/**
 * A minimal OLE compound file: the 8-byte signature, a header sector and a directory sector naming
 * `streams` in UTF-16LE, as Office's encrypted OOXML (`EncryptionInfo`, `EncryptedPackage`) and
 * old Word files (`WordDocument`) have them. Enough for signature-based detection, not a valid
 * compound file for a reader.
 */
export function oleFile(streams: string[]): Uint8Array {
  const bytes = new Uint8Array(512 * 3);
  bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  streams.forEach((name, index) => {
    const entry = 512 + index * 128;
    const utf16 = new Uint8Array(Buffer.from(`${name}\0`, 'utf16le'));
    bytes.set(utf16.subarray(0, 64), entry);
    bytes[entry + 64] = Math.min(utf16.length, 64);
  });
  return bytes;
}

/** A ZIP entry written as is: compressed `data` (raw deflate when `method` is 8), with the sizes and CRC it declares. */
export type RawZipEntry = { name: string; data: Uint8Array; method: 0 | 8; crc: number; declaredSize: number };

/** A ZIP archive whose headers say whatever the entries declare (a zip bomb can lie about its sizes). */
export function rawZip(entries: RawZipEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, entry.method, true);
    local.setUint32(14, entry.crc, true);
    local.setUint32(18, entry.data.length, true);
    local.setUint32(22, entry.declaredSize, true);
    local.setUint16(26, name.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(10, entry.method, true);
    central.setUint32(16, entry.crc, true);
    central.setUint32(20, entry.data.length, true);
    central.setUint32(24, entry.declaredSize, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    locals.push(new Uint8Array(local.buffer), name, entry.data);
    centrals.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.length + entry.data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return concat([...locals, ...centrals, new Uint8Array(end.buffer)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
