/**
 * Collections, scoped API keys and the audit log over beleg's metadata database: what the admin
 * routes and `beleg keys`/`beleg collections` manage, and what authentication looks keys up in.
 */
import type {
  ApiKeyInfo,
  ApiKeyRepository,
  ApiKeyRole,
  AuditEvent,
  AuditEventRow,
  AuditRepository,
  CollectionRepository,
  CollectionWithCount,
  MetadataDatabase,
} from '../db/index.ts';
import { CollectionNotFoundError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';

export { DEFAULT_COLLECTION_ID } from '../db/index.ts';
import { userMessage } from '../messages/index.ts';
import type { CollectionScope } from '../ingest/types.ts';

/** A collection id: 1–64 lower-case letters, digits and dashes, starting with a letter or digit. */
export const COLLECTION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A key found by its secret: who it is and what it may use. */
export type KeyGrant = { id: string; role: ApiKeyRole; collections: CollectionScope };

export class AccessService {
  readonly #collections: CollectionRepository;
  readonly #keys: ApiKeyRepository;
  readonly #audit: AuditRepository;

  constructor(database: Pick<MetadataDatabase, 'collections' | 'apiKeys' | 'audit'>, options: { auditRetentionDays: number }) {
    this.#collections = database.collections;
    this.#keys = database.apiKeys;
    this.#audit = database.audit(options.auditRetentionDays);
  }

  // ---- collections

  async listCollections(scope: CollectionScope = '*'): Promise<CollectionWithCount[]> {
    return this.#collections.list(scope);
  }

  async collectionExists(id: string): Promise<boolean> {
    return (await this.#collections.find(id)) !== undefined;
  }

  async createCollection(id: string, name: string): Promise<CollectionWithCount> {
    if (!COLLECTION_ID_PATTERN.test(id)) throw new ValidationError(userMessage('validation_failed', { where: 'request body', field: 'id', problem: 'use 1-64 lower-case letters, digits and dashes' }), { field: 'id' });
    if (!(await this.#collections.create(id, name))) throw new ConflictError(userMessage('conflict.collection_exists', { id }));
    return (await this.#collections.list([id]))[0]!;
  }

  async renameCollection(id: string, name: string): Promise<CollectionWithCount> {
    if (!(await this.#collections.rename(id, name))) throw new CollectionNotFoundError(id);
    return (await this.#collections.list([id]))[0]!;
  }

  async deleteCollection(id: string): Promise<void> {
    const outcome = await this.#collections.remove(id);
    if (outcome === 'missing') throw new CollectionNotFoundError(id);
    if (outcome === 'not_empty') throw new ConflictError(userMessage('conflict.collection_not_empty', { id }));
  }

  // ---- keys

  /** The active stored key with this secret. */
  async findKey(secret: string): Promise<KeyGrant | undefined> {
    const key = await this.#keys.findBySecret(secret);
    if (!key) return undefined;
    return { id: key.id, role: key.role, collections: key.collections.includes('*') ? '*' : key.collections };
  }

  async hasKeys(): Promise<boolean> {
    return (await this.#keys.activeCount()) > 0;
  }

  async createKey(options: { name: string; role: ApiKeyRole; collections: readonly string[] }): Promise<{ key: ApiKeyInfo; secret: string }> {
    for (const id of options.collections) if (id !== '*' && !(await this.collectionExists(id))) throw new CollectionNotFoundError(id);
    return this.#keys.create(options);
  }

  async listKeys(): Promise<ApiKeyInfo[]> {
    return this.#keys.list();
  }

  async rotateKey(id: string): Promise<{ key: ApiKeyInfo; secret: string }> {
    const rotated = await this.#keys.rotate(id);
    if (!rotated) throw new NotFoundError('key', id);
    return rotated;
  }

  async revokeKey(id: string): Promise<void> {
    if (!(await this.#keys.revoke(id))) throw new NotFoundError('key', id);
  }

  // ---- audit

  async record(event: AuditEvent): Promise<void> {
    await this.#audit.record(event);
  }

  async auditLog(options: { limit: number; offset: number; actor?: string; action?: AuditEventRow['action']; since?: string }): Promise<AuditEventRow[]> {
    return this.#audit.list(options);
  }
}
