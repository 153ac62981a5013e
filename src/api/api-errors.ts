/**
 * Errors only the HTTP layer raises: missing or wrong credentials, a role that may not do
 * something, a request body over the limit. Everything else comes from src/errors.ts.
 */
import { BelegError } from '../errors.ts';

/** No valid API key was sent (401). */
export class UnauthenticatedError extends BelegError {
  constructor(message: string) {
    super('unauthenticated', message);
  }
}

/** The API key is valid but its role may not do this (403). */
export class ForbiddenError extends BelegError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The whole request body is larger than BELEG_MAX_REQUEST_BYTES (413). */
export class RequestTooLargeError extends BelegError {
  constructor(limitBytes: number) {
    super(
      'request_too_large',
      `The request body is larger than the limit of ${limitBytes} bytes. Send fewer or smaller files per request, or raise BELEG_MAX_REQUEST_BYTES.`,
      { details: { limitBytes } },
    );
  }
}

/** No route matches the method and path (404). */
export class RouteNotFoundError extends BelegError {
  constructor(method: string, path: string) {
    super('route_not_found', `There is no route ${method} ${path}. The routes are listed at /docs and /openapi.json.`, {
      details: { method, path },
    });
  }
}
