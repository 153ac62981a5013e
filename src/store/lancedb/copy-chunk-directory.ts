/**
 * A copy of one committed version of the chunk table, taken beside a live writer, for backups.
 *
 * A LanceDB table is a directory of files that are written once and never changed: data files,
 * deletion files, index files, and one manifest per version (`_versions/*.manifest`) listing the
 * files that make up that version. A commit writes its new files first and its manifest last. So
 * a version is copied by picking the newest manifest, then linking (or copying) every other file
 * there is: all files of that version were written before its manifest and are in the listing.
 * Only the chosen manifest is kept, so the copy's newest — and only — version is the chosen one;
 * files of later commits that land in the copy are unreferenced and ignored. LanceDB's mutable
 * hint file (`latest_version_hint.json`) is left out; LanceDB then finds the version by listing.
 *
 * The one way a live writer can spoil this: pruning (`optimize`, versions older than ten
 * minutes) deletes a file of the chosen version before it is linked — possible only when that
 * version is over ten minutes old and a newer one is committed meanwhile. The copy is therefore
 * read end to end (`LanceChunkStore.inspect`) and taken again, from the newer version, if it fails.
 *
 * `beleg-index.json` (what built the derived columns) is read before the version is picked: it is
 * written only after a rebuild has finished, so the copied version is at least as new as what the
 * copied settings describe, and a rebuild in progress is simply done again after restore.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { linkOrCopyFile } from '../../link-or-copy-file.ts';
import { CHUNKS_TABLE } from './chunk-table-schema.ts';
import type { IndexSettings } from './index-settings.ts';
import { LanceChunkStore } from './lancedb-chunk-store.ts';

/** What was copied. */
export type ChunkDirectoryCopy = {
  /** The version of the `chunks` table the copy holds. */
  tableVersion: number;
  chunks: number;
  chunksByDocument: Map<string, number>;
  /** The search text and embedding model the copied chunks were built with; null when not recorded. */
  settings: IndexSettings | null;
};

const SETTINGS_FILE = 'beleg-index.json';
const VERSIONS_DIRECTORY = '_versions';
/** LanceDB's version-2 manifest names count down from 2^64 − 1, so the newest sorts first. */
const MANIFEST_NAME_BASE = 2n ** 64n - 1n;
const ATTEMPTS = 5;

/**
 * Copies the newest committed version of the LanceDB directory `source` (`<dataDir>/lancedb`)
 * into `target` (created; replaced if present) and checks the copy by reading it. Returns null
 * when `source` holds no chunk table. Throws when no attempt gave a readable copy.
 */
export async function copyChunkDirectory(source: string, target: string): Promise<ChunkDirectoryCopy | null> {
  if (!existsSync(path.join(source, `${CHUNKS_TABLE}.lance`, VERSIONS_DIRECTORY))) return null;
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    try {
      const settings = readOptional(path.join(source, SETTINGS_FILE));
      if (settings !== undefined) writeFileSync(path.join(target, SETTINGS_FILE), settings);
      let tableVersion: number | undefined;
      for (const entry of readdirSync(source, { withFileTypes: true })) {
        if (!entry.isDirectory() || !existsSync(path.join(source, entry.name, VERSIONS_DIRECTORY))) continue;
        const version = copyDatasetVersion(path.join(source, entry.name), path.join(target, entry.name));
        if (entry.name === `${CHUNKS_TABLE}.lance`) tableVersion = version;
      }
      if (tableVersion === undefined) throw new Error(`'${source}' holds no '${CHUNKS_TABLE}' table`);
      const inspection = await LanceChunkStore.inspect(target);
      if (!inspection) throw new Error(`the copy of '${source}' holds no '${CHUNKS_TABLE}' table`);
      if (inspection.version !== tableVersion) throw new Error(`the copy opened at version ${inspection.version}, not the copied ${tableVersion}`);
      return { tableVersion, chunks: inspection.chunks, chunksByDocument: inspection.chunksByDocument, settings: inspection.settings };
    } catch (error) {
      lastError = error;
    }
  }
  rmSync(target, { recursive: true, force: true });
  throw new Error(`Could not copy a readable version of the chunk table in '${source}' (${ATTEMPTS} attempts): ${String(lastError)}`, { cause: lastError });
}

/** Copies one LanceDB dataset (a table, or the directory's table list) at its newest version; returns that version. */
function copyDatasetVersion(source: string, target: string): number {
  const manifests = readdirSync(path.join(source, VERSIONS_DIRECTORY))
    .map((name) => ({ name, version: manifestVersion(name) }))
    .filter((manifest): manifest is { name: string; version: bigint } => manifest.version !== null);
  if (manifests.length === 0) throw new Error(`'${source}' has no committed version`);
  const newest = manifests.reduce((best, manifest) => (manifest.version > best.version ? manifest : best));
  mkdirSync(path.join(target, VERSIONS_DIRECTORY), { recursive: true });
  // The chosen manifest must be there: a missing one fails this attempt.
  linkOrCopyFile(path.join(source, VERSIONS_DIRECTORY, newest.name), path.join(target, VERSIONS_DIRECTORY, newest.name));
  copyFilesBelow(source, target, '');
  return Number(newest.version);
}

/**
 * The version a manifest file names: `<2^64 − 1 − version>.manifest` (LanceDB's current naming)
 * or `<version>.manifest` (older tables); null for any other file (hints, temporary files).
 */
function manifestVersion(name: string): bigint | null {
  const match = /^(\d+)\.manifest$/.exec(name);
  if (!match) return null;
  const number = BigInt(match[1]!);
  return number > 2n ** 63n ? MANIFEST_NAME_BASE - number : number;
}

/**
 * Links every file below `source/relative` into `target`, except manifests and temporary files.
 * A file that is gone by the time it is linked was deleted by pruning; if the copied version
 * needed it, reading the copy fails and the copy is taken again.
 */
function copyFilesBelow(source: string, target: string, relative: string): void {
  let entries;
  try {
    entries = readdirSync(path.join(source, relative), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const name = path.join(relative, entry.name);
    // `#` marks object_store's files still being written (renamed into place when complete).
    if (entry.name.includes('#') || entry.name.endsWith('.tmp')) continue;
    if (entry.isDirectory()) {
      if (name === VERSIONS_DIRECTORY) continue;
      mkdirSync(path.join(target, name), { recursive: true });
      copyFilesBelow(source, target, name);
    } else if (entry.isFile()) {
      try {
        linkOrCopyFile(path.join(source, name), path.join(target, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
}

function readOptional(file: string): Buffer | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
