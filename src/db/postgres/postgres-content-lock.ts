/**
 * Locks per key across every process on one PostgreSQL database: a session-level advisory lock
 * (`pg_advisory_lock(hashtextextended(key, 0))`) held on a connection of a small pool of its own
 * while the task runs. The task's queries use the main pool, so tasks holding locks never wait
 * for connections that other lock holders keep. The ingestion service takes one per content hash
 * and URL: two replicas receiving the same file at once store it once, and an upload is never
 * deleted while another replica is about to need it.
 */
import type { DistributedKeyedLock } from '../metadata-repositories.ts';
import type { LeaseConnection } from './postgres-maintenance-lease.ts';

/** Advisory locks per key; see the file comment. */
export class PostgresContentLock implements DistributedKeyedLock {
  readonly #connect: () => Promise<LeaseConnection>;

  /** `connect` checks a connection out of the lock pool. */
  constructor(connect: () => Promise<LeaseConnection>) {
    this.#connect = connect;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const connection = await this.#connect();
    let broken = false;
    const onError = () => {
      broken = true;
    };
    connection.on('error', onError);
    try {
      await connection.query('select pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await task();
      } finally {
        await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {
          broken = true;
        });
      }
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      // A connection whose unlock failed is closed: closing it is what frees the lock.
      connection.release(broken);
    }
  }
}
