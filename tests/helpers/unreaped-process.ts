/**
 * Runs a command as the child of a parent that never reaps it (`sh -c 'cmd & exec sleep'`), so
 * that once it dies it stays a zombie — a process whose pid still answers `kill -0` — like a
 * server killed with -9 whose supervisor has not collected it yet. Linux only (/proc).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type UnreapedProcess = {
  /** The command's own pid (not the parent's). */
  pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Kills the command (if alive) and the parent that holds it, which lets init reap it. */
  dispose(): void;
};

const running = new Set<() => void>();

/** `R`, `S`, `Z` (zombie), … from /proc/<pid>/stat; null once the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** Starts `command` (argv) under a parent that never reaps it; resolves once its pid is known. */
export async function spawnUnreaped(command: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<UnreapedProcess> {
  const parent = spawn('sh', ['-c', '"$@" 2>&1 & echo "unreaped-pid $!"; exec sleep 3600', 'sh', ...command], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  let text = '';
  const listeners = new Set<() => void>();
  parent.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(text);
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${text}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const pid = Number((await waitFor(/unreaped-pid (\d+)/))[1]);
  // Until the shell has become `sleep`, it might still reap the command.
  while (readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() !== 'sleep') await new Promise((resolve) => setTimeout(resolve, 5));
  const dispose = () => {
    running.delete(dispose);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    parent.kill('SIGKILL');
  };
  running.add(dispose);
  return { pid, output: () => text, waitFor, dispose };
}

/** Disposes every process started by {@link spawnUnreaped} and not yet disposed (for afterAll). */
export function disposeUnreapedProcesses(): void {
  for (const dispose of [...running]) dispose();
}
