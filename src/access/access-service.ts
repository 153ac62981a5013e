/**
 * Collections, scoped API keys and the audit log over beleg's metadata database: what the admin
 * routes and `beleg keys`/`beleg collections` manage, and what authentication looks keys up in.
 */
import {
  ApiKeyRepository,
  AuditRepository,
  CollectionRepository,
  type ApiKeyInfo,
  type ApiKeyRole,
  type AuditEvent,
  type AuditEventRow,
  type BelegDatabase,
  type CollectionWithCount,
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

  constructor(db: BelegDatabase, options: { auditRetentionDays: number }) {
    this.#collections = new CollectionRepository(db);
    this.#keys = new ApiKeyRepository(db);
    this.#audit = new AuditRepository(db, options.auditRetentionDays);
  }

  // ---- collections

  listCollections(scope: CollectionScope = '*'): CollectionWithCount[] {
    return this.#collections.list(scope);
  }

  collectionExists(id: string): boolean {
    return this.#collections.find(id) !== undefined;
  }

  createCollection(id: string, name: string): CollectionWithCount {
    if (!COLLECTION_ID_PATTERN.test(id)) throw new ValidationError(userMessage('validation_failed', { where: 'request body', field: 'id', problem: 'use 1-64 lower-case letters, digits and dashes' }), { field: 'id' });
    if (!this.#collections.create(id, name)) throw new ConflictError(userMessage('conflict.collection_exists', { id }));
    return this.#collections.list([id])[0]!;
  }

  renameCollection(id: string, name: string): CollectionWithCount {
    if (!this.#collections.rename(id, name)) throw new CollectionNotFoundError(id);
    return this.#collections.list([id])[0]!;
  }

  deleteCollection(id: string): void {
    const outcome = this.#collections.remove(id);
    if (outcome === 'missing') throw new CollectionNotFoundError(id);
    if (outcome === 'not_empty') throw new ConflictError(userMessage('conflict.collection_not_empty', { id }));
  }

  // ---- keys

  /** The active stored key with this secret. */
  findKey(secret: string): KeyGrant | undefined {
    const key = this.#keys.findBySecret(secret);
    if (!key) return undefined;
    return { id: key.id, role: key.role, collections: key.collections.includes('*') ? '*' : key.collections };
  }

  hasKeys(): boolean {
    return this.#keys.activeCount() > 0;
  }

  createKey(options: { name: string; role: ApiKeyRole; collections: readonly string[] }): { key: ApiKeyInfo; secret: string } {
    for (const id of options.collections) if (id !== '*' && !this.collectionExists(id)) throw new CollectionNotFoundError(id);
    return this.#keys.create(options);
  }

  listKeys(): ApiKeyInfo[] {
    return this.#keys.list();
  }

  rotateKey(id: string): { key: ApiKeyInfo; secret: string } {
    const rotated = this.#keys.rotate(id);
    if (!rotated) throw new NotFoundError('key', id);
    return rotated;
  }

  revokeKey(id: string): void {
    if (!this.#keys.revoke(id)) throw new NotFoundError('key', id);
  }

  // ---- audit

  record(event: AuditEvent): void {
    this.#audit.record(event);
  }

  auditLog(options: { limit: number; offset: number; actor?: string; action?: AuditEventRow['action']; since?: string }): AuditEventRow[] {
    return this.#audit.list(options);
  }
}
