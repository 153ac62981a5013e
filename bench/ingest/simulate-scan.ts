/**
 * Simulated scanning for the OCR fixtures and benchmark: a text PDF's pages are drawn at 300 dpi
 * (pdf.js through beleg's own renderer), optionally turned by a small angle and sprinkled with
 * noise and specks like a cheap office scanner, and put back as images into a PDF without any
 * text layer (pdf-lib). Deterministic: noise comes from a seeded generator.
 */
import { deflateSync } from 'node:zlib';
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { PDFDocument, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { getDocumentProxy, createIsomorphicCanvasFactory } from 'unpdf';
import { loadCanvasModule, renderPdfPage, type GreyImage } from '../../src/ingest/ocr/render-pdf-page.ts';

export type ScanOptions = {
  /** Turn the page by this many degrees (clockwise). */
  rotateDegrees?: number;
  /** Standard deviation of grey noise added to every pixel (0..255). */
  noise?: number;
  /** Dark specks per page. */
  specks?: number;
  /** Black and white only (threshold at mid-grey), like a fax-mode office scanner: small files. */
  bilevel?: boolean;
  /** JPEG quality 0..100 of the embedded image (default 70). */
  quality?: number;
  /** Keep only this top share of the page (0..1], for small image fixtures. */
  keepTopShare?: number;
  /** Resolution (default 300). */
  dpi?: number;
  seed?: number;
};

/** A scanned page: the encoded image and its size in PDF points. */
export type ScannedPage = {
  jpeg: Uint8Array;
  png: Uint8Array;
  /** Bilevel scans: 1 bit per pixel, rows padded to whole bytes, 1 = white (as in the PNG). */
  bits: Uint8Array | null;
  widthPixels: number;
  heightPixels: number;
  widthPoints: number;
  heightPoints: number;
};

/** Draws every page of `pdfBytes` (or those in `pageNumbers`) as a scan. */
export async function scanPdf(pdfBytes: Uint8Array, options: ScanOptions = {}, pageNumbers?: number[]): Promise<ScannedPage[]> {
  const CanvasFactory = await createIsomorphicCanvasFactory(loadCanvasModule);
  const proxy = await getDocumentProxy(new Uint8Array(pdfBytes), { verbosity: 0, CanvasFactory } as Parameters<typeof getDocumentProxy>[1]);
  const pages: ScannedPage[] = [];
  try {
    const numbers = pageNumbers ?? Array.from({ length: proxy.numPages }, (_, index) => index + 1);
    for (const number of numbers) {
      const page = await proxy.getPage(number);
      const viewport = page.getViewport({ scale: 1 });
      const grey = await renderPdfPage(page as never, options.dpi ?? 300);
      page.cleanup();
      const canvas = crop(degrade(grey, options, (options.seed ?? 1) * 7919 + number), options.keepTopShare ?? 1);
      const bits = options.bilevel ? packBits(canvas) : null;
      pages.push({
        jpeg: new Uint8Array(await canvas.encode('jpeg', options.quality ?? 70)),
        png: bits ? bilevelPng(bits, canvas.width, canvas.height) : new Uint8Array(await canvas.encode('png')),
        bits,
        widthPixels: canvas.width,
        heightPixels: canvas.height,
        widthPoints: viewport.width,
        heightPoints: viewport.height * (options.keepTopShare ?? 1),
      });
    }
  } finally {
    await proxy.destroy();
  }
  return pages;
}

/** A PDF whose pages are only the given images (no text layer). */
export async function imagePdf(pages: ScannedPage[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (const page of pages) {
    const pdfPage = pdf.addPage([page.widthPoints, page.heightPoints]);
    if (page.bits) {
      // A 1-bit image XObject, as scanners write them (pdf-lib's embedPng would store 8-bit RGB).
      const stream = pdf.context.flateStream(page.bits, {
        Type: 'XObject',
        Subtype: 'Image',
        Width: page.widthPixels,
        Height: page.heightPixels,
        ColorSpace: 'DeviceGray',
        BitsPerComponent: 1,
      });
      const name = pdfPage.node.newXObject('Scan', pdf.context.register(stream));
      pdfPage.pushOperators(pushGraphicsState(), concatTransformationMatrix(page.widthPoints, 0, 0, page.heightPoints, 0, 0), drawObject(name), popGraphicsState());
    } else {
      const image = await pdf.embedJpg(page.jpeg);
      pdfPage.drawImage(image, { x: 0, y: 0, width: page.widthPoints, height: page.heightPoints });
    }
  }
  return pdf.save();
}

/** The grey image on a canvas, turned and noisy as asked. */
function degrade(image: GreyImage, options: ScanOptions, seed: number): Canvas {
  const random = seeded(seed);
  const source = createCanvas(image.width, image.height);
  const sourceContext = source.getContext('2d');
  const data = sourceContext.createImageData(image.width, image.height);
  for (let pixel = 0; pixel < image.pixels.length; pixel++) {
    const value = image.pixels[pixel]!;
    data.data[pixel * 4] = value;
    data.data[pixel * 4 + 1] = value;
    data.data[pixel * 4 + 2] = value;
    data.data[pixel * 4 + 3] = 255;
  }
  sourceContext.putImageData(data, 0, 0);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, image.width, image.height);
  context.translate(image.width / 2, image.height / 2);
  context.rotate(((options.rotateDegrees ?? 0) * Math.PI) / 180);
  context.drawImage(source, -image.width / 2, -image.height / 2);
  context.setTransform(1, 0, 0, 1, 0, 0);
  if (options.noise || options.specks || options.bilevel) {
    const noisy = context.getImageData(0, 0, image.width, image.height);
    if (options.noise) {
      for (let offset = 0; offset < noisy.data.length; offset += 4) {
        const value = Math.max(0, Math.min(255, noisy.data[offset]! + gaussian(random) * options.noise));
        noisy.data[offset] = value;
        noisy.data[offset + 1] = value;
        noisy.data[offset + 2] = value;
      }
    }
    if (options.bilevel) {
      for (let offset = 0; offset < noisy.data.length; offset += 4) {
        const value = noisy.data[offset]! < 140 ? 0 : 255;
        noisy.data[offset] = value;
        noisy.data[offset + 1] = value;
        noisy.data[offset + 2] = value;
      }
    }
    context.putImageData(noisy, 0, 0);
    context.fillStyle = options.bilevel ? '#000000' : '#202020';
    for (let speck = 0; speck < (options.specks ?? 0); speck++) {
      context.beginPath();
      context.arc(random() * image.width, random() * image.height, 1 + random() * 3, 0, Math.PI * 2);
      context.fill();
    }
  }
  return canvas;
}

function crop(canvas: Canvas, share: number): Canvas {
  if (share >= 1) return canvas;
  const cropped = createCanvas(canvas.width, Math.round(canvas.height * share));
  cropped.getContext('2d').drawImage(canvas, 0, 0);
  return cropped;
}

/** Mulberry32: a small seeded generator, so fixtures come out the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A black-and-white canvas as packed bits, rows padded to bytes, 1 = white. */
function packBits(canvas: Canvas): Uint8Array {
  const { width, height } = canvas;
  const rgba = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const rowBytes = Math.ceil(width / 8);
  const bits = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4]! >= 128) bits[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return bits;
}

/** Packed bits as a 1-bit greyscale PNG (an 8-bit RGBA PNG of the same page is 3–4 times larger). */
function bilevelPng(bits: Uint8Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil(width / 8);
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(bits.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([1, 0, 0, 0, 0], 8);
  const chunks = [chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((sum, part) => sum + part.length, 0));
  out.set(signature, 0);
  let offset = 8;
  for (const part of chunks) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
