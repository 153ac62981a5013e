/**
 * Drives one tests/helpers/shared-store-worker.ts child process: starts it, sends it commands and
 * waits for its answers (one JSON line each, in order). For tests/shared-chunk-store.test.ts and
 * bench/store-sharing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'shared-store-worker.ts');

/** What a worker's store says about index maintenance (`LanceChunkStore.indexMaintenance()`). */
export type WorkerMaintenance = { shared: boolean; maintainer: boolean; runs: number; lastError: string | null };

/** One worker process on a shared chunk store directory. */
export class SharedStoreProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly #answers: Record<string, unknown>[] = [];
  readonly #waiting: ((answer: Record<string, unknown>) => void)[] = [];
  #stderr = '';
  #exited: Promise<number | null>;

  private constructor(directory: string, options: { maintenanceIntervalMs: number; readConsistencyMs: number }) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WORKER, directory, String(options.maintenanceIntervalMs), String(options.readConsistencyMs)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (data: Buffer) => {
      this.#stderr += data.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as Record<string, unknown>;
      const waiter = this.#waiting.shift();
      if (waiter) waiter(answer);
      else this.#answers.push(answer);
    });
    this.#exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Starts a worker and waits until its store is open. */
  static async start(directory: string, options: { maintenanceIntervalMs?: number; readConsistencyMs?: number } = {}): Promise<SharedStoreProcess> {
    const worker = new SharedStoreProcess(directory, { maintenanceIntervalMs: options.maintenanceIntervalMs ?? 200, readConsistencyMs: options.readConsistencyMs ?? 0 });
    await worker.next();
    return worker;
  }

  /** The next answer; rejects when the worker exits first. */
  next(): Promise<Record<string, unknown>> {
    const ready = this.#answers.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      void this.#exited.then((code) => reject(new Error(`shared-store worker exited (${code}) before answering: ${this.#stderr}`)));
    });
  }

  /** Sends one command and waits for its answer. */
  async send(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return this.next();
  }

  async status(): Promise<WorkerMaintenance> {
    return (await this.send({ status: true })).status as WorkerMaintenance;
  }

  /** Closes the worker's store; what its maintenance status was just before. */
  async close(): Promise<WorkerMaintenance> {
    const answer = await this.send({ close: true });
    await this.#exited;
    return answer.closed as WorkerMaintenance;
  }

  /** Kills the worker with SIGKILL and waits for it to exit. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.#exited;
  }
}
