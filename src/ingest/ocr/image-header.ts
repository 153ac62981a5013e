/**
 * The format and pixel size of an uploaded image, read from its header before anything decodes
 * it: a PNG that declares 100000 × 100000 pixels would need 40 GB once decoded, so its size is
 * refused first. Knows PNG (IHDR), JPEG (the first SOF marker) and TIFF (the first IFD,
 * little- or big-endian) and how many pages a TIFF holds.
 */

export type ImageFormat = 'png' | 'jpeg' | 'tiff';

export type ImageHeader = { format: ImageFormat; width: number; height: number; pageCount: number };

/** The image format by magic bytes, or null. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 4 && bytes[0] === 0x49 && bytes[1] === 0x49 && bytes[2] === 0x2a && bytes[3] === 0x00) return 'tiff';
  if (bytes.length >= 4 && bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0x00 && bytes[3] === 0x2a) return 'tiff';
  return null;
}

/** Format, size and page count; null when the header is missing, cut off or inconsistent. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const format = imageFormatOf(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = format === 'png' ? pngSize(bytes, view) : format === 'jpeg' ? jpegSize(bytes, view) : format === 'tiff' ? tiffSize(bytes, view) : null;
  if (!format || !size || size.width <= 0 || size.height <= 0) return null;
  return { format, ...size };
}

type Size = { width: number; height: number; pageCount: number };

function pngSize(bytes: Uint8Array, view: DataView): Size | null {
  // Signature (8), chunk length (4), "IHDR" (4), width (4), height (4).
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20), pageCount: 1 };
}

/** Start-of-frame markers (baseline, progressive, lossless …), not DHT (C4), JPG (C8) or DAC (CC). */
const START_OF_FRAME = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(bytes: Uint8Array, view: DataView): Size | null {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    if (length < 2) return null;
    if (START_OF_FRAME.has(marker)) {
      if (offset + 9 > bytes.length) return null;
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7), pageCount: 1 };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // image data or end before any frame header
    offset += 2 + length;
  }
  return null;
}

/** IFDs followed at most (a loop of IFD offsets must not hang the reader). */
const MAX_TIFF_PAGES = 10_000;

function tiffSize(bytes: Uint8Array, view: DataView): Size | null {
  const little = bytes[0] === 0x49;
  if (bytes.length < 8) return null;
  let ifd = view.getUint32(4, little);
  let first: { width: number; height: number } | null = null;
  let pageCount = 0;
  const seen = new Set<number>();
  while (ifd !== 0 && pageCount < MAX_TIFF_PAGES) {
    if (seen.has(ifd) || ifd + 2 > bytes.length) break;
    seen.add(ifd);
    const entries = view.getUint16(ifd, little);
    if (ifd + 2 + entries * 12 + 4 > bytes.length) break;
    pageCount += 1;
    if (!first) {
      let width = 0;
      let height = 0;
      for (let index = 0; index < entries; index++) {
        const entry = ifd + 2 + index * 12;
        const tag = view.getUint16(entry, little);
        const type = view.getUint16(entry + 2, little);
        const value = type === 3 ? view.getUint16(entry + 8, little) : view.getUint32(entry + 8, little);
        if (tag === 256) width = value;
        if (tag === 257) height = value;
      }
      first = { width, height };
    }
    ifd = view.getUint32(ifd + 2 + entries * 12, little);
  }
  return first ? { ...first, pageCount } : null;
}
