/**
 * Renders a PDF page to grey pixels for OCR: pdf.js draws into a @napi-rs/canvas canvas (the only
 * file that imports it) at 300 dpi, capped in pixels so that a page declaring an enormous size
 * cannot take the parser's memory. The result is a binary PGM image, which tesseract's Leptonica
 * reads without a decoder and which costs far less to write than a PNG.
 */
import type * as CanvasModule from '@napi-rs/canvas';

/** A rendered page: 8-bit grey, row by row, and the resolution it was drawn at. */
export type GreyImage = { width: number; height: number; pixels: Uint8Array; dpi: number };

/** The parts of a pdf.js page this module uses. */
export type RenderablePage = {
  getViewport(parameters: { scale: number }): { width: number; height: number };
  render(parameters: Record<string, unknown>): { promise: Promise<void> };
};

/** Largest rendering in pixels (an A3 page at 300 dpi is 17.5 million); bigger pages are drawn at a lower resolution. */
export const MAX_RENDER_PIXELS = 36_000_000;

/**
 * The canvas module for pdf.js (unpdf's `createIsomorphicCanvasFactory` and `page.render` take
 * it). Also fills in `ArrayBuffer.prototype.transferToFixedLength` (Node 21+), which pdf.js calls
 * while drawing embedded fonts, on Node 20: a copy of the first `length` bytes, as the standard
 * method returns, without detaching the original.
 */
export async function loadCanvasModule(): Promise<typeof CanvasModule> {
  const prototype = ArrayBuffer.prototype as ArrayBuffer & { transferToFixedLength?: (length?: number) => ArrayBuffer };
  if (typeof prototype.transferToFixedLength !== 'function') {
    Object.defineProperty(ArrayBuffer.prototype, 'transferToFixedLength', {
      value(this: ArrayBuffer, length?: number): ArrayBuffer {
        const size = length ?? this.byteLength;
        const copy = new ArrayBuffer(size);
        new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(size, this.byteLength)));
        return copy;
      },
      configurable: true,
      writable: true,
    });
  }
  return import('@napi-rs/canvas');
}

/** Draws `page` on white at `dpi` (lowered for oversized pages) and returns its grey pixels. */
export async function renderPdfPage(page: RenderablePage, dpi: number): Promise<GreyImage> {
  const { createCanvas } = await loadCanvasModule();
  const base = page.getViewport({ scale: 1 });
  const wanted = dpi / 72;
  const fit = Math.sqrt(MAX_RENDER_PIXELS / Math.max(1, base.width * base.height));
  const scale = Math.min(wanted, fit);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  await page.render({ canvas, canvasContext: context, viewport }).promise;
  const rgba = context.getImageData(0, 0, width, height).data;
  return { width, height, pixels: toGrey(rgba, width * height), dpi: Math.round(scale * 72) };
}

/** RGBA → luma (ITU-R BT.601 weights, integer arithmetic). */
function toGrey(rgba: Uint8ClampedArray, pixelCount: number): Uint8Array {
  const grey = new Uint8Array(pixelCount);
  for (let pixel = 0, offset = 0; pixel < pixelCount; pixel++, offset += 4) {
    grey[pixel] = (rgba[offset]! * 77 + rgba[offset + 1]! * 150 + rgba[offset + 2]! * 29) >> 8;
  }
  return grey;
}

/** A grey image as binary PGM (P5) bytes. */
export function encodePgm(image: GreyImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const bytes = new Uint8Array(header.length + image.pixels.length);
  bytes.set(header, 0);
  bytes.set(image.pixels, header.length);
  return bytes;
}
