/**
 * API-key authentication. With keys configured, every protected route needs
 * `Authorization: Bearer <key>` (scheme case-insensitive, key exact). Keys are compared in
 * constant time through their SHA-256 digests, and all keys are always compared so the timing
 * does not reveal which one came close. Keys in the query string are refused on purpose: URLs end
 * up in logs and browser histories.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ApiKey } from '../config.ts';
import { userMessage } from '../messages/index.ts';
import { ForbiddenError, UnauthenticatedError } from './api-errors.ts';

/** Who is calling: a configured key (by position, never the key itself) or anyone on loopback. */
export type Caller = { id: string; role: ApiKey['role'] };

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
 * Middleware that identifies the caller. Without configured keys everyone is a `write` caller
 * (beleg then listens on loopback only); with keys, a missing or unknown key is a 401.
 */
export function authenticate(keys: readonly ApiKey[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  const digests = keys.map((key, index) => ({ digest: digest(key.key), caller: { id: `key-${index + 1}`, role: key.role } }));
  return async (context, next) => {
    if (digests.length === 0) {
      context.set('caller', { id: 'local', role: 'write' });
      return next();
    }
    const header = context.req.header('authorization');
    const match = header === undefined ? null : /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      const query = new URL(context.req.url).searchParams;
      const keyInQuery = queryKeyNames.some((name) => query.has(name));
      throw new UnauthenticatedError(userMessage(keyInQuery ? 'unauthenticated.key_in_url' : 'unauthenticated'));
    }
    const caller = findKey(digests, match[1]!);
    if (!caller) throw new UnauthenticatedError(userMessage('unauthenticated.invalid_key'));
    context.set('caller', caller);
    return next();
  };
}

/** Middleware that lets only `write` keys through (uploading and deleting documents). */
export function requireWriteRole(): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    if (context.get('caller').role !== 'write') {
      throw new ForbiddenError();
    }
    return next();
  };
}
