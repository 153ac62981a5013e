/**
 * The HTTP application (hono). The only layer that knows HTTP: it turns the answer contract and
 * beleg's errors into responses. Services come in through `createApp`, so tests run the real app
 * with in-memory fakes and `beleg serve` plugs in the real ones.
 *
 * Order matters: the request id and log line, request metrics and the body limit wrap everything; the web page, `/health`,
 * `/openapi.json` and `/docs` are public; every route registered after `authenticate` needs a key
 * (when keys are configured), including paths that do not exist.
 *
 * A worker process (`config.role === 'worker'`) serves only `/health` and `/metrics`: it indexes
 * documents from the shared work queue and answers nothing else (404 `not_found`).
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import type { AccessService } from '../access/access-service.ts';
import type { Answerer } from '../answer/answer-contract.ts';
import type { Config } from '../config.ts';
import type { Ingestion } from '../ingest/types.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { RequestTooLargeError, RouteNotFoundError } from './api-errors.ts';
import type { AppEnvironment } from './app-environment.ts';
import { authenticate } from './authenticate.ts';
import { renderDocsPage } from './docs-page.ts';
import { respondWithError } from './error-response.ts';
import { GenerationSlots } from './generation-slots.ts';
import { checkHealth, defaultHealthProbe, type HealthProbe } from './health.ts';
import { Metrics } from './metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { RateLimiter, rateLimit } from './rate-limit.ts';
import { requestLog, routeLabel } from './request-log.ts';
import { accessRoutes } from './routes/access.ts';
import { askRoutes } from './routes/ask.ts';
import { documentRoutes } from './routes/documents.ts';
import { webRoutes } from './web-assets.ts';

/** An audit entry as the routes hand it over. */
type AuditEvent = { actor: string; action: 'upload' | 'delete' | 'move' | 'ask'; documentId?: string; question?: string; collectionIds: string[]; citedDocumentIds?: string[] };

export type AppDependencies = {
  config: Config;
  ingestion: Ingestion;
  answerer: Answerer;
  /** Storage and embedding-model checks for `/health`; derived from the services when absent. */
  health?: HealthProbe;
  /**
   * Collections, stored keys and the audit log; without it there is one collection (`allgemein`),
   * only BELEG_API_KEYS authenticate and nothing is audited.
   */
  access?: AccessService;
  /** Where request lines and unexpected errors go; nothing is logged without one. */
  logger?: Logger;
};

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Longest incoming `X-Request-Id` kept; a longer one is replaced by a fresh id. */
const MAX_REQUEST_ID_LENGTH = 128;

/** Builds the application. */
export function createApp(dependencies: AppDependencies): Hono<AppEnvironment> {
  const { config, ingestion, answerer } = dependencies;
  const metrics = new Metrics();
  const slots = new GenerationSlots({
    maxConcurrent: config.limits.maxConcurrentGenerations,
    maxQueued: config.limits.maxQueuedGenerations,
    queueTimeoutMs: config.limits.queueTimeoutMs,
  });
  const rateLimiter = new RateLimiter(config.limits.rateLimitPerMinute);
  const healthProbe = dependencies.health ?? defaultHealthProbe(config, ingestion);
  const openApiDocument = JSON.stringify(buildOpenApiDocument(packageVersion, { maxQuestionChars: config.limits.maxQuestionChars }));
  const docsPage = renderDocsPage();

  const app = new Hono<AppEnvironment>();

  app.use('*', requestId({ limitLength: MAX_REQUEST_ID_LENGTH }), requestLog(dependencies.logger ?? silentLogger));
  app.use('*', async (context, next) => {
    const startedAt = performance.now();
    await next();
    metrics.observeRequest(context.req.method, routeLabel(context), context.res.status, (performance.now() - startedAt) / 1000);
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: config.limits.maxRequestBytes,
      onError: () => {
        throw new RequestTooLargeError(config.limits.maxRequestBytes);
      },
    }),
  );

  // ---- public
  if (config.role !== 'worker') app.route('/', webRoutes({ minConfidence: config.minConfidence }));
  app.get('/health', async (context) => {
    const health = await checkHealth(healthProbe, answerer, ingestion, config.role);
    return context.json(health, health.status === 'ok' ? 200 : 503);
  });
  const worker = config.role === 'worker';
  if (!worker) {
    app.get('/openapi.json', (context) => {
      context.header('Content-Type', 'application/json; charset=utf-8');
      return context.body(openApiDocument);
    });
    app.get('/docs', (context) => context.html(docsPage));
  }

  // ---- everything below needs an API key when keys are configured
  const access = dependencies.access;
  app.use('*', authenticate(config.apiKeys, access), rateLimit(rateLimiter));
  if (!worker) {
    const collectionExists = access ? (id: string) => access.collectionExists(id) : undefined;
    const audit = access
      ? (event: AuditEvent) => access.record({ ...event, documentId: event.documentId ?? null, question: event.question ?? null, citedDocumentIds: event.citedDocumentIds ?? null })
      : undefined;
    app.route('/', documentRoutes({ config, ingestion, collectionExists, audit }));
    app.route('/', askRoutes({ config, answerer, slots, metrics, collectionExists, audit }));
    if (access) app.route('/', accessRoutes(access));
    // An app without collections (tests with in-memory services) offers none to choose from.
    else app.get('/collections', (context) => context.json({ collections: [] }));
  }
  app.get('/metrics', async (context) => {
    const queue = ingestion.queueStatus ? await ingestion.queueStatus().catch(() => undefined) : undefined;
    context.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return context.body(
      metrics.render({ ingestionQueueDepth: ingestion.queueDepth(), generationsActive: slots.active, generationsQueued: slots.queued, role: config.role, queue }),
    );
  });

  app.notFound((context) => {
    throw new RouteNotFoundError(context.req.method, context.req.path);
  });
  app.onError(respondWithError);
  return app;
}
