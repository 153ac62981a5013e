/**
 * `beleg restore`: unpacks a backup into a new or empty data directory, after checking it whole.
 *
 * Nothing is written to the target until the backup has passed every check: the archive is
 * extracted into a temporary folder (inside an existing empty target, else beside it); the manifest must be the first entry and
 * of a format and schema level this beleg knows; every file must have the size and sha256 the
 * manifest lists, and no other file may be there; the database must pass SQLite's quick check
 * and the chunk table must read end to end, both matching the manifest's counts. Only then are
 * its entries renamed into the target (created if absent).
 *
 * The restored directory is opened by `beleg serve` like any other: the first start migrates the
 * database if this beleg is newer, and reconciles the chunks with the database exactly as after a
 * crash (see src/backup/create-backup.ts for why that makes the pair consistent). Documents that
 * were being ingested when the backup was taken are indexed again from their saved inputs.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { currentSchemaLevel, summarizeDatabase } from '../db/index.ts';
import { LanceChunkStore } from '../store/lancedb/index.ts';
import { BackupCorruptError, BackupIncompatibleError, BackupInvalidError, BackupNotFoundError, RestoreTargetNotEmptyError } from './backup-errors.ts';
import { BACKUP_FORMAT_VERSION, BACKUP_MANIFEST_FILE, backupHeaderSchema, backupManifestSchema, type BackupManifest } from './backup-manifest.ts';
import { sha256OfFile } from './create-backup.ts';
import { ArchiveReadError, extractArchive, type ArchiveEntry } from './tar-archive.ts';

export type RestoreBackupOptions = {
  /** The backup (tar) file. */
  file: string;
  /** The data directory to restore into: must not exist, or be empty. */
  dataDir: string;
};

/** A finished restore. */
export type RestoreResult = { dataDir: string; manifest: BackupManifest };

const SHA256_NAME = /^[0-9a-f]{64}$/;

/** Whether a beleg backup can contain this entry (anything else is refused, never extracted). */
function isBackupEntry(entry: ArchiveEntry): boolean {
  const name = entry.path.replace(/\/+$/, '');
  if (name.split('/').some((part) => part === '..' || part === '') || path.isAbsolute(entry.path)) return false;
  const isFile = entry.type === 'File' || entry.type === 'OldFile';
  const isDirectory = entry.type === 'Directory';
  if (name === BACKUP_MANIFEST_FILE || name === 'beleg.sqlite') return isFile;
  if (name === 'lancedb' || name === 'uploads') return isDirectory;
  if (name.startsWith('lancedb/')) return isFile || isDirectory;
  if (name.startsWith('uploads/')) return isFile && SHA256_NAME.test(name.slice('uploads/'.length));
  return false;
}

