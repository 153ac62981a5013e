/**
 * The audit table: who uploaded, deleted and asked what. A question's entry holds the question,
 * the collections searched and the ids of the cited documents, never document text. Entries older
 * than the retention are deleted as new ones are written.
 */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { BelegDatabase } from './client.ts';
import type { AuditEvent, AuditRepository } from './metadata-repositories.ts';
import { auditEvents, type AuditEventRow } from './schema.ts';


/** Prune at most once per this many writes (a delete per write would cost more than the write). */
export const PRUNE_EVERY = 100;

/** The audit log in SQLite (the embedded default); async only to share the contract with PostgreSQL. */
export class SqliteAuditRepository implements AuditRepository {
  readonly #db: BelegDatabase;
  readonly #retentionDays: number;
  #writes = 0;

  /** `retentionDays` 0 keeps entries forever. */
  constructor(db: BelegDatabase, retentionDays: number) {
    this.#db = db;
    this.#retentionDays = retentionDays;
  }

  async record(event: AuditEvent): Promise<void> {
    this.#db.insert(auditEvents).values(event).run();
    if (this.#writes++ % PRUNE_EVERY === 0) await this.prune();
  }

  /** Deletes entries older than the retention. */
  async prune(now = new Date()): Promise<number> {
    if (this.#retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.#retentionDays * 86_400_000).toISOString();
    return this.#db.delete(auditEvents).where(lt(auditEvents.at, cutoff)).run().changes;
  }

  /** Newest entries first. */
  async list(options: { limit: number; offset: number; actor?: string; action?: AuditEventRow['action']; since?: string }): Promise<AuditEventRow[]> {
    const filters: SQL[] = [];
    if (options.actor) filters.push(eq(auditEvents.actor, options.actor));
    if (options.action) filters.push(eq(auditEvents.action, options.action));
    if (options.since) filters.push(gte(auditEvents.at, options.since));
    return this.#db
      .select()
      .from(auditEvents)
      .where(filters.length > 0 ? and(...filters) : undefined)
      .orderBy(desc(auditEvents.id))
      .limit(options.limit)
      .offset(options.offset)
      .all();
  }
}
