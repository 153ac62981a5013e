/** Temporary data directories for storage tests, removed after each test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

/** A fresh empty directory under the OS temp dir. */
export function temporaryDirectory(prefix = 'beleg-storage-'): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(directory);
  return directory;
}

/** Removes every directory made by {@link temporaryDirectory}. */
export function removeTemporaryDirectories(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
}
