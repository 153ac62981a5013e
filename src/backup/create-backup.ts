/**
 * `beleg backup`: one tar file with a consistent snapshot of a data directory, taken while a
 * server uses it or while it is idle.
 *
 * The backup reads the data directory's files and never takes its lock or writes to it, so it
 * runs beside `beleg serve` (or any other beleg process) as well as alone. In order:
 *   1. uploads: the saved inputs of documents being ingested are linked (or copied) — a first pass;
 *   2. database: SQLite through its online backup API, in one read transaction (see
 *      src/db/database-snapshot.ts). This snapshot is the backup: what is ready, pending,
 *      failed or removed is what it says;
 *   3. the inputs the snapshot's jobs need and the first pass missed are linked now — a second
 *      pass; an input gone by then belonged to a document that finished after the snapshot, and
 *      that document is restored like one interrupted by a crash with its input lost (`failed`,
 *      `ingestion_interrupted`);
 *   4. chunks: the newest committed version of the LanceDB table (src/store/lancedb/copy-chunk-directory.ts),
 *      taken AFTER the database snapshot;
 *   5. the manifest (sizes and sha256 of every file) and the tar, written under a temporary name
 *      and renamed, so an interrupted backup never leaves a file that looks complete.
 *
 * Why the pair is consistent: SQLite is the source of truth and LanceDB is derived data. A
 * document's chunks are written before the commit that makes it `ready`, and deleted only after
 * the commit that removes it; so a table version taken after the snapshot holds every chunk of
 * every document ready in the snapshot, except those deleted in between (removals, retired URL
 * versions), and may hold chunks of documents not ready in the snapshot. The first start on the
 * restored directory runs the same reconciliation as after a crash: chunks of documents that are
 * not ready are removed, and ready documents whose chunks are missing are rebuilt from the texts
 * stored in SQLite, before anything is served. No document is ever half visible.
 *
 * Not included: the lock file, SQLite's -wal/-shm files (the snapshot is self-contained), and
 * models (`<dataDir>/models`: downloaded embedding models, converted GPTQ models) — they are large
 * and can be fetched or converted again; the manifest names the embedding model the chunks need.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataPaths } from '../data-paths.ts';
import { snapshotDatabase } from '../db/index.ts';
import { linkOrCopyFile } from '../link-or-copy-file.ts';
import { copyChunkDirectory } from '../store/lancedb/index.ts';
import { BelegError } from '../errors.ts';
import { BackupExistsError, BackupFailedError, BackupSourceMissingError } from './backup-errors.ts';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BACKUP_MANIFEST_FILE, type BackupManifest } from './backup-manifest.ts';
import { writeArchive } from './tar-archive.ts';

/** The steps of a backup, in order. */
export type BackupStep = 'uploads' | 'database' | 'chunks' | 'archive';

export type CreateBackupOptions = {
  /** The data directory to back up. */
  dataDir: string;
  /** The tar file to write; must not exist. Its folder is created if needed. */
  file: string;
  /**
   * Told when a step is done, before the next one begins (awaited): for progress output, and for
   * tests that change the data directory between two steps.
   */
  onStep?: (step: BackupStep) => void | Promise<void>;
};

/** A written backup. */
export type BackupResult = { file: string; bytes: number; manifest: BackupManifest };

const SHA256_NAME = /^[0-9a-f]{64}$/;
const DATABASE_ENTRY = 'beleg.sqlite';
const CHUNKS_ENTRY = 'lancedb';
const UPLOADS_ENTRY = 'uploads';

const belegVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Writes a backup of `options.dataDir` to `options.file`; see the file comment. */
export async function createBackup(options: CreateBackupOptions): Promise<BackupResult> {
  const dataDir = path.resolve(options.dataDir);
  const file = path.resolve(options.file);
  const paths = dataPaths(dataDir);
  if (!existsSync(paths.database)) throw new BackupSourceMissingError(dataDir);
  if (existsSync(file)) throw new BackupExistsError(file);
  mkdirSync(path.dirname(file), { recursive: true });
  // Beside the tar file: the staged copy is mostly hard links when that is the data directory's file system.
  const staging = mkdtempSync(path.join(path.dirname(file), `.${path.basename(file)}.staging-`));
  const partial = `${file}.partial-${process.pid}`;
  try {
    const stagedUploads = path.join(staging, UPLOADS_ENTRY);
    mkdirSync(stagedUploads);
    linkUploads(paths.uploads, stagedUploads, listUploads(paths.uploads));
    await options.onStep?.('uploads');

    const createdAt = new Date().toISOString();
    const database = await snapshotDatabase(paths.database, path.join(staging, DATABASE_ENTRY));
    await options.onStep?.('database');

    const needed = new Set(database.uploadsInUse.filter((name) => SHA256_NAME.test(name)));
    const missing = linkUploads(paths.uploads, stagedUploads, [...needed].filter((name) => !existsSync(path.join(stagedUploads, name))));
    for (const name of readdirSync(stagedUploads)) if (!needed.has(name)) rmSync(path.join(stagedUploads, name));

    const chunks = await copyChunkDirectory(paths.lancedb, path.join(staging, CHUNKS_ENTRY));
    await options.onStep?.('chunks');

    const entries = [DATABASE_ENTRY, ...(chunks ? [CHUNKS_ENTRY] : []), UPLOADS_ENTRY];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      belegVersion,
      createdAt,
      dataDirectory: dataDir,
      schema: database.schema,
      index: chunks
        ? { tableVersion: chunks.tableVersion, searchText: chunks.settings?.searchText ?? null, embeddingModelId: chunks.settings?.embeddingModelId ?? null }
        : null,
      counts: {
        documents: database.documents,
        readyChunks: database.readyChunks,
        chunks: chunks?.chunks ?? 0,
        uploads: needed.size - missing.length,
        missingUploads: missing.length,
      },
      files: await describeFiles(staging, entries),
    };
    writeFileSync(path.join(staging, BACKUP_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeArchive(partial, staging, [BACKUP_MANIFEST_FILE, ...entries]);
    const descriptor = openSync(partial, 'r');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(partial, file);
    await options.onStep?.('archive');
    return { file, bytes: statSync(file).size, manifest };
  } catch (error) {
    throw error instanceof BelegError ? error : new BackupFailedError(dataDir, error);
  } finally {
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The sha256-named files in the uploads folder (none when it does not exist). */
function listUploads(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory).filter((name) => SHA256_NAME.test(name));
}

/** Links the named uploads into `target`; returns the names that were gone. */
function linkUploads(source: string, target: string, names: readonly string[]): string[] {
  const missing: string[] = [];
  for (const name of names) {
    try {
      linkOrCopyFile(path.join(source, name), path.join(target, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(name);
    }
  }
  return missing;
}

/** Every file below the entries, with its size and sha256, as POSIX paths relative to `directory`, sorted. */
async function describeFiles(directory: string, entries: readonly string[]): Promise<BackupManifest['files']> {
  const files: BackupManifest['files'] = [];
  const visit = async (relative: string): Promise<void> => {
    const absolute = path.join(directory, relative);
    if (statSync(absolute).isDirectory()) {
      for (const name of readdirSync(absolute).sort()) await visit(path.join(relative, name));
      return;
    }
    files.push({ path: relative.split(path.sep).join('/'), bytes: statSync(absolute).size, sha256: await sha256OfFile(absolute) });
  };
  for (const entry of entries) await visit(entry);
  return files;
}

/** sha256 of a file's bytes, streamed (database files may be large). */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
