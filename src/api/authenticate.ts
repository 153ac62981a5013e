/**
 * API-key authentication. With keys configured, every protected route needs
 * `Authorization: Bearer <key>` (scheme case-insensitive, key exact). Keys are compared in
 * constant time through their SHA-256 digests, and all keys are always compared so the timing
 * does not reveal which one came close. Keys in the query string are refused on purpose: URLs end
 * up in logs and browser histories.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { KeyGrant } from '../access/access-service.ts';
import type { ApiKey } from '../config.ts';
import type { CollectionScope } from '../ingest/types.ts';
import { userMessage } from '../messages/index.ts';
import { ForbiddenError, UnauthenticatedError } from './api-errors.ts';

/**
 * Who is calling: a BELEG_API_KEYS key (by position, never the key itself; every collection), a
 * stored key (by its id; its collections), or anyone on loopback when no key exists (admin).
 */
export type Caller = { id: string; role: ApiKey['role']; collections: CollectionScope };

/** Stored keys (src/access/access-service.ts), looked up by the SHA-256 of the presented secret. */
export type StoredKeys = { findKey(secret: string): Promise<KeyGrant | undefined>; hasKeys(): Promise<boolean> };

/** Hono variables set by `authenticate`. */
export type AuthVariables = { caller: Caller };

const queryKeyNames = ['key', 'api_key', 'apikey', 'api-key', 'token', 'access_token'];

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Finds the configured key equal to `presented`, comparing against every key in constant time. */
function findKey(digests: ReadonlyArray<{ digest: Buffer; caller: Caller }>, presented: string): Caller | undefined {
  const presentedDigest = digest(presented);
  let found: Caller | undefined;
  for (const entry of digests) {
    if (timingSafeEqual(entry.digest, presentedDigest) && found === undefined) found = entry.caller;
  }
  return found;
}

/**
 * Middleware that identifies the caller. Without any key (none configured, none stored) everyone
 * is an admin caller (beleg then listens on loopback only); with keys, a missing or unknown key is
 * a 401. Stored keys are found by the SHA-256 of the presented secret (an index lookup: the hash
 * of a 256-bit secret says nothing about it).
 */
export function authenticate(keys: readonly ApiKey[], stored?: StoredKeys): MiddlewareHandler<{ Variables: AuthVariables }> {
  const digests = keys.map((key, index) => ({ digest: digest(key.key), caller: { id: `key-${index + 1}`, role: key.role, collections: '*' as const } }));
  return async (context, next) => {
    if (digests.length === 0 && !(await stored?.hasKeys())) {
      context.set('caller', { id: 'local', role: 'admin', collections: '*' });
      return next();
    }
    const header = context.req.header('authorization');
    const match = header === undefined ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      const query = new URL(context.req.url).searchParams;
      const keyInQuery = queryKeyNames.some((name) => query.has(name));
      throw new UnauthenticatedError(userMessage(keyInQuery ? 'unauthenticated.key_in_url' : 'unauthenticated'));
    }
    const grant = findKey(digests, match[1]!) ?? (await stored?.findKey(match[1]!));
    const caller: Caller | undefined = grant && { id: grant.id, role: grant.role, collections: grant.collections };
    if (!caller) throw new UnauthenticatedError(userMessage('unauthenticated.invalid_key'));
    context.set('caller', caller);
    return next();
  };
}

/** Middleware that lets only `write` and `admin` keys through (uploading and deleting documents). */
export function requireWriteRole(): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    if (context.get('caller').role === 'read') {
      throw new ForbiddenError();
    }
    return next();
  };
}

/** Middleware that lets only `admin` keys through (collections, keys, audit). */
export function requireAdminRole(): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    if (context.get('caller').role !== 'admin') {
      throw new ForbiddenError(userMessage('forbidden.admin'));
    }
    return next();
  };
}
