/**
 * Progress for long CLI operations (the only importer of cli-progress): a bar with counts and ETA
 * on an interactive terminal when there is more than one item, plain lines otherwise. Every line
 * logged is printed: above the bar, at once, when the output is that terminal too (cli-progress
 * would otherwise buffer it until its next redraw and drop what is still buffered at stop); to the
 * output itself when that is redirected, so `beleg ingest … > log` keeps every result.
 */
import cliProgress from 'cli-progress';

export type Progress = {
  /** Counts one item as done. */
  increment(): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
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
  if (total <= 1 || !stream.isTTY) {
    return { increment() {}, log: printLine, stop() {} };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: `{bar} {value}/{total} ${label} | {percentage}% | ETA {eta_formatted} | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0);
  const sameTerminal = output.isTTY === true;
  return {
    increment: () => bar.increment(),
    log(line) {
      if (!sameTerminal) return printLine(line);
      bars.log(`${line}\n`);
      bars.update();
    },
    stop() {
      bars.update();
      bars.stop();
    },
  };
}
