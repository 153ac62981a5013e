/** The audit log in PostgreSQL: the same operations as ../audit-repository.ts (SQLite). */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { PRUNE_EVERY } from '../audit-repository.ts';
import type { AuditEvent, AuditRepository } from '../metadata-repositories.ts';
import type { AuditEventRow } from '../schema.ts';
import type { PostgresDatabase } from './client.ts';
import { auditEvents } from './schema.ts';

/** The audit log in PostgreSQL. */
export class PostgresAuditRepository implements AuditRepository {
  readonly #db: PostgresDatabase;
  readonly #retentionDays: number;
  #writes = 0;

  /** `retentionDays` 0 keeps entries forever. */
  constructor(db: PostgresDatabase, retentionDays: number) {
    this.#db = db;
    this.#retentionDays = retentionDays;
  }

  async record(event: AuditEvent): Promise<void> {
    await this.#db.insert(auditEvents).values(event);
    if (this.#writes++ % PRUNE_EVERY === 0) await this.prune();
  }

  async prune(now = new Date()): Promise<number> {
    if (this.#retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.#retentionDays * 86_400_000).toISOString();
    const deleted = await this.#db.delete(auditEvents).where(lt(auditEvents.at, cutoff)).returning({ id: auditEvents.id });
    return deleted.length;
  }

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
      .offset(options.offset);
  }
}
