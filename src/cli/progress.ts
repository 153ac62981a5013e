/**
 * Progress for long CLI operations (the only importer of cli-progress): a bar with counts and ETA
 * on an interactive terminal when there is more than one item, plain lines otherwise. Lines logged
 * while the bar shows are printed above it.
 */
import cliProgress from 'cli-progress';

export type Progress = {
  /** Counts one item as done. */
  increment(): void;
  /** Prints a line without breaking the bar. */
  log(line: string): void;
  stop(): void;
};

/** A progress display for `total` items labelled `label` (e.g. `documents`). */
export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (total <= 1 || !stream.isTTY) {
    return { increment() {}, log: (line) => console.log(line), stop() {} };
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
  return {
    increment: () => bar.increment(),
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}
