/**
 * The one place that decides which collections a request may use: the key's collections, narrowed
 * to those the request names. Every route that reads, lists, deletes, uploads or asks takes its
 * scope from here, and hands it to the query (never filters results afterwards).
 */
import { DEFAULT_COLLECTION_ID } from '../access/access-service.ts';
import { CollectionNotFoundError } from '../errors.ts';
import type { CollectionScope } from '../ingest/types.ts';
import { userMessage } from '../messages/index.ts';
import { ForbiddenError } from './api-errors.ts';
import type { Caller } from './authenticate.ts';

/** Whether a collection exists (AccessService; without one only `allgemein` does). */
export type CollectionLookup = (id: string) => boolean | Promise<boolean>;

/** The default lookup for apps without collections: only `allgemein` exists. */
export const onlyDefaultCollection: CollectionLookup = (id) => id === DEFAULT_COLLECTION_ID;

async function assertUsable(caller: Caller, id: string, exists: CollectionLookup): Promise<void> {
  // A key never learns whether a collection outside its own exists.
  if (caller.collections !== '*' && !caller.collections.includes(id)) throw new ForbiddenError(userMessage('forbidden_collection', { id }));
  if (!(await exists(id))) throw new CollectionNotFoundError(id);
}

/**
 * The collections a read (ask, list) may use: the key's, or the named ones when the key may use
 * them all (forbidden_collection otherwise; collection_not_found for an unknown one).
 */
export async function readScope(caller: Caller, requested: readonly string[] | undefined, exists: CollectionLookup): Promise<CollectionScope> {
  if (requested === undefined || requested.length === 0) return caller.collections;
  const unique = [...new Set(requested)];
  for (const id of unique) await assertUsable(caller, id, exists);
  return unique;
}

/** The collection an upload goes into: the named one, else `allgemein` for an unscoped key, else the key's first collection. */
export async function uploadCollection(caller: Caller, requested: string | undefined, exists: CollectionLookup): Promise<string> {
  const id = requested ?? (caller.collections === '*' || caller.collections.length === 0 ? DEFAULT_COLLECTION_ID : caller.collections[0]!);
  await assertUsable(caller, id, exists);
  return id;
}

/** Parses `collectionIds=a,b` (or repeated) from a query. */
export function collectionIdsFromQuery(values: readonly string[]): string[] | undefined {
  const ids = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
  return ids.length > 0 ? ids : undefined;
}
