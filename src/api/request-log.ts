/**
 * One log line per HTTP request: request id, route pattern, method, status, duration, and what a
 * route adds (for `/ask`: engine and outcome). The request id is hono's `requestId` middleware's:
 * an incoming `X-Request-Id` of at most 128 letters, digits, `_`, `-` and `=` is kept (a proxy's
 * id then ties its log to beleg's), anything else is replaced by a random UUID; either way it goes
 * back in the `X-Request-Id` response header.
 *
 * What is logged is chosen field by field: never the raw path (ids and file names stay out; the
 * route pattern `/documents/:id` goes in), no headers (so no `Authorization`), no bodies (so no
 * question, quote or document text; a question's length is fine).
 *
 * A streamed answer is logged when its stream ends, so its duration and outcome are the stream's,
 * not those of the response head.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import type { Answer } from '../answer/answer-contract.ts';
import type { LogFields, Logger } from '../logger.ts';

/** Fields a route adds to its request's line, and the end of a stream the line waits for. */
export type RequestLogEntry = { fields: LogFields; finished?: Promise<void> };

/** Hono variables set by `requestLog` (beside hono's `requestId`). */
export type RequestLogVariables = RequestIdVariables & {
  requestLog: RequestLogEntry;
  /** The request's logger: every line it writes carries the request id. */
  logger: Logger;
};

type RequestLogEnvironment = { Variables: RequestLogVariables };

/** Milliseconds to a tenth. */
const tenths = (milliseconds: number) => Math.round(milliseconds * 10) / 10;

/** Routes polled by machines (health checks, Prometheus): logged at debug level while they succeed. */
const pollingRoutes = new Set(['/health', '/metrics']);

/** The route pattern that handled the request (`/documents/:id`), or `unmatched`. */
export function routeLabel<E extends Env>(context: Context<E>): string {
  // matchedRoutes is typed for the default environment; it only reads the router's match.
  const handler = matchedRoutes(context as unknown as Context).find((route) => route.method !== 'ALL');
  return handler?.path ?? 'unmatched';
}

/** Middleware that writes the request's line once the response (or its stream) is done. */
export function requestLog(logger: Logger): MiddlewareHandler<RequestLogEnvironment> {
  return async (context, next) => {
    const startedAt = performance.now();
    const entry: RequestLogEntry = { fields: {} };
    context.set('requestLog', entry);
    context.set('logger', logger.child({ requestId: context.get('requestId') }));
    await next();
    const write = () => {
      const status = context.res.status;
      const route = routeLabel(context);
      const fields: LogFields = {
        requestId: context.get('requestId'),
        method: context.req.method,
        route,
        status,
        durationMs: tenths(performance.now() - startedAt),
        ...entry.fields,
      };
      const message = `${context.req.method} ${route} ${status}`;
      if (status >= 500) logger.error(message, fields);
      else if (status < 400 && pollingRoutes.has(route)) logger.debug(message, fields);
      else logger.info(message, fields);
    };
    if (entry.finished) void entry.finished.then(write);
    else write();
  };
}

/** Adds fields to the request's line. */
export function addLogFields<E extends RequestLogEnvironment>(context: Context<E>, fields: LogFields): void {
  Object.assign(context.get('requestLog').fields, fields);
}

/** The fields an answer adds: engine and outcome, never its text. */
export function answerLogFields(answer: Answer): LogFields {
  return {
    engine: answer.engine,
    outcome: answer.declined ? 'declined' : 'answered',
    ...(answer.declined ? { reason: answer.reason } : {}),
    confidence: answer.confidence,
    citations: answer.citations.length,
    retrieveMs: tenths(answer.timings.retrieveMs),
    generateMs: tenths(answer.timings.generateMs),
  };
}

/**
 * Makes the request's line wait for a stream: call the returned function when the stream has
 * ended (also when it failed or the client went away).
 */
export function logWhenStreamEnds<E extends RequestLogEnvironment>(context: Context<E>): () => void {
  let end!: () => void;
  context.get('requestLog').finished = new Promise<void>((resolve) => (end = resolve));
  return end;
}
