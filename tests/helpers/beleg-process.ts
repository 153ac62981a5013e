/**
 * A `beleg serve` child process as an operator starts one (bin/beleg.js), for tests with several
 * processes: it resolves once the process logs where it listens, keeps its output for failure
 * messages, and can be stopped with SIGTERM or killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

export type BelegProcess = {
  url: string;
  pid: number;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGKILL: no shutdown work at all, like a container killed by the kernel. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
};

const started = new Set<ChildProcess>();

/** Kills every process started here that still runs (afterAll). */
export function killAllBelegProcesses(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/** Starts `beleg serve` with `args` and `environment` (added to this process's) and waits until it listens. */
export async function startBelegProcess(args: string[], environment: Record<string, string>): Promise<BelegProcess> {
  const child = spawn(process.execPath, ['bin/beleg.js', 'serve', '--port', '0', ...args], {
    cwd: REPOSITORY,
    env: { ...process.env, BELEG_API_KEYS: '', BELEG_HOST: '', BELEG_LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        child.stdout.off('data', look);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', look);
    void exited.then((code) => reject(new Error(`beleg serve ${args.join(' ')} exited with ${code} before listening:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
