import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, lockDataDirectory } from './data-directory-lock.ts';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function dataDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'beleg-lock-'));
  directories.push(directory);
  return directory;
}

describe('data directory lock', () => {
  it('refuses a directory this process already holds, and frees it on release', () => {
    const directory = dataDirectory();
    const lock = lockDataDirectory(directory);
    expect(() => lockDataDirectory(directory)).toThrow(DataDirectoryLockedError);
    lock.release();
    lockDataDirectory(directory).release();
  });

  it("is not blocked by the previous release's pid file naming this process (a container's PID 1 after a killed run)", () => {
    const directory = dataDirectory();
    writeFileSync(path.join(directory, 'beleg.lock'), String(process.pid));
    const lock = lockDataDirectory(directory);
    expect(existsSync(path.join(directory, 'beleg.lock'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(directory, 'beleg.lock.json'), 'utf8'))).toMatchObject({ pid: process.pid, url: null });
    lock.release();
  });

  it("is not blocked by the previous release's pid file naming another live process: only a held lock refuses", () => {
    const directory = dataDirectory();
    writeFileSync(path.join(directory, 'beleg.lock'), String(process.ppid));
    lockDataDirectory(directory).release();
  });
});
