/**
 * The index maintenance lease for processes on one host (or on a file system that keeps POSIX
 * locks, as local disks and container volumes do; some network file systems do not): an
 * operating-system lock on `beleg-maintenance.lock.sqlite` in a local directory, the same
 * mechanism as the data directory's lock (src/db/data-directory-lock.ts): SQLite opens the file
 * with `locking_mode = EXCLUSIVE` and keeps an exclusive transaction open until `release()`. The
 * kernel drops the lock the instant its holder dies (killed with -9 too), so no pid or timestamp
 * is ever trusted, and the next process's `tryAcquire()` takes it over. The busy timeout is 0:
 * `tryAcquire()` never waits. The file is never deleted (a process opening it just before the
 * unlink would lock a file nobody else sees).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { IndexMaintenanceLease } from '../index-maintenance-lease.ts';

/** Name of the lock file in the lease's directory. */
export const MAINTENANCE_LOCK_FILE = 'beleg-maintenance.lock.sqlite';

/**
 * Connections holding a lease. better-sqlite3 closes a connection that is garbage collected,
 * which would drop the lock while its holder still runs; this keeps them reachable.
 */
const heldConnections = new Set<Database.Database>();

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** A lease held through a lock file in `directory` (created when missing); see the file comment. */
export class DirectoryMaintenanceLease implements IndexMaintenanceLease {
  readonly #file: string;
  #connection: Database.Database | null = null;

  constructor(directory: string) {
    this.#file = path.join(directory, MAINTENANCE_LOCK_FILE);
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#connection !== null) return true;
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const connection = new Database(this.#file, { timeout: 0 });
    try {
      connection.pragma('locking_mode = EXCLUSIVE');
      connection.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      connection.close();
      if (isBusy(error)) return false;
      throw error;
    }
    heldConnections.add(connection);
    this.#connection = connection;
    return true;
  }

  async release(): Promise<void> {
    const connection = this.#connection;
    if (connection === null) return;
    this.#connection = null;
    connection.exec('ROLLBACK');
    connection.close();
    heldConnections.delete(connection);
  }
}
