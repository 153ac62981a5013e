/**
 * A real `beleg` process (bin/beleg.js, as `npm start` runs it) for the scale-out benchmark: its
 * own data directory, the shared BELEG_DATABASE_URL and BELEG_LANCEDB_URI from the environment
 * given, its JSON log written to a file (not a pipe, so the benchmark's own event loop does not
 * read every request line). Every process started here is remembered, so `killAllSync()` can end
 * them all from an exit handler even when the benchmark fails half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();

export type BelegProcess = {
  /** What it is, for messages (`api 2`, `worker 1`). */
  name: string;
  pid: number;
  /** Its HTTP base URL, for processes that serve. */
  url: string | null;
  /** Its log so far. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
};

export type StartOptions = {
  name: string;
  /** The CLI arguments after `beleg` (`['serve', '--port', '0', '--data-dir', dir]`). */
  args: string[];
  /** BELEG_* settings on top of this process's environment. */
  environment: Record<string, string>;
  logFile: string;
  /** A log line that says it is ready; for `serve` the listening line, whose URL is read from it. */
  readyPattern: RegExp;
  timeoutMs?: number;
};

/** Starts a beleg process and resolves once `readyPattern` appears in its log. */
export async function startBeleg(options: StartOptions): Promise<BelegProcess> {
  const logFd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'bin/beleg.js'), ...options.args], {
    cwd: repositoryRoot,
    env: { ...process.env, ...options.environment },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const log = () => readFileSync(options.logFile, 'utf8');

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let match: RegExpExecArray | null = null;
  while (!(match = options.readyPattern.exec(log()))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log().slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 120_000} ms:\n${log().slice(-2000)}`);
    }
    // Start-up takes seconds; looking at the log file ten times a second is plenty.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const listening = /listens on (http:\/\/\S+)/.exec(match[0]);
  return {
    name: options.name,
    pid: child.pid!,
    url: listening ? listening[1]! : null,
    log,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** SIGKILLs every beleg process this module started that is still running (for exit handlers). */
export function killAllSync(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
