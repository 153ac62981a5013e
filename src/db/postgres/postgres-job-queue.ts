/**
 * The work queue of a deployment with several processes (issue 17): ingestion jobs stay rows of
 * `ingest_jobs`, and a worker takes some with `FOR UPDATE SKIP LOCKED` (two workers asking at once
 * never get the same job, and neither waits for the other) by writing itself into `lease_owner`
 * until `lease_expires_at`. The worker renews its leases while it works (a heartbeat every third of
 * the lease) and checks it still holds them right before it writes chunks and before it commits
 * `ready`/`failed`. A worker killed mid-job stops renewing; once the lease has run out the next
 * worker that asks takes the job, sees an earlier attempt and deletes that attempt's chunks before
 * writing its own, so the document ends ready once with one set of chunks.
 *
 * Times come from the database's clock (`now()`), never a worker's, so clocks of several hosts
 * need not agree.
 */
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { JobQueue } from '../metadata-repositories.ts';
import type { PostgresDatabase } from './client.ts';

/** A lease owner name: host, process id and a random part (a restarted process on the same pid is another owner). */
export function leaseOwnerName(): string {
  return `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

/** Ingestion jobs in PostgreSQL as a queue with leases; see the file comment. */
export class PostgresJobQueue implements JobQueue {
  readonly owner: string;
  readonly #db: PostgresDatabase;
  readonly #leaseMs: number;

  constructor(db: PostgresDatabase, leaseMs: number, owner = leaseOwnerName()) {
    this.#db = db;
    this.#leaseMs = leaseMs;
    this.owner = owner;
  }

  async claim(limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const { rows } = await this.#db.execute<{ document_id: string }>(sql`
      with claimable as (
        select j.document_id from ingest_jobs j
        where j.lease_expires_at is null or j.lease_expires_at < now()
        order by j.created_at, j.document_id
        limit ${limit}
        for update skip locked
      )
      update ingest_jobs j
        set lease_owner = ${this.owner}, lease_expires_at = now() + ${this.#leaseMs} * interval '1 millisecond'
        from claimable
        where j.document_id = claimable.document_id
        returning j.document_id`);
    return rows.map((row) => row.document_id);
  }

  async renew(documentIds: readonly string[]): Promise<Set<string>> {
    if (documentIds.length === 0) return new Set();
    const { rows } = await this.#db.execute<{ document_id: string }>(sql`
      update ingest_jobs
        set lease_expires_at = now() + ${this.#leaseMs} * interval '1 millisecond'
        where lease_owner = ${this.owner} and document_id = any(${sql.param([...documentIds])}::text[])
        returning document_id`);
    return new Set(rows.map((row) => row.document_id));
  }

  async release(documentIds: readonly string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.#db.execute(sql`
      update ingest_jobs set lease_owner = null, lease_expires_at = null
        where lease_owner = ${this.owner} and document_id = any(${sql.param([...documentIds])}::text[])`);
  }

  async depth(): Promise<{ waiting: number; leased: number }> {
    const { rows } = await this.#db.execute<{ waiting: string; leased: string }>(sql`
      select count(*) filter (where lease_expires_at is null or lease_expires_at < now()) as waiting,
             count(*) filter (where lease_expires_at >= now()) as leased
        from ingest_jobs`);
    return { waiting: Number(rows[0]?.waiting ?? 0), leased: Number(rows[0]?.leased ?? 0) };
  }
}
