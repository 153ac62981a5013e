/**
 * Admin routes: collections (`/collections`; listing is open to every key, for its own
 * collections, with document counts), API keys (`/keys`: create, list without secrets, rotate,
 * revoke) and the audit log (`/audit`).
 */
import { Hono } from 'hono';
import type { AccessService } from '../../access/access-service.ts';
import type { AppEnvironment } from '../app-environment.ts';
import { requireAdminRole } from '../authenticate.ts';
import { readJsonBody } from '../read-json.ts';
import { auditQuerySchema, collectionCreateSchema, collectionRenameSchema, keyCreateSchema, parseOrThrow } from '../schemas.ts';

/** The admin routes, mounted at the app root. */
export function accessRoutes(access: AccessService): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();

  routes.get('/collections', (context) => context.json({ collections: access.listCollections(context.get('caller').collections) }));
  routes.post('/collections', requireAdminRole(), async (context) => {
    const body = parseOrThrow(collectionCreateSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(access.createCollection(body.id, body.name ?? body.id), 201);
  });
  routes.patch('/collections/:id', requireAdminRole(), async (context) => {
    const body = parseOrThrow(collectionRenameSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(access.renameCollection(context.req.param('id'), body.name));
  });
  routes.delete('/collections/:id', requireAdminRole(), (context) => {
    access.deleteCollection(context.req.param('id'));
    return context.body(null, 204);
  });

  routes.get('/keys', requireAdminRole(), (context) => context.json({ keys: access.listKeys() }));
  routes.post('/keys', requireAdminRole(), async (context) => {
    const body = parseOrThrow(keyCreateSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(access.createKey(body), 201);
  });
  routes.post('/keys/:id/rotate', requireAdminRole(), (context) => context.json(access.rotateKey(context.req.param('id'))));
  routes.delete('/keys/:id', requireAdminRole(), (context) => {
    access.revokeKey(context.req.param('id'));
    return context.body(null, 204);
  });

  routes.get('/audit', requireAdminRole(), (context) => {
    const query = parseOrThrow(auditQuerySchema, context.req.query(), 'query');
    return context.json({ events: access.auditLog(query), limit: query.limit, offset: query.offset });
  });

  return routes;
}
