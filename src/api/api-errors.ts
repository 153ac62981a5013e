/**
 * Errors only the HTTP layer raises: missing or wrong credentials, a role that may not do
 * something, a request body over the limit. Everything else comes from src/errors.ts.
 */
import { BelegError, type ErrorMessage } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

/** No valid API key was sent (401). */
export class UnauthenticatedError extends BelegError {
  constructor(message: ErrorMessage<'unauthenticated'> = userMessage('unauthenticated')) {
    super(message);
  }
}

/** The API key is valid but its role may not do this (403). */
export class ForbiddenError extends BelegError {
  constructor(message: ErrorMessage<'forbidden' | 'forbidden_collection'> = userMessage('forbidden')) {
    super(message);
  }
}

/** The whole request body is larger than BELEG_MAX_REQUEST_BYTES (413). */
export class RequestTooLargeError extends BelegError {
  constructor(limitBytes: number) {
    super(userMessage('request_too_large', { limitBytes }), { details: { limitBytes } });
  }
}

/** No route matches the method and path (404). */
export class RouteNotFoundError extends BelegError {
  constructor(method: string, path: string) {
    super(userMessage('route_not_found', { method, path }), { details: { method, path } });
  }
}
