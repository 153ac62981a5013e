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
