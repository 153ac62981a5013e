/**
 * `beleg serve` as users start it: it logs (JSON lines on stdout) where it listens and how to
 * ingest and ask, binds to loopback when no API keys are set (whatever BELEG_HOST says), serves
 * requests, and stops cleanly on SIGTERM — also when the signal goes to `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDirectory } from '../src/db/data-directory-lock.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTemporaryDirectories();
});

type LogLine = Record<string, unknown> & { level: string; msg: string };

describe('beleg serve', () => {
  it('warns and listens on loopback without API keys, logs curl examples, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/beleg.js', 'serve', '--port', '0', '--data-dir', temporaryDirectory('beleg-serve-')], {
      env: { ...process.env, BELEG_HOST: '0.0.0.0', BELEG_API_KEYS: '', BELEG_LOG_LEVEL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    // Complete lines only: a chunk may end inside one.
    const lines = () =>
      stdout
        .slice(0, stdout.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as LogLine);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = await new Promise<LogLine>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (lines().some((entry) => entry.msg.startsWith('retrieval:'))) resolve(lines().find((entry) => entry.msg.startsWith('beleg listens on'))!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`)));
    });
    const url = listening.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines().find((line) => line.level === 'warn')?.msg).toContain('BELEG_HOST=0.0.0.0 ignored');
    expect(listening.examples).toMatchObject({ ingestFile: `curl -F file=@dokument.pdf ${url}/documents` });
    expect((listening.examples as { ask: string }).ask).toContain(`${url}/ask`);
    expect(lines().some((line) => line.msg.includes('loopback'))).toBe(true);
    expect(stderr).toBe('');

    const health = await fetch(`${url}/health`);
    expect(((await health.json()) as { storage: { ok: boolean } }).storage.ok).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines().map((line) => line.msg)).toContain('stopped');
  });

  it('stops when npm start gets SIGTERM, and frees its port and the data directory', async () => {
    const dataDir = temporaryDirectory('beleg-npm-start-');
    const npm = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, BELEG_API_KEYS: '', BELEG_HOST: '', BELEG_DATA_DIR: '', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(npm);
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listens on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      npm.stdout.on('data', collect);
      npm.stderr.on('data', collect);
      npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
    });
    const server = (JSON.parse(readFileSync(path.join(dataDir, 'beleg.lock.json'), 'utf8')) as { pid: number }).pid;
    expect(server).not.toBe(npm.pid);
    try {
      const exited = new Promise((resolve) => npm.once('exit', resolve));
      npm.kill('SIGTERM');
      await exited;
      expect(output, output).toMatch(/shutting down[^\n]*\n[^]*"stopped"/);
      expect(() => process.kill(server, 0), 'the server outlived npm start').toThrow(expect.objectContaining({ code: 'ESRCH' }));
      await expect(fetch(`${url}/health`)).rejects.toThrow();
      lockDataDirectory(dataDir).release();
    } finally {
      try {
        process.kill(server, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
  }, 60_000);
});
