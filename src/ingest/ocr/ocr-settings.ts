/**
 * What the OCR path of ingestion is told (config `BELEG_OCR`, `BELEG_OCR_PAGE_TIMEOUT_MS`,
 * `BELEG_OCR_MAX_PAGES`) and what it reports back while it reads a scan.
 */

/** How beleg treats scanned PDF pages and images. */
export type OcrSettings = {
  /** `auto`: pages without a text layer and images are recognised; `off`: they are refused. */
  mode: 'off' | 'auto';
  /** Time allowed per scanned page (added to the parse deadline per page; also the limit for one page). */
  pageTimeoutMs: number;
  /** Scanned pages recognised per document at most. */
  maxPages: number;
};

/** Defaults: OCR on, 60 s per page (a 2-core machine needs 3–8 s), 500 pages. */
export const DEFAULT_OCR_SETTINGS: OcrSettings = { mode: 'auto', pageTimeoutMs: 60_000, maxPages: 500 };

/** How far OCR of one document has come (sent from the parser process while it works). */
export type OcrProgress = { ocrPagesDone: number; ocrPagesTotal: number };

/** Called by a loader as OCR advances: first with 0 done, then after each page. */
export type OcrProgressListener = (progress: OcrProgress) => void;

/** Resolution scanned PDF pages are rendered at for recognition. */
export const OCR_DPI = 300;

/** Niceness of the thread that runs recognition (higher is lower priority), so that answering stays quick. */
export const OCR_NICENESS = 10;
