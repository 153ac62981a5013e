/**
 * beleg's error hierarchy. Every failure a user can act on has its own subclass with a stable
 * machine-readable `code`. What the error says comes from the message catalogue
 * (src/messages/catalogue.ts): the error carries a `UserMessage` (a catalogue id and its values),
 * `message` is its English text (logs, back-compatibility), and callers that know the reader's
 * language render it with `messageIn(language)`. Only the api layer maps these to HTTP status
 * codes (src/api/error-response.ts).
 */
import {
  errorCodeOf,
  formatMessage,
  userMessage,
  type ErrorCode,
  type Language,
  type MessageIdOfCode,
  type UserMessage,
} from './messages/index.ts';

/** A catalogue message of one error code (`Code` itself or one of its `Code.variant` texts). */
export type ErrorMessage<Code extends string = ErrorCode> = UserMessage & { readonly id: MessageIdOfCode<Code> };

export type BelegErrorOptions = { cause?: unknown; details?: Record<string, unknown> };

export class BelegError extends Error {
  /** Stable, machine-readable code, e.g. `unsupported_document`: the catalogue id up to its first dot. */
  readonly code: string;
  /** Extra machine-readable details (field names, limits). */
  readonly details?: Record<string, unknown>;
  /** What the error says to a user, in no language yet. */
  readonly userMessage: ErrorMessage;

  constructor(message: ErrorMessage, options?: BelegErrorOptions) {
    super(formatMessage(message, 'en'), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = errorCodeOf(message.id);
    this.details = options?.details;
    this.userMessage = message;
  }

  /** The message in the reader's language. */
  messageIn(language: Language): string {
    return formatMessage(this.userMessage, language);
  }

  /** Serialized as the API's error shape, in English. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The input is malformed (bad request body, bad CLI flag). */
export class ValidationError extends BelegError {
  constructor(message: ErrorMessage<'validation_failed'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** A document the user named does not exist. */
export class NotFoundError extends BelegError {
  constructor(what: 'document' | 'key', id: string) {
    super(what === 'key' ? userMessage('not_found.key', { id }) : userMessage('not_found', { id }), { details: { what, id } });
  }
}

/** No collection has this id (404). */
export class CollectionNotFoundError extends BelegError {
  constructor(id: string) {
    super(userMessage('collection_not_found', { id }), { details: { what: 'collection', id } });
  }
}

/** The document is not `ready`, so it has no stored text yet (or never will). */
export class DocumentNotReadyError extends BelegError {
  constructor(id: string, status: 'pending' | 'indexing' | 'ready' | 'failed') {
    super(userMessage('document_not_ready', { id, status: userMessage(`fragment.document_status.${status}`) }), { details: { id, status } });
  }
}

/** The request conflicts with the current state. */
export class ConflictError extends BelegError {
  constructor(message: ErrorMessage<'conflict'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** The document's type is not one beleg can read. */
export class UnsupportedDocumentError extends BelegError {
  constructor(message: ErrorMessage<'unsupported_document'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** The document is larger than the configured limit. */
export class DocumentTooLargeError extends BelegError {
  constructor(sizeBytes: number, limitBytes: number) {
    super(userMessage('document_too_large', { sizeBytes, limitBytes }), { details: { sizeBytes, limitBytes } });
  }
}

/**
 * The document could be read as its type but is unusable: empty, corrupt, encrypted, scanned
 * without a text layer, HTML without content. The message's code says which.
 */
export class UnprocessableDocumentError extends BelegError {
  constructor(message: ErrorMessage, options?: BelegErrorOptions) {
    super(message, options);
  }
}

/** A URL points at an address beleg refuses to fetch (loopback, private, link-local, metadata). */
export class BlockedUrlError extends BelegError {
  constructor(message: ErrorMessage<'blocked_url'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** Fetching a URL failed: non-2xx, timeout, too many redirects, network error. */
export class FetchFailedError extends BelegError {
  constructor(message: ErrorMessage, options?: BelegErrorOptions) {
    super(message, options);
  }
}

/** A model directory is missing or incomplete. */
export class ModelNotFoundError extends BelegError {
  constructor(message: ErrorMessage<'model_not_found'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** A model uses a setting beleg does not support (bits, architecture, ...). */
export class UnsupportedModelError extends BelegError {
  constructor(message: ErrorMessage<'unsupported_model'>, details?: Record<string, unknown>) {
    super(message, { details });
  }
}

/** The metadata database (PostgreSQL) cannot be reached or migrated. */
export class DatabaseUnavailableError extends BelegError {
  constructor(message: ErrorMessage<'database_unavailable'>, options?: BelegErrorOptions) {
    super(message, options);
  }
}

/** The engine (local or remote) cannot answer right now. */
export class EngineUnavailableError extends BelegError {
  constructor(message: ErrorMessage<'engine_unavailable'>, options?: BelegErrorOptions) {
    super(message, options);
  }
}

/** Too many requests or generations at once; retry after `retryAfterSeconds`. */
export class OverloadedError extends BelegError {
  readonly retryAfterSeconds: number;
  constructor(message: ErrorMessage<'overloaded'>, retryAfterSeconds: number) {
    super(message, { details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The operation was cancelled (client went away, shutdown). */
export class CancelledError extends BelegError {
  constructor(message: ErrorMessage<'cancelled'> = userMessage('cancelled')) {
    super(message);
  }
}