/** Restores `options.file` into `options.dataDir`; see the file comment. */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreResult> {
  const file = path.resolve(options.file);
  const dataDir = path.resolve(options.dataDir);
  if (!existsSync(file) || !statSync(file).isFile()) throw new BackupNotFoundError(file);
  assertEmptyTarget(dataDir);
  // An existing (empty) target may be a mount point or a link to another file system: unpack
  // inside it, so the final renames never cross file systems. A new target: unpack beside it.
  const existed = existsSync(dataDir);
  const parent = existed ? dataDir : path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, existed ? '.restore-' : `.${path.basename(dataDir)}.restore-`));
  try {
    const manifest = await unpackAndVerify(file, staging);
    // The restored directory holds what a data directory holds; the manifest was only for checking.
    rmSync(path.join(staging, BACKUP_MANIFEST_FILE));
    mkdirSync(path.join(staging, 'uploads'), { recursive: true });
    assertEmptyTarget(dataDir, path.basename(staging));
    mkdirSync(dataDir, { recursive: true });
    for (const name of readdirSync(staging)) renameSync(path.join(staging, name), path.join(dataDir, name));
    return { dataDir, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Throws RestoreTargetNotEmptyError unless `dataDir` is absent or an empty directory (but for restore's own `staging`). */
function assertEmptyTarget(dataDir: string, staging?: string): void {
  if (!existsSync(dataDir)) return;
  if (!statSync(dataDir).isDirectory()) throw new RestoreTargetNotEmptyError(dataDir, null);
  const entries = readdirSync(dataDir).filter((name) => name !== staging);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '');
    throw new RestoreTargetNotEmptyError(dataDir, shown);
  }
}

/** Extracts the archive into `staging` and checks everything against the manifest; returns the manifest. */
async function unpackAndVerify(file: string, staging: string): Promise<BackupManifest> {
  let entries: ArchiveEntry[];
  try {
    entries = await extractArchive(file, staging, isBackupEntry);
  } catch (error) {
    if (!(error instanceof ArchiveReadError)) throw error;
    if (error.entriesRead[0]?.path !== BACKUP_MANIFEST_FILE) throw new BackupInvalidError(file, `it cannot be read as a tar archive (${error.message})`);
    throw new BackupCorruptError(file, `the archive breaks off or is damaged after ${error.entriesRead.length} entries (${error.message})`);
  }
  if (entries[0]?.path !== BACKUP_MANIFEST_FILE) {
    throw new BackupInvalidError(file, entries.length === 0 ? 'it is an empty tar archive' : `its first entry is '${entries[0]!.path}', not ${BACKUP_MANIFEST_FILE}`);
  }
  const foreign = entries.find((entry) => !isBackupEntry(entry));
  if (foreign) throw new BackupInvalidError(file, `it contains '${foreign.path}' (${foreign.type}), which no beleg backup has`);

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(staging, BACKUP_MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new BackupCorruptError(file, `its manifest is not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const header = backupHeaderSchema.safeParse(raw);
  if (!header.success) throw new BackupInvalidError(file, `${BACKUP_MANIFEST_FILE} does not describe a beleg backup`);
  if (header.data.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupIncompatibleError(file, `its archive format is version ${header.data.formatVersion}; this beleg reads up to ${BACKUP_FORMAT_VERSION}`);
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BackupCorruptError(file, `its manifest is incomplete ('${issue.path.join('.')}': ${issue.message})`);
  }
  const manifest = parsed.data;
  const known = currentSchemaLevel();
  if ((manifest.schema.latestMigrationAt ?? 0) > (known.latestMigrationAt ?? 0)) {
    throw new BackupIncompatibleError(
      file,
      `it was written by beleg ${manifest.belegVersion} with database schema ${manifest.schema.latestMigration ?? `of ${manifest.schema.migrations} migrations`}, newer than this beleg's ${known.latestMigration}`,
    );
  }

  await verifyFiles(file, staging, manifest, entries);
  verifyDatabase(file, staging, manifest);
  await verifyChunks(file, staging, manifest);
  return manifest;
}

/** Every listed file is there with its size and sha256, and nothing else is. */
async function verifyFiles(file: string, staging: string, manifest: BackupManifest, entries: readonly ArchiveEntry[]): Promise<void> {
  const listed = new Set(manifest.files.map((listedFile) => listedFile.path));
  const extra = entries.find((entry) => entry.type !== 'Directory' && entry.path !== BACKUP_MANIFEST_FILE && !listed.has(entry.path));
  if (extra) throw new BackupCorruptError(file, `it contains '${extra.path}', which its manifest does not list`);
  for (const listedFile of manifest.files) {
    if (!isBackupEntry({ path: listedFile.path, type: 'File', bytes: listedFile.bytes })) {
      throw new BackupInvalidError(file, `its manifest lists '${listedFile.path}', which no beleg backup has`);
    }
    const absolute = path.join(staging, ...listedFile.path.split('/'));
    if (!existsSync(absolute)) throw new BackupCorruptError(file, `'${listedFile.path}' is missing`);
    const bytes = statSync(absolute).size;
    if (bytes !== listedFile.bytes) throw new BackupCorruptError(file, `'${listedFile.path}' has ${bytes} bytes, the manifest says ${listedFile.bytes}`);
    if ((await sha256OfFile(absolute)) !== listedFile.sha256) throw new BackupCorruptError(file, `the contents of '${listedFile.path}' differ from what was backed up (sha256 mismatch)`);
  }
}

/** The database is intact and holds what the manifest says. */
function verifyDatabase(file: string, staging: string, manifest: BackupManifest): void {
  let summary;
  try {
    summary = summarizeDatabase(path.join(staging, 'beleg.sqlite'));
  } catch (error) {
    throw new BackupCorruptError(file, `its database cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  const expected = JSON.stringify({ schema: manifest.schema, documents: manifest.counts.documents, readyChunks: manifest.counts.readyChunks });
  const found = JSON.stringify({ schema: summary.schema, documents: summary.documents, readyChunks: summary.readyChunks });
  if (expected !== found) throw new BackupCorruptError(file, `its database does not match its manifest (manifest ${expected}, database ${found})`);
}

/** The chunk table reads end to end at the version and size the manifest says. */
async function verifyChunks(file: string, staging: string, manifest: BackupManifest): Promise<void> {
  if (manifest.index === null) return;
  let inspection;
  try {
    inspection = await LanceChunkStore.inspect(path.join(staging, 'lancedb'));
  } catch (error) {
    throw new BackupCorruptError(file, `its chunk table cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!inspection || inspection.version !== manifest.index.tableVersion || inspection.chunks !== manifest.counts.chunks) {
    const found = inspection ? `version ${inspection.version} with ${inspection.chunks} chunks` : 'no table';
    throw new BackupCorruptError(file, `its chunk table does not match its manifest (manifest: version ${manifest.index.tableVersion} with ${manifest.counts.chunks} chunks; found ${found})`);
  }
}
