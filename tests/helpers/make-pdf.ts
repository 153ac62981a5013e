/**
 * Writes test PDFs with pdf-lib (the second PDF producer besides LibreOffice): pages of lines laid
 * out like a word processor would, with optional running header and page-number footer.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

/** A page: paragraphs, each given as its already-broken lines. */
export type TestPdfPage = { paragraphs: string[][] };

export type TestPdfOptions = {
  pages: TestPdfPage[];
  /** Running header drawn at the top of every page. */
  header?: string;
  /** Draws "Seite N von M" (or just N with `bareNumbers`) at the bottom of every page. */
  pageNumbers?: boolean;
  bareNumbers?: boolean;
  title?: string;
  fontSize?: number;
};

/** A PDF with real text (Helvetica, WinAnsi: umlauts and ß work). */
export async function makeTextPdf(options: TestPdfOptions): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (options.title) pdf.setTitle(options.title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const fontSize = options.fontSize ?? 11;
  const lineGap = fontSize * 1.35;
  options.pages.forEach((pageContent, pageIndex) => {
    const page = pdf.addPage([595, 842]);
    if (options.header) page.drawText(options.header, { x: 72, y: 800, size: 9, font });
    let y = 740;
    for (const paragraph of pageContent.paragraphs) {
      for (const line of paragraph) {
        page.drawText(line, { x: 72, y, size: fontSize, font });
        y -= lineGap;
      }
      y -= lineGap * 0.8; // paragraph spacing
    }
    if (options.pageNumbers) {
      const label = options.bareNumbers ? String(pageIndex + 1) : `Seite ${pageIndex + 1} von ${options.pages.length}`;
      page.drawText(label, { x: 280, y: 40, size: 9, font });
    }
  });
  return pdf.save();
}

/** A PDF whose pages carry only drawn shapes, like a scan: no text layer at all. */
export async function makeImageOnlyPdf(pageCount = 2): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let index = 0; index < pageCount; index++) {
    const page = pdf.addPage([595, 842]);
    for (let row = 0; row < 30; row++) {
      page.drawRectangle({ x: 72, y: 760 - row * 22, width: 300 + ((row * 37) % 150), height: 9, color: rgb(0.1, 0.1, 0.1) });
    }
  }
  return pdf.save();
}
