/**
 * The loaders that run inside the isolated parser process (src/ingest/isolate/), by format. Each
 * entry imports its loader lazily, so a parser only loads the libraries of the formats it reads.
 * A new format is one entry here, one loader file beside this one, and its detection in
 * detect-document-type.ts.
 */
import type { OcrProgressListener, OcrSettings } from '../ocr/ocr-settings.ts';
import type { LoadedDocument } from '../types.ts';

/**
 * What a loader learns besides the bytes: the declared content type and, for URLs, the page's
 * address; for scans, the OCR settings and where to report OCR progress.
 */
export type LoaderHints = { contentType: string | null; baseUrl?: string; fileName?: string; ocr?: OcrSettings; onOcrProgress?: OcrProgressListener };

/** Formats parsed in the parser process (plain text and Markdown are read in place). */
export type IsolatedFormat = 'pdf' | 'html' | 'docx' | 'odt' | 'rtf' | 'pptx' | 'odp' | 'xlsx' | 'ods' | 'eml' | 'msg' | 'epub' | 'image';

type Loader = (bytes: Uint8Array, hints: LoaderHints) => LoadedDocument | Promise<LoadedDocument>;

export const ISOLATED_LOADERS: Record<IsolatedFormat, () => Promise<Loader>> = {
  pdf: async () => {
    const { loadPdf } = await import('./load-pdf.ts');
    return (bytes, hints) => loadPdf(bytes, { ocr: hints.ocr, onOcrProgress: hints.onOcrProgress });
  },
  html: async () => {
    const { loadHtml } = await import('./load-html.ts');
    return (bytes, hints) => loadHtml(bytes, { contentType: hints.contentType, baseUrl: hints.baseUrl });
  },
  docx: async () => (await import('./load-docx.ts')).loadDocx,
  odt: async () => (await import('./load-odt.ts')).loadOdt,
  rtf: async () => (await import('./load-rtf.ts')).loadRtf,
  pptx: async () => (await import('./load-pptx.ts')).loadPptx,
  odp: async () => (await import('./load-odp.ts')).loadOdp,
  xlsx: async () => (await import('./load-xlsx.ts')).loadXlsx,
  ods: async () => (await import('./load-ods.ts')).loadOds,
  eml: async () => {
    const { loadEml } = await import('./load-eml.ts');
    return (bytes) => loadEml(bytes);
  },
  msg: async () => {
    const { loadMsg } = await import('./load-msg.ts');
    return (bytes) => loadMsg(bytes);
  },
  epub: async () => {
    const { loadEpub } = await import('./load-epub.ts');
    return (bytes) => loadEpub(bytes);
  },
  image: async () => {
    const { loadImage } = await import('./load-image.ts');
    return (bytes, hints) => loadImage(bytes, { onOcrProgress: hints.onOcrProgress });
  },
};

/** How a format is named in messages ("PDF", "HTML", "DOCX", …). */
export const FORMAT_NAMES: Record<IsolatedFormat, string> = {
  pdf: 'PDF',
  html: 'HTML',
  docx: 'DOCX',
  odt: 'ODT',
  rtf: 'RTF',
  pptx: 'PPTX',
  odp: 'ODP',
  xlsx: 'XLSX',
  ods: 'ODS',
  eml: 'E-Mail (EML)',
  msg: 'Outlook-E-Mail (MSG)',
  epub: 'EPUB',
  image: 'PNG/JPEG/TIFF',
};
