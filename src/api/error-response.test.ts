import { describe, expect, it } from 'vitest';
import {
  BelegError,
  ConflictError,
  DocumentTooLargeError,
  EngineUnavailableError,
  NotFoundError,
  OverloadedError,
  UnprocessableDocumentError,
  UnsupportedDocumentError,
  ValidationError,
} from '../errors.ts';
import { ForbiddenError, UnauthenticatedError } from './api-errors.ts';
import { errorBody, retryAfterSecondsOf, statusOf } from './error-response.ts';

describe('error responses', () => {
  it('maps each error class to its status code', () => {
    const cases: Array<[Error, number]> = [
      [new ValidationError('bad', { field: 'question' }), 400],
      [new UnauthenticatedError('no key'), 401],
      [new ForbiddenError('read only'), 403],
      [new NotFoundError('Document', 'x'), 404],
      [new ConflictError('not ready'), 409],
      [new DocumentTooLargeError(10, 5), 413],
      [new UnsupportedDocumentError('png'), 415],
      [new UnprocessableDocumentError('pdf_encrypted', 'encrypted'), 422],
      [new OverloadedError('busy', 3), 429],
      [new EngineUnavailableError('down'), 503],
      [new BelegError('document_not_ready', 'indexing'), 409],
      [new TypeError('bug'), 500],
    ];
    for (const [error, status] of cases) expect(statusOf(error), error.constructor.name).toBe(status);
  });

  it('names the field of validation errors and hides the message of unexpected errors', () => {
    expect(errorBody(new ValidationError("Invalid request body: 'topK'", { field: 'topK' }))).toEqual({
      error: { code: 'validation_failed', message: "Invalid request body: 'topK'", field: 'topK' },
    });
    expect(errorBody(new TypeError('secret internals'))).toEqual({
      error: { code: 'internal_error', message: expect.not.stringContaining('secret') },
    });
  });

  it('carries retry hints from overload and queue timeouts', () => {
    expect(retryAfterSecondsOf(new OverloadedError('busy', 7))).toBe(7);
    expect(retryAfterSecondsOf(new EngineUnavailableError('queued too long', { details: { retryAfterSeconds: 4 } }))).toBe(4);
    expect(retryAfterSecondsOf(new NotFoundError('Document', 'x'))).toBeUndefined();
  });
});
