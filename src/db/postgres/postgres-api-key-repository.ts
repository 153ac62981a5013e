/** API keys in PostgreSQL: the same operations as ../api-key-repository.ts (SQLite); only secrets' SHA-256 is stored. */
import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import { keyInfo, newSecret, secretDigest } from '../api-key-repository.ts';
import type { ApiKeyInfo, ApiKeyRepository, ApiKeyRole } from '../metadata-repositories.ts';
import type { PostgresDatabase } from './client.ts';
import { apiKeys } from './schema.ts';

/** API keys in PostgreSQL. */
export class PostgresApiKeyRepository implements ApiKeyRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async create(options: { name: string; role: ApiKeyRole; collections: readonly string[] }): Promise<{ key: ApiKeyInfo; secret: string }> {
    const secret = newSecret();
    const [row] = await this.#db
      .insert(apiKeys)
      .values({ id: randomUUID(), name: options.name, role: options.role, collections: [...options.collections], secretSha256: secretDigest(secret) })
      .returning();
    return { key: keyInfo(row!), secret };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.#db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(keyInfo);
  }

  async rotate(id: string): Promise<{ key: ApiKeyInfo; secret: string } | undefined> {
    const secret = newSecret();
    const [row] = await this.#db
      .update(apiKeys)
      .set({ secretSha256: secretDigest(secret), rotatedAt: new Date().toISOString() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return row ? { key: keyInfo(row), secret } : undefined;
  }

  async revoke(id: string): Promise<boolean> {
    const rows = await this.#db
      .update(apiKeys)
      .set({ revokedAt: new Date().toISOString() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  async findBySecret(secret: string): Promise<ApiKeyInfo | undefined> {
    const [row] = await this.#db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.secretSha256, secretDigest(secret)), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row ? keyInfo(row) : undefined;
  }

  async activeCount(): Promise<number> {
    const [row] = await this.#db.select({ total: count() }).from(apiKeys).where(isNull(apiKeys.revokedAt));
    return row?.total ?? 0;
  }
}
