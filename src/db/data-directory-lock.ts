/**
 * One beleg process per data directory: start-up reconciliation treats every `indexing` document
 * as interrupted, which is only true when no other process is indexing.
 *
 * The lock is an operating-system lock on an open file, so the kernel releases it the instant its
 * holder dies — killed with -9, crashed, or a zombie its parent has not reaped yet — and no pid is
 * ever guessed at (a pid in a file names a live process far too often: a restarted container's
 * server is pid 1 again). It is SQLite's own POSIX locking, through better-sqlite3: the empty
 * database `beleg.lock.sqlite` is opened with `locking_mode = EXCLUSIVE` and an exclusive
 * transaction that stays open until `release()`. The busy timeout is 0, so a second process (or a
 * second open in the same process) is refused at once. POSIX locks are only as good as the file
 * system: local disks and container volumes keep them, some network file systems do not.
 *
 * The lock file is never deleted: a process that opened it just before the unlink would lock the
 * old file while the next one locks a new file, and both would run.
 *
 * `beleg.lock.json` says who holds the lock (pid, start time, and a server's URL once it listens),
 * for error messages and for the CLI to find a running server. It is only read while the lock is
 * held by someone else; one left behind by a killed process is harmless and rewritten by the next
 * holder. The release before this one wrote its pid as text to `beleg.lock` and trusted it; such a
 * file is ignored and removed once the lock is taken.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { BelegError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

const LOCK_FILE = 'beleg.lock.sqlite';
const HOLDER_FILE = 'beleg.lock.json';
/** The pid file of the release before this one. */
const LEGACY_LOCK_FILE = 'beleg.lock';

/** Who holds a data directory, as its holder wrote it to `beleg.lock.json`. */
export const dataDirectoryHolderSchema = z.object({
  pid: z.number().int().positive(),
  /** When the holder took the lock (ISO 8601). */
  startedAt: z.string(),
  /** Where the holder serves beleg's HTTP API; null when it does not (yet). */
  url: z.string().nullable(),
});
export type DataDirectoryHolder = z.infer<typeof dataDirectoryHolderSchema>;

/** The catalogue message for a refusal: what is known about the holder decides which. */
function lockedMessage(dataDir: string, holder: DataDirectoryHolder | null) {
  if (holder === null) return userMessage('data_directory_locked', { dataDir });
  if (holder.url !== null) return userMessage('data_directory_locked.server', { dataDir, url: holder.url, pid: holder.pid });
  return userMessage('data_directory_locked.process', { dataDir, pid: holder.pid });
}

/** Another live process holds the data directory. `holder` says who, when it could be read. */
export class DataDirectoryLockedError extends BelegError {
  readonly holder: DataDirectoryHolder | null;

  constructor(dataDir: string, holder: DataDirectoryHolder | null) {
    super(lockedMessage(dataDir, holder), { details: { dataDir, pid: holder?.pid ?? null, url: holder?.url ?? null } });
    this.holder = holder;
  }
}

/** A held lock. */
export type DataDirectoryLock = {
  /** Records where this process serves the HTTP API (null: no longer), for the CLI and for messages. */
  announce(url: string | null): void;
  /** Releases the lock (the kernel does it too when the process dies). */
  release(): void;
};

/**
 * Connections of the locks this process holds. better-sqlite3 closes a connection that is garbage
 * collected, which would drop the lock while the holder still runs; this keeps them reachable
 * until `release()`.
 */
const heldConnections = new Set<Database.Database>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who holds the data directory, read from `beleg.lock.json`; null when nobody wrote it, it cannot
 * be read, or the process it names is gone (then it was left by a killed holder). Meaningful only
 * while the lock is held by someone else.
 */
export function readDataDirectoryHolder(dataDir: string): DataDirectoryHolder | null {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8');
  } catch {
    return null;
  }
  let parsed: ReturnType<typeof dataDirectoryHolderSchema.safeParse>;
  try {
    parsed = dataDirectoryHolderSchema.safeParse(JSON.parse(text));
  } catch {
    return null;
  }
  return parsed.success && isAlive(parsed.data.pid) ? parsed.data : null;
}

/** Replaces `beleg.lock.json` whole (write, then rename), so a reader never sees half of it. */
function writeHolder(dataDir: string, holder: DataDirectoryHolder): void {
  const file = path.join(dataDir, HOLDER_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  renameSync(temporary, file);
}

/** Removes the previous release's `beleg.lock` when it holds a pid: this lock replaces it. */
function removeLegacyLock(dataDir: string): void {
  const file = path.join(dataDir, LEGACY_LOCK_FILE);
  try {
    if (/^\s*\d+\s*$/.test(readFileSync(file, 'utf8'))) rmSync(file, { force: true });
  } catch {
    // No legacy lock (or unreadable): nothing to tidy.
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** Takes the lock of `dataDir` (which must exist) or throws DataDirectoryLockedError; see the file comment. */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const connection = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    connection.pragma('locking_mode = EXCLUSIVE');
    connection.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    connection.close();
    if (isBusy(error)) throw new DataDirectoryLockedError(dataDir, readDataDirectoryHolder(dataDir));
    throw error;
  }
  heldConnections.add(connection);
  removeLegacyLock(dataDir);
  const holder: DataDirectoryHolder = { pid: process.pid, startedAt: new Date().toISOString(), url: null };
  writeHolder(dataDir, holder);
  let released = false;
  return {
    announce(url) {
      if (!released) writeHolder(dataDir, { ...holder, url });
    },
    release() {
      if (released) return;
      released = true;
      // The description goes first: once the lock is free, the next holder writes its own.
      rmSync(path.join(dataDir, HOLDER_FILE), { force: true });
      connection.exec('ROLLBACK');
      connection.close();
      heldConnections.delete(connection);
    },
  };
}
