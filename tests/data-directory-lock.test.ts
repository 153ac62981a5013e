/**
 * The data-directory lock is held by the kernel for the process using the directory: a pid file of
 * the previous release never blocks start-up (pid 1 after a container restart, our own pid, a
 * zombie), a killed holder frees the directory at once (even while it is a zombie nobody reaped),
 * and two live processes never hold it together — a second server is refused with a clear message.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DataDirectoryLockedError, lockDataDirectory } from '../src/db/data-directory-lock.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';
import { disposeUnreapedProcesses, processState, spawnUnreaped, type UnreapedProcess } from './helpers/unreaped-process.ts';

const HOLDER = fileURLToPath(new URL('./helpers/hold-data-directory.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/beleg.js', import.meta.url));
const SERVER_ENV = { ...process.env, BELEG_API_KEYS: '', BELEG_HOST: '', BELEG_DATA_DIR: '' };

afterAll(() => {
  disposeUnreapedProcesses();
  removeTemporaryDirectories();
});

/** A lock holder in a process of its own, under a parent that never reaps it. */
async function holder(dataDir: string): Promise<{ process: UnreapedProcess; locked: boolean }> {
  const started = await spawnUnreaped([process.execPath, '--expose-gc', '--import', 'tsx', HOLDER, dataDir]);
  const [, outcome, detail] = await started.waitFor(/(locked|refused) (\S+)/);
  if (outcome === 'refused') expect(detail).toBe('data_directory_locked');
  return { process: started, locked: outcome === 'locked' };
}

/** A zombie: a process killed with -9 whose parent never reaps it, so `kill -0` still finds it. */
async function zombiePid(): Promise<number> {
  const { pid } = await spawnUnreaped(['sleep', '3600']);
  process.kill(pid, 'SIGKILL');
  await vi.waitFor(() => expect(processState(pid)).toBe('Z'), { timeout: 10_000, interval: 20 });
  return pid;
}

describe('the data-directory lock', () => {
  it('is not blocked by a lock file of the previous release naming a live process: pid 1, this process, a zombie', async () => {
    for (const pid of [1, process.pid, await zombiePid()]) {
      expect(() => process.kill(pid, 0), `pid ${pid} looks alive to the old check`).not.toThrow();
      const dataDir = temporaryDirectory('beleg-lock-');
      writeFileSync(path.join(dataDir, 'beleg.lock'), `${pid}\n`);
      const lock = lockDataDirectory(dataDir);
      expect(existsSync(path.join(dataDir, 'beleg.lock'))).toBe(false);
      lock.release();
    }
  });

  it('refuses a second holder at once, says who holds it and where it serves, and is free again after release', () => {
    const dataDir = temporaryDirectory('beleg-lock-');
    const lock = lockDataDirectory(dataDir);
    lock.announce('http://127.0.0.1:8123');
    const started = performance.now();
    let refusal: unknown;
    try {
      lockDataDirectory(dataDir);
    } catch (error) {
      refusal = error;
    }
    // No waiting on the holder (better-sqlite3 would wait 5 s by default).
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(refusal).toBeInstanceOf(DataDirectoryLockedError);
    expect(refusal).toMatchObject({ code: 'data_directory_locked', holder: { pid: process.pid, url: 'http://127.0.0.1:8123' } });
    expect((refusal as Error).message).toContain(`in use by the beleg server at http://127.0.0.1:8123 (process ${process.pid})`);
    lock.release();
    expect(existsSync(path.join(dataDir, 'beleg.lock.json'))).toBe(false);
    lockDataDirectory(dataDir).release();
  });

  it('holds while its process lives, unreferenced and after garbage collection, and is free the moment it is killed', async () => {
    const dataDir = temporaryDirectory('beleg-lock-');
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', HOLDER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const reported = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      expect(reported.trim()).toBe(`locked ${child.pid}`);
      expect(() => lockDataDirectory(dataDir)).toThrow(`in use by beleg process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    lockDataDirectory(dataDir).release();
  });

  it('20 times kill -9 and an immediate restart: the dead holder (a zombie) never blocks, and the restarted one holds alone', async () => {
    const dataDir = temporaryDirectory('beleg-lock-');
    let current = await holder(dataDir);
    expect(current.locked).toBe(true);
    for (let round = 0; round < 20; round += 1) {
      const killed = current.process;
      process.kill(killed.pid, 'SIGKILL');
      current = await holder(dataDir);
      expect(current.locked, `round ${round + 1}: the restart was refused`).toBe(true);
      // The killed holder is dead but not reaped: a zombie, which a pid check takes for alive.
      expect(processState(killed.pid)).toBe('Z');
      expect(() => lockDataDirectory(dataDir)).toThrow(`in use by beleg process ${current.process.pid}`);
      killed.dispose();
    }
    current.process.dispose();
  }, 180_000);

  it('lets exactly one of two processes that start at once hold the directory', async () => {
    for (let round = 0; round < 3; round += 1) {
      const dataDir = temporaryDirectory('beleg-lock-');
      const contenders = await Promise.all([holder(dataDir), holder(dataDir)]);
      expect(contenders.filter((contender) => contender.locked)).toHaveLength(1);
      for (const contender of contenders) contender.process.dispose();
    }
  }, 60_000);
});

describe('beleg serve and the lock', () => {
  it('starts over an old pid file, refuses a second server with who holds it, and restarts at once after kill -9', async () => {
    const dataDir = temporaryDirectory('beleg-lock-serve-');
    writeFileSync(path.join(dataDir, 'beleg.lock'), '1\n');
    const serve = [process.execPath, BIN, 'serve', '--port', '0', '--data-dir', dataDir];
    const first = await spawnUnreaped(serve, { env: SERVER_ENV });
    const url = (await first.waitFor(/listens on (http:\/\/\S+)/))[1]!;
    expect(JSON.parse(readFileSync(path.join(dataDir, 'beleg.lock.json'), 'utf8'))).toMatchObject({ pid: first.pid, url });

    // serve logs JSON lines; the refusal is one of them.
    const second = await promisify(execFile)(process.execPath, serve.slice(1), { env: SERVER_ENV }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
    );
    expect(second.code).toBe(1);
    expect(second.output).toContain(`The data directory '${dataDir}' is in use by the beleg server at ${url} (process ${first.pid}).`);
    expect(second.output).toContain('"code":"data_directory_locked"');
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // kill -9, and restart at once over a pid file naming the dead server, which stays a zombie.
    process.kill(first.pid, 'SIGKILL');
    writeFileSync(path.join(dataDir, 'beleg.lock'), `${first.pid}\n`);
    const third = await spawnUnreaped(serve, { env: SERVER_ENV });
    const restartedUrl = (await third.waitFor(/listens on (http:\/\/\S+)|error \[(\w+)\]/))[1];
    expect(restartedUrl, third.output()).toBeDefined();
    expect(processState(first.pid)).toBe('Z');
    expect((await fetch(`${restartedUrl}/health`)).status).toBe(200);
    first.dispose();
    third.dispose();
  }, 120_000);
});
