/**
 * Images for the OCR tests, written at test time: uncompressed greyscale TIFFs (single and
 * multi-page) from a PNG fixture's pixels, and hostile headers (a PNG declaring 100000 × 100000
 * pixels, a cut-off JPEG, a TIFF whose directory points at itself).
 */
import { deflateSync } from 'node:zlib';
import { loadImage } from '@napi-rs/canvas';

/** Grey pixels of an encoded image (decoded with @napi-rs/canvas). */
export async function greyPixelsOf(encoded: Uint8Array): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const image = await loadImage(Buffer.from(encoded));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const rgba = context.getImageData(0, 0, image.width, image.height).data;
  const pixels = new Uint8Array(image.width * image.height);
  for (let index = 0; index < pixels.length; index++) pixels[index] = rgba[index * 4]!;
  return { width: image.width, height: image.height, pixels };
}

/** A baseline little-endian TIFF: one uncompressed 8-bit grey strip per page, pages chained. */
export function greyTiff(pages: Array<{ width: number; height: number; pixels: Uint8Array }>): Uint8Array {
  const entriesPerPage = 9;
  const ifdSize = 2 + entriesPerPage * 12 + 4;
  let size = 8;
  const layout = pages.map((page) => {
    const ifd = size;
    const data = ifd + ifdSize;
    size = data + page.pixels.length + (page.pixels.length % 2);
    return { ifd, data };
  });
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 0x2a, 0x00]);
  view.setUint32(4, layout[0]!.ifd, true);
  pages.forEach((page, index) => {
    const { ifd, data } = layout[index]!;
    const entries: Array<[tag: number, type: number, value: number]> = [
      [256, 4, page.width], // ImageWidth
      [257, 4, page.height], // ImageLength
      [258, 3, 8], // BitsPerSample
      [259, 3, 1], // Compression: none
      [262, 3, 1], // PhotometricInterpretation: black is zero
      [273, 4, data], // StripOffsets
      [277, 3, 1], // SamplesPerPixel
      [278, 4, page.height], // RowsPerStrip
      [279, 4, page.pixels.length], // StripByteCounts
    ];
    view.setUint16(ifd, entries.length, true);
    entries.forEach(([tag, type, value], entry) => {
      const at = ifd + 2 + entry * 12;
      view.setUint16(at, tag, true);
      view.setUint16(at + 2, type, true);
      view.setUint32(at + 4, 1, true);
      if (type === 3) view.setUint16(at + 8, value, true);
      else view.setUint32(at + 8, value, true);
    });
    view.setUint32(ifd + 2 + entries.length * 12, layout[index + 1]?.ifd ?? 0, true);
    bytes.set(page.pixels, data);
  });
  return bytes;
}

/** A valid PNG header declaring `width` × `height` pixels, followed by a tiny IDAT: a decompression bomb's header. */
export function hugePngHeader(width = 100_000, height = 100_000): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Buffer.from(type, 'latin1'), 4);
    out.set(data, 8);
    return out; // CRCs left 0: a decoder that got this far would reject it anyway
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(new Uint8Array(width + 1))), chunk('IEND', new Uint8Array())];
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** A TIFF whose first directory names itself as the next one, declaring 1 × 1 pixels without data. */
export function loopingTiff(): Uint8Array {
  const bytes = new Uint8Array(8 + 2 + 12 * 2 + 4);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49, 0x2a, 0x00]);
  view.setUint32(4, 8, true);
  view.setUint16(8, 2, true);
  [[256, 1], [257, 1]].forEach(([tag, value], index) => {
    view.setUint16(10 + index * 12, tag!, true);
    view.setUint16(12 + index * 12, 3, true);
    view.setUint32(14 + index * 12, 1, true);
    view.setUint16(18 + index * 12, value!, true);
  });
  view.setUint32(10 + 24, 8, true);
  return bytes;
}
