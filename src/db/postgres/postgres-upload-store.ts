/**
 * Saved upload bytes in PostgreSQL (`upload_blobs`), so the worker that takes a job reads what
 * whichever API replica received. Saved before the job row commits and deleted once no job needs
 * them (the ingestion service orders both under a lock per content across processes).
 */
import { sql } from 'drizzle-orm';
import type { UploadStore } from '../upload-store.ts';
import type { PostgresDatabase } from './client.ts';

/**
 * How old an unused upload must be before a start-up sweep deletes it: another replica may have
 * saved it a moment ago for a job it has not committed yet.
 */
const SWEEP_GRACE = "1 hour";

/** Upload bytes in PostgreSQL; see the file comment. */
export class PostgresUploadStore implements UploadStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async save(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.#db.execute(sql`insert into upload_blobs (sha256, bytes) values (${sha256}, ${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)}) on conflict (sha256) do nothing`);
  }

  async read(sha256: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.#db.execute<{ bytes: Buffer }>(sql`select bytes from upload_blobs where sha256 = ${sha256}`);
    const bytes = rows[0]?.bytes;
    return bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
  }

  async has(sha256: string): Promise<boolean> {
    const { rows } = await this.#db.execute(sql`select 1 from upload_blobs where sha256 = ${sha256}`);
    return rows.length > 0;
  }

  async list(): Promise<string[]> {
    const { rows } = await this.#db.execute<{ sha256: string }>(sql`select sha256 from upload_blobs`);
    return rows.map((row) => row.sha256);
  }

  async remove(sha256: string): Promise<void> {
    await this.#db.execute(sql`delete from upload_blobs where sha256 = ${sha256}`);
  }

  async removeAllExcept(keep: ReadonlySet<string>): Promise<number> {
    const { rows } = await this.#db.execute(sql`
      delete from upload_blobs b
        where b.created_at < to_char((clock_timestamp() - ${SWEEP_GRACE}::interval) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
          and not (b.sha256 = any(${sql.param([...keep])}::text[]))
          and not exists (select 1 from ingest_jobs j where j.upload_sha256 = b.sha256)
        returning b.sha256`);
    return rows.length;
  }
}
