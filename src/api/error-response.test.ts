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
import { userMessage } from '../messages/index.ts';
import { ForbiddenError, UnauthenticatedError } from './api-errors.ts';
import { errorBody, retryAfterSecondsOf, statusOf } from './error-response.ts';

const busy = userMessage('overloaded', { slots: 2, waiting: 32, retryAfter: 3 });
const queuedTooLong = userMessage('engine_unavailable.queue_timeout', { waitedMs: 50, retryAfter: 4 });

describe('error responses', () => {
  it('maps each error class to its status code', () => {
    const cases: Array<[Error, number]> = [
      [new ValidationError(userMessage('validation_failed.question_empty'), { field: 'question' }), 400],
      [new UnauthenticatedError(), 401],
      [new ForbiddenError(), 403],
      [new NotFoundError('document', 'x'), 404],
      [new ConflictError(userMessage('conflict')), 409],
      [new DocumentTooLargeError(10, 5), 413],
      [new UnsupportedDocumentError(userMessage('unsupported_document', { detected: 'PNG' })), 415],
      [new UnprocessableDocumentError(userMessage('pdf_encrypted')), 422],
      [new OverloadedError(busy, 3), 429],
      [new EngineUnavailableError(queuedTooLong), 503],
      [new BelegError(userMessage('document_not_ready', { id: 'x', status: 'indexing' })), 409],
      [new TypeError('bug'), 500],
    ];
    for (const [error, status] of cases) expect(statusOf(error), error.constructor.name).toBe(status);
  });

  it('names the field of validation errors and hides the message of unexpected errors', () => {
    const invalid = new ValidationError(userMessage('validation_failed.question_too_long', { length: 12, limit: 10 }), { field: 'question' });
    expect(errorBody(invalid)).toEqual({
      error: { code: 'validation_failed', message: expect.stringMatching(/^Invalid request body: 'question': it has 12 characters/), field: 'question' },
    });
    expect(errorBody(new TypeError('secret internals'))).toEqual({
      error: { code: 'internal_error', message: expect.not.stringContaining('secret') },
    });
  });

  it('says the message in the reader\'s language and keeps the code', () => {
    const tooLarge = new DocumentTooLargeError(10, 5);
    expect(errorBody(tooLarge, 'en').error).toEqual({ code: 'document_too_large', message: expect.stringMatching(/^The document has 10 bytes, more than the limit of 5 bytes/) });
    expect(errorBody(tooLarge, 'de').error).toEqual({ code: 'document_too_large', message: expect.stringMatching(/^Das Dokument hat 10 Bytes, mehr als die Grenze von 5 Bytes/) });
    expect(errorBody(new TypeError('x'), 'de').error.message).toMatch(/^In beleg ist etwas schiefgegangen/);
  });

  it('carries retry hints from overload and queue timeouts', () => {
    expect(retryAfterSecondsOf(new OverloadedError(busy, 7))).toBe(7);
    expect(retryAfterSecondsOf(new EngineUnavailableError(queuedTooLong, { details: { retryAfterSeconds: 4 } }))).toBe(4);
    expect(retryAfterSecondsOf(new NotFoundError('document', 'x'))).toBeUndefined();
  });
});
