import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it("takes over a lock that names this process's pid but was not taken by it (a container's PID 1 after a killed run)", () => {
    const directory = dataDirectory();
    writeFileSync(path.join(directory, 'beleg.lock'), String(process.pid));
    const lock = lockDataDirectory(directory);
    expect(readFileSync(path.join(directory, 'beleg.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
  });

  it('refuses a lock held by another live process', () => {
    const directory = dataDirectory();
    writeFileSync(path.join(directory, 'beleg.lock'), String(process.ppid));
    expect(() => lockDataDirectory(directory)).toThrow(DataDirectoryLockedError);
  });
});
