/**
 * `beleg serve` as users start it: it logs (JSON lines on stdout) where it listens and how to
 * ingest and ask, binds to loopback when no API keys are set (whatever BELEG_HOST says), serves
 * requests, and stops cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
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
});
