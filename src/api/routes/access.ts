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

  routes.get('/collections', async (context) => context.json({ collections: await access.listCollections(context.get('caller').collections) }));
  routes.post('/collections', requireAdminRole(), async (context) => {
    const body = parseOrThrow(collectionCreateSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(await access.createCollection(body.id, body.name ?? body.id), 201);
  });
  routes.patch('/collections/:id', requireAdminRole(), async (context) => {
    const body = parseOrThrow(collectionRenameSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(await access.renameCollection(context.req.param('id'), body.name));
  });
  routes.delete('/collections/:id', requireAdminRole(), async (context) => {
    await access.deleteCollection(context.req.param('id'));
    return context.body(null, 204);
  });

  routes.get('/keys', requireAdminRole(), async (context) => context.json({ keys: await access.listKeys() }));
  routes.post('/keys', requireAdminRole(), async (context) => {
    const body = parseOrThrow(keyCreateSchema, await readJsonBody(context.req.raw), 'request body');
    return context.json(await access.createKey(body), 201);
  });
  routes.post('/keys/:id/rotate', requireAdminRole(), async (context) => context.json(await access.rotateKey(context.req.param('id'))));
  routes.delete('/keys/:id', requireAdminRole(), async (context) => {
    await access.revokeKey(context.req.param('id'));
    return context.body(null, 204);
  });

  routes.get('/audit', requireAdminRole(), async (context) => {
    const query = parseOrThrow(auditQuerySchema, context.req.query(), 'query');
    return context.json({ events: await access.auditLog(query), limit: query.limit, offset: query.offset });
  });

  return routes;
}
