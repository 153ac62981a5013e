/**
 * API keys stored in SQLite (created with `POST /keys` or `beleg keys create`). Only the SHA-256
 * of a secret is kept: a secret is shown once, when it is created or rotated. Secrets are 32
 * random bytes, so a plain SHA-256 (no slow hash) is enough to make a stolen database useless.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { BelegDatabase } from './client.ts';
import type { ApiKeyInfo, ApiKeyRepository, ApiKeyRole } from './metadata-repositories.ts';
import { apiKeys, type ApiKeyRow } from './schema.ts';


/** Prefix of every generated secret, so a leaked one is recognisable in logs and scanners. */
const SECRET_PREFIX = 'blg_';

/** SHA-256 of a secret, lower-case hex. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: the prefix and 32 random bytes. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** A stored key without its secret's hash. */
export function keyInfo(row: ApiKeyRow): ApiKeyInfo {
  const { secretSha256: _secret, ...rest } = row;
  return rest;
}

/** API keys in SQLite (the embedded default); async only to share the contract with PostgreSQL. */
export class SqliteApiKeyRepository implements ApiKeyRepository {
  readonly #db: BelegDatabase;

  constructor(db: BelegDatabase) {
    this.#db = db;
  }

  /** Creates a key; returns it with its secret (the only time the secret is known). */
  async create(options: { name: string; role: ApiKeyRole; collections: readonly string[] }): Promise<{ key: ApiKeyInfo; secret: string }> {
    const secret = newSecret();
    const row = this.#db
      .insert(apiKeys)
      .values({ id: randomUUID(), name: options.name, role: options.role, collections: [...options.collections], secretSha256: secretDigest(secret) })
      .returning()
      .get();
    return { key: keyInfo(row), secret };
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeyInfo[]> {
    return this.#db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt)).all().map(keyInfo);
  }

  /** A new secret for an active key (the old one stops working at once); undefined when there is no such active key. */
  async rotate(id: string): Promise<{ key: ApiKeyInfo; secret: string } | undefined> {
    const secret = newSecret();
    const row = this.#db
      .update(apiKeys)
      .set({ secretSha256: secretDigest(secret), rotatedAt: new Date().toISOString() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning()
      .get();
    return row ? { key: keyInfo(row), secret } : undefined;
  }

  /** Revokes a key (its row stays, for the audit); false when there is no such active key. */
  async revoke(id: string): Promise<boolean> {
    return (
      this.#db
        .update(apiKeys)
        .set({ revokedAt: new Date().toISOString() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .run().changes > 0
    );
  }

  /** The active key whose secret is `secret`, if any. */
  async findBySecret(secret: string): Promise<ApiKeyInfo | undefined> {
    const row = this.#db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.secretSha256, secretDigest(secret)), isNull(apiKeys.revokedAt)))
      .get();
    return row ? keyInfo(row) : undefined;
  }

  /** How many keys are active. */
  async activeCount(): Promise<number> {
    return this.#db.select({ total: count() }).from(apiKeys).where(isNull(apiKeys.revokedAt)).get()?.total ?? 0;
  }
}
