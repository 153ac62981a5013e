/**
 * Image loader: a PNG, JPEG or TIFF upload is read by OCR as a one-page document (a multi-page
 * TIFF: its first page; tesseract.js reads no further). The header is checked first, so that an
 * image declaring billions of pixels is refused before anything decodes it; tesseract's own
 * decoders (Leptonica with libpng, libjpeg, libtiff) then read the pixels.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { readImageHeader, type ImageFormat } from '../ocr/image-header.ts';
import { OCR_NICENESS, type OcrProgressListener } from '../ocr/ocr-settings.ts';
import { toLayoutLines } from '../ocr/recognized-lines.ts';
import type { LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { layoutPages } from './pdf-layout.ts';

/** Largest image read, in pixels: an A3 page at 400 dpi; 8-bit decoding needs up to 4 bytes a pixel. */
export const MAX_IMAGE_PIXELS = 40_000_000;

const MIME_TYPES: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff' };

/** Resolution assumed when an image does not say (scans are usually 300 dpi). */
const ASSUMED_DPI = 300;

/**
 * Loads an image by OCR. Throws UnprocessableDocumentError `image_corrupt` (unreadable header or
 * pixels), `image_too_large`, `ocr_no_text` or `ocr_failed`.
 */
export async function loadImage(bytes: Uint8Array, options: { onOcrProgress?: OcrProgressListener } = {}): Promise<LoadedDocument> {
  const header = readImageHeader(bytes);
  if (!header) throw new UnprocessableDocumentError(userMessage('image_corrupt', { reason: 'no valid PNG, JPEG or TIFF header' }));
  if (header.width * header.height > MAX_IMAGE_PIXELS) {
    const details = { width: header.width, height: header.height, limitMegapixels: MAX_IMAGE_PIXELS / 1_000_000 };
    throw new UnprocessableDocumentError(userMessage('image_too_large', details), { details });
  }
  options.onOcrProgress?.({ ocrPagesDone: 0, ocrPagesTotal: 1 });
  const { createTextRecognizer } = await import('../ocr/recognize-text.ts');
  const recognizer = await createTextRecognizer({ niceness: OCR_NICENESS });
  let recognized;
  try {
    recognized = await recognizer.recognize(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnprocessableDocumentError(userMessage('image_corrupt', { reason }), { cause: error });
  } finally {
    await recognizer.dispose();
  }
  options.onOcrProgress?.({ ocrPagesDone: 1, ocrPagesTotal: 1 });
  const { text, pages } = layoutPages([toLayoutLines(recognized, { height: header.height, dpi: ASSUMED_DPI })]);
  if (!/\p{L}/u.test(text)) throw new UnprocessableDocumentError(userMessage('ocr_no_text'));
  return {
    text,
    title: null,
    mimeType: MIME_TYPES[header.format],
    language: detectLanguage(text),
    pages: pages.map((span) => ({ ...span, ocr: true, ocrConfidence: Math.round(recognized.confidence) / 100 })),
    bytes,
  };
}
