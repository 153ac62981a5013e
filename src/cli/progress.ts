/**
 * Progress for long CLI operations (the only importer of cli-progress): a bar with counts and ETA
 * on an interactive terminal when there is more than one item, plain lines otherwise. Every line
 * logged is printed: above the bar, at once, when the output is that terminal too (cli-progress
 * would otherwise buffer it until its next redraw and drop what is still buffered at stop); to the
 * output itself when that is redirected, so `beleg ingest … > log` keeps every result.
 *
 * OCR of a scan gets its own bar of pages on a terminal (also for a single document, where a
 * 50-page scan takes minutes), and a line per page on the progress stream otherwise.
 */
import cliProgress from 'cli-progress';

export type Progress = {
  /** Counts one item as done. */
  increment(): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  /** Shows how OCR of item `name` advances: `done` of `total` scanned pages, `line` its wording. */
  ocr(name: string, done: number, total: number, line: string): void;
  stop(): void;
};

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/** Where the bar goes (default stderr) and where logged lines go (default stdout, through console.log). */
export type ProgressStreams = { stream?: Stream; output?: Stream };

/** A progress display for `total` items labelled `label` (e.g. `documents`). */
export function createProgress(total: number, label: string, streams: ProgressStreams = {}): Progress {
  const stream = streams.stream ?? process.stderr;
  const output = streams.output ?? process.stdout;
  const printLine = streams.output ? (line: string) => void output.write(`${line}\n`) : (line: string) => console.log(line);
  if (!stream.isTTY) {
    return {
      increment() {},
      log: printLine,
      ocr: (_name, _done, _total, line) => void stream.write(`${line}\n`),
      stop() {},
    };
  }
  let bars: cliProgress.MultiBar | null = null;
  const multiBar = () =>
    (bars ??= new cliProgress.MultiBar(
      {
        stream,
        format: `{bar} {value}/{total} {label} | {percentage}% | ETA {eta_formatted} | {duration_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    ));
  const bar = total > 1 ? multiBar().create(total, 0, { label }) : null;
  const ocrBars = new Map<string, cliProgress.SingleBar>();
  const sameTerminal = output.isTTY === true;
  return {
    increment: () => bar?.increment(),
    log(line) {
      if (!sameTerminal || !bars) return printLine(line);
      bars.log(`${line}\n`);
      bars.update();
    },
    ocr(name, done, pages) {
      let ocrBar = ocrBars.get(name);
      if (!ocrBar) {
        ocrBar = multiBar().create(pages, 0, { label: `OCR ${name}` });
        ocrBars.set(name, ocrBar);
      }
      // Kept until stop, full, so that the terminal shows which scans were read.
      ocrBar.update(done);
    },
    stop() {
      if (!bars) return;
      bars.update();
      bars.stop();
    },
  };
}
