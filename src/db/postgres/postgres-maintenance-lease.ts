/**
 * The index maintenance lease (src/store/index-maintenance-lease.ts) for processes on several hosts
 * that share one PostgreSQL metadata database: a session-level advisory lock
 * (`pg_try_advisory_lock`) held on one connection of the pool for as long as this process maintains
 * the chunk table's indexes. PostgreSQL drops the lock the moment that connection ends — the holder
 * exits, is killed, or loses its network — and the next process's `tryAcquire()` takes it over.
 *
 * A holder whose connection broke has lost the lease even though it still runs; the chunk store
 * keeps maintaining until it restarts, so for a while two processes may optimize. LanceDB's commit
 * protocol keeps that safe (the loser retries or finds the work done); it only costs work twice.
 */
import type { IndexMaintenanceLease } from '../../store/index-maintenance-lease.ts';

/** The advisory lock key of the lease (any fixed 64-bit number; this one spells "beleg-ma"). */
export const MAINTENANCE_LOCK_KEY = 0x62656c65672d6d61n;

/** What the lease needs of a pooled connection (node-postgres' PoolClient has it). */
export type LeaseConnection = {
  query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** Returns the connection to the pool; `true` closes it instead. */
  release(destroy?: boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
};

/** A lease held through an advisory lock; see the file comment. */
export class PostgresMaintenanceLease implements IndexMaintenanceLease {
  readonly #connect: () => Promise<LeaseConnection>;
  #held: LeaseConnection | null = null;

  /** `connect` checks a connection out of the pool (e.g. `() => pool.connect()`). */
  constructor(connect: () => Promise<LeaseConnection>) {
    this.#connect = connect;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.#held) return true;
    const connection = await this.#connect();
    // A broken connection must not crash the process; with it the lock is gone, and it goes back
    // to the pool closed (a connection never released would keep the pool from ending).
    connection.on('error', () => {
      if (this.#held !== connection) return;
      this.#held = null;
      connection.release(true);
    });
    try {
      const { rows } = await connection.query('select pg_try_advisory_lock($1::bigint) as acquired', [MAINTENANCE_LOCK_KEY.toString()]);
      if (rows[0]?.acquired === true) {
        this.#held = connection;
        return true;
      }
      connection.release();
      return false;
    } catch (error) {
      connection.release(true);
      throw error;
    }
  }

  async release(): Promise<void> {
    const connection = this.#held;
    this.#held = null;
    if (!connection) return;
    try {
      await connection.query('select pg_advisory_unlock($1::bigint)', [MAINTENANCE_LOCK_KEY.toString()]);
      connection.release();
    } catch {
      // The connection is broken: closing it is what frees the lock.
      connection.release(true);
    }
  }
}
