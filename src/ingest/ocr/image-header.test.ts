import { describe, expect, it } from 'vitest';
import { imageFormatOf, readImageHeader } from './image-header.ts';

/** A PNG signature and IHDR declaring `width` × `height`. */
function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

/** SOI, an APP0 segment, then a baseline SOF0 declaring `width` × `height`. */
function jpegHeader(width: number, height: number): Uint8Array {
  const bytes = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  const view = new DataView(bytes.buffer);
  view.setUint16(13, height);
  view.setUint16(15, width);
  return bytes;
}

/** A TIFF with `pages` chained directories of width/height tags, little- or big-endian. */
function tiff(pages: number, littleEndian: boolean, width = 2480, height = 3508): Uint8Array {
  const ifdSize = 2 + 2 * 12 + 4;
  const bytes = new Uint8Array(8 + pages * ifdSize);
  const view = new DataView(bytes.buffer);
  bytes.set(littleEndian ? [0x49, 0x49, 0x2a, 0x00] : [0x4d, 0x4d, 0x00, 0x2a]);
  view.setUint32(4, 8, littleEndian);
  for (let page = 0; page < pages; page++) {
    const ifd = 8 + page * ifdSize;
    view.setUint16(ifd, 2, littleEndian);
    [[256, width], [257, height]].forEach(([tag, value], index) => {
      view.setUint16(ifd + 2 + index * 12, tag!, littleEndian);
      view.setUint16(ifd + 4 + index * 12, 4, littleEndian); // LONG
      view.setUint32(ifd + 6 + index * 12, 1, littleEndian);
      view.setUint32(ifd + 10 + index * 12, value!, littleEndian);
    });
    view.setUint32(ifd + 26, page + 1 < pages ? ifd + ifdSize : 0, littleEndian);
  }
  return bytes;
}

describe('readImageHeader', () => {
  it('reads the size of PNG, JPEG and TIFF (both byte orders) without decoding', () => {
    expect(readImageHeader(pngHeader(100_000, 100_000))).toEqual({ format: 'png', width: 100_000, height: 100_000, pageCount: 1 });
    expect(readImageHeader(jpegHeader(2480, 3508))).toEqual({ format: 'jpeg', width: 2480, height: 3508, pageCount: 1 });
    expect(readImageHeader(tiff(1, true))).toEqual({ format: 'tiff', width: 2480, height: 3508, pageCount: 1 });
    expect(readImageHeader(tiff(3, false))).toEqual({ format: 'tiff', width: 2480, height: 3508, pageCount: 3 });
  });

  it('returns null for cut-off headers and zero sizes instead of guessing', () => {
    expect(readImageHeader(pngHeader(10, 10).slice(0, 20))).toBeNull();
    expect(readImageHeader(pngHeader(0, 10))).toBeNull();
    expect(readImageHeader(jpegHeader(10, 10).slice(0, 10))).toBeNull();
    expect(readImageHeader(tiff(1, true).slice(0, 12))).toBeNull();
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]))).toBeNull();
  });

  it('stops at a TIFF directory chain that loops back', () => {
    const looping = tiff(2, true);
    new DataView(looping.buffer).setUint32(8 + 30 + 26, 8, true); // the second directory points at the first
    expect(readImageHeader(looping)?.pageCount).toBe(2);
  });

  it('tells images from other content by their magic bytes', () => {
    expect(imageFormatOf(new TextEncoder().encode('%PDF-1.7'))).toBeNull();
    expect(imageFormatOf(Uint8Array.from([0x47, 0x49, 0x46, 0x38]))).toBeNull(); // GIF stays unsupported
    expect(imageFormatOf(tiff(1, false))).toBe('tiff');
  });
});
