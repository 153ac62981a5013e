/**
 * The one place that turns errors into HTTP responses: each BelegError subclass has a status code,
 * every error body has the shape `{ error: { code, message } }` (plus `field` for validation
 * errors), and overload errors carry a `Retry-After` header. The message is in the language the
 * request's `Accept-Language` prefers (German or English), said by `Content-Language`; the code
 * is the same in every language.
 */
import type { Context } from 'hono';
import type { AppEnvironment } from './app-environment.ts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  BelegError,
  BlockedUrlError,
  CancelledError,
  CollectionNotFoundError,
  ConflictError,
  DocumentTooLargeError,
  EngineUnavailableError,
  FetchFailedError,
  ModelNotFoundError,
  NotFoundError,
  OverloadedError,
  UnprocessableDocumentError,
  UnsupportedDocumentError,
  UnsupportedModelError,
  ValidationError,
} from '../errors.ts';
import { text, type Language } from '../messages/index.ts';
import { ForbiddenError, RequestTooLargeError, RouteNotFoundError, UnauthenticatedError } from './api-errors.ts';
import { negotiateLanguage } from './negotiate-language.ts';

type ErrorClass = abstract new (...parameters: never[]) => BelegError;

/** Status code of each error class; the first class the error is an instance of wins. */
const statusByErrorClass: ReadonlyArray<readonly [ErrorClass, ContentfulStatusCode]> = [
  [ValidationError, 400],
  [BlockedUrlError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [CollectionNotFoundError, 404],
  [RouteNotFoundError, 404],
  [ConflictError, 409],
  [DocumentTooLargeError, 413],
  [RequestTooLargeError, 413],
  [UnsupportedDocumentError, 415],
  [UnprocessableDocumentError, 422],
  [OverloadedError, 429],
  [FetchFailedError, 502],
  [EngineUnavailableError, 503],
  [ModelNotFoundError, 503],
  [UnsupportedModelError, 503],
  [CancelledError, 503],
];

/**
 * Status codes of errors other areas raise as plain BelegErrors with their own code, for when no
 * class above matches.
 */
const statusByErrorCode: Readonly<Record<string, ContentfulStatusCode>> = {
  document_not_ready: 409,
  engine_failed: 500,
  // The chunk store lost commit races to other processes too often (src/store/lancedb/commit-retry.ts): try again.
  chunk_store_busy: 503,
};

/** The body every failed request gets. */
export type ErrorBody = { error: { code: string; message: string; field?: string } };

/** HTTP status for an error: its class's status, 500 for anything unexpected. */
export function statusOf(error: unknown): ContentfulStatusCode {
  for (const [errorClass, status] of statusByErrorClass) {
    if (error instanceof errorClass) return status;
  }
  if (error instanceof BelegError) return statusByErrorCode[error.code] ?? 500;
  return 500;
}

/**
 * The JSON body for an error in the reader's language (English by default). BelegErrors are
 * written for users and keep their code; anything else gets a generic message, its details stay
 * in the log.
 */
export function errorBody(error: unknown, language: Language = 'en'): ErrorBody {
  if (!(error instanceof BelegError)) {
    return { error: { code: 'internal_error', message: text(language, 'internal_error') } };
  }
  const field = error.details?.field;
  return {
    error: { code: error.code, message: error.messageIn(language), ...(typeof field === 'string' ? { field } : {}) },
  };
}

/** Seconds a client should wait before retrying, when the error says so. */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  if (error instanceof OverloadedError) return error.retryAfterSeconds;
  const value = error instanceof BelegError ? error.details?.retryAfterSeconds : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Says which language a response's texts are in, and that they depend on `Accept-Language`. */
export function markLanguage(context: Context, language: Language): void {
  context.header('Content-Language', language);
  context.header('Vary', 'Accept-Language', { append: true });
}

/** Hono `onError` handler: maps any thrown error to its JSON response, in the reader's language. */
export function respondWithError(error: Error, context: Context<AppEnvironment>): Response {
  const status = statusOf(error);
  const language = negotiateLanguage(context.req.header('accept-language'));
  const body = errorBody(error, language);
  // The request's log line (src/api/request-log.ts) names the error code; an unexpected error is
  // logged whole, stack included.
  context.get('requestLog').fields.errorCode = body.error.code;
  if (status === 500) context.get('logger').error('unexpected error while handling a request', { error });
  const retryAfter = retryAfterSecondsOf(error);
  if (retryAfter !== undefined) context.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  markLanguage(context, language);
  return context.json(body, status);
}
