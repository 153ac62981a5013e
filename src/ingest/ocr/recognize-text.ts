/**
 * Text recognition with tesseract.js (the only file that imports it): German and English LSTM
 * models from the @tesseract.js-data packages, the WebAssembly core from tesseract.js-core, both
 * read from node_modules. Nothing is fetched and nothing cached: tesseract.js wants one folder
 * for all languages, so the two model files are linked into a temporary folder that `dispose`
 * removes, and `cacheMethod: 'none'` keeps it from writing copies into the working directory.
 *
 * Recognition runs in tesseract.js's worker thread. Before it starts, the niceness of every
 * thread of the process is raised (`os.setPriority` per thread id from /proc/self/task on Linux,
 * where niceness belongs to threads: V8's garbage-collector helpers took a third of a core while
 * only the main thread was lowered); the new worker thread inherits it. OCR then takes only the
 * CPU time that answering questions leaves over. The lowered priority stays with the process;
 * the parser pool retires a parser after OCR (src/ingest/isolate/parse-isolated.ts).
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';

/**
 * One recognised text line: its text, box and baseline height in pixels (top-left origin), the
 * height of its row (ascender to descender, steadier than the box) and its confidence 0..100.
 */
export type RecognizedLine = { text: string; left: number; top: number; right: number; bottom: number; baseline: number; rowHeight: number; confidence: number };

/** A recognised page: its lines in reading order and tesseract's mean word confidence 0..100. */
export type RecognizedPage = { lines: RecognizedLine[]; confidence: number };

/** A loaded recognizer; `dispose` ends its worker thread and removes its model folder. */
export type TextRecognizer = {
  /** Recognises one encoded image (PNG, JPEG, TIFF: first page, PGM). Rejects when the image cannot be read. */
  recognize(image: Uint8Array, dpi?: number): Promise<RecognizedPage>;
  dispose(): Promise<void>;
};

/** The model files: tesseract.js's LSTM-only `best_int` models (German 1.3 MB, English 2.9 MB gzipped). */
const LANGUAGES = ['deu', 'eng'] as const;
const MODEL_FOLDER = '4.0.0_best_int';
/** Below this confidence (0..100) a one-letter word is dropped. */
const SPECK_CONFIDENCE = 20;

/** Starts a recognizer for German and English text at `niceness` (0 keeps the priority). */
export async function createTextRecognizer(options: { niceness?: number } = {}): Promise<TextRecognizer> {
  const modelFolder = linkModels();
  if (options.niceness) lowerPriority(options.niceness);
  let worker: Worker;
  try {
    worker = await createWorker([...LANGUAGES], OEM.LSTM_ONLY, {
      langPath: modelFolder,
      cacheMethod: 'none',
      gzip: true,
      // Without a handler tesseract.js also throws a failed job's error out of its message
      // listener, which ends the process; the job's promise rejects either way.
      errorHandler: () => undefined,
    });
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '0' });
  } catch (error) {
    rmSync(modelFolder, { recursive: true, force: true });
    throw error;
  }
  return {
    async recognize(image, dpi) {
      if (dpi) await worker.setParameters({ user_defined_dpi: String(dpi) });
      const buffer = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
      const { data } = await worker.recognize(buffer, {}, { text: false, blocks: true });
      const lines: RecognizedLine[] = [];
      for (const block of data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            // A lone letter read with almost no confidence is a speck, not a word.
            const words = line.words.filter((word) => !(word.text.length === 1 && /\p{L}/u.test(word.text) && word.confidence < SPECK_CONFIDENCE));
            const text = words.map((word) => word.text).join(' ').replace(/\s+/g, ' ').trim();
            if (text.length === 0) continue;
            const { x0, y0, x1, y1 } = line.bbox;
            const baseline = line.baseline ? (line.baseline.y0 + line.baseline.y1) / 2 : y1;
            const rowHeight = line.rowAttributes?.rowHeight || y1 - y0;
            lines.push({ text, left: x0, top: y0, right: x1, bottom: y1, baseline, rowHeight, confidence: line.confidence });
          }
        }
      }
      return { lines, confidence: data.confidence };
    },
    async dispose() {
      try {
        await worker.terminate();
      } finally {
        rmSync(modelFolder, { recursive: true, force: true });
      }
    },
  };
}

/** Raises the niceness of this process's threads (all of them where /proc tells, else the calling one). */
function lowerPriority(niceness: number): void {
  let threads: number[] = [0];
  try {
    threads = readdirSync('/proc/self/task').map(Number).filter((id) => Number.isInteger(id) && id > 0);
  } catch {
    // No /proc (macOS, Windows): the calling thread, which the worker thread inherits from on Linux only.
  }
  for (const thread of threads) {
    try {
      setPriority(thread, niceness);
    } catch {
      // Not allowed (some containers) or the thread ended: that one keeps its priority.
    }
  }
}

/** A temporary folder holding `deu.traineddata.gz` and `eng.traineddata.gz` (links, copies where links fail). */
function linkModels(): string {
  const require = createRequire(import.meta.url);
  const folder = mkdtempSync(path.join(tmpdir(), 'beleg-ocr-'));
  for (const language of LANGUAGES) {
    const packageFolder = path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`));
    const source = path.join(packageFolder, MODEL_FOLDER, `${language}.traineddata.gz`);
    const target = path.join(folder, `${language}.traineddata.gz`);
    try {
      symlinkSync(source, target);
    } catch {
      copyFileSync(source, target);
    }
  }
  return folder;
}
