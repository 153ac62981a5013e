/**
 * Saved upload bytes, named by their sha256 under `<dataDir>/uploads/`, kept while a job needs
 * them so an interrupted ingestion can run again after a restart. A user's file name never
 * becomes part of a path. Writes go to a temporary file that is fsynced and renamed, so a saved
 * upload is complete or absent.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { UploadStore } from './upload-store.ts';

const SHA256_NAME = /^[0-9a-f]{64}$/;

export class UploadFiles implements UploadStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
    mkdirSync(directory, { recursive: true });
  }

  /** Saves `bytes` under their sha256 unless already saved. */
  async save(sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.#path(sha256);
    if (existsSync(target)) return;
    const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
    const descriptor = openSync(temporary, 'w');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, target);
  }

  /** The saved bytes, or undefined when they are gone. */
  async read(sha256: string): Promise<Uint8Array | undefined> {
    const file = this.#path(sha256);
    return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
  }

  async has(sha256: string): Promise<boolean> {
    return existsSync(this.#path(sha256));
  }

  async list(): Promise<string[]> {
    return readdirSync(this.directory).filter((name) => SHA256_NAME.test(name));
  }

  async remove(sha256: string): Promise<void> {
    rmSync(this.#path(sha256), { force: true });
  }

  /**
   * Deletes saved uploads not in `keep` and temporary files left by a killed process.
   * Returns how many files were removed.
   */
  async removeAllExcept(keep: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const name of readdirSync(this.directory)) {
      if (SHA256_NAME.test(name) && keep.has(name)) continue;
      rmSync(path.join(this.directory, name), { force: true, recursive: true });
      removed += 1;
    }
    return removed;
  }

  #path(sha256: string): string {
    if (!SHA256_NAME.test(sha256)) throw new RangeError(`Not a sha256 hex digest: '${sha256}'.`);
    return path.join(this.directory, sha256);
  }
}
