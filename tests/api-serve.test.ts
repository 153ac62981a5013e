/**
 * `beleg serve` as users start it: it prints where it listens and how to ingest and ask, binds to
 * loopback when no API keys are set (whatever BELEG_HOST says), serves requests, and stops
 * cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTemporaryDirectories();
});

describe('beleg serve', () => {
  it('warns and listens on loopback without API keys, prints curl examples, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/beleg.js', 'serve', '--port', '0', '--data-dir', temporaryDirectory('beleg-serve-')], {
      env: { ...process.env, BELEG_HOST: '0.0.0.0', BELEG_API_KEYS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /listens on (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes('loopback')) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toContain('BELEG_HOST=0.0.0.0 ignored');
    expect(stdout).toContain(`curl -F file=@dokument.pdf ${url}/documents`);
    expect(stdout).toContain(`${url}/ask`);

    const health = await fetch(`${url}/health`);
    expect(((await health.json()) as { storage: { ok: boolean } }).storage.ok).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
