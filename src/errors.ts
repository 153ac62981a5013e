/**
 * beleg's error hierarchy. Every failure a user can act on has its own subclass with a stable
 * machine-readable `code`; messages say what happened and what to do. Only the api layer maps
 * these to HTTP status codes (src/api/errors.ts).
 */
export class BelegError extends Error {
  /** Stable, machine-readable code, e.g. `unsupported_document`. */
  readonly code: string;
  /** Extra machine-readable details (field names, limits). */
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

/** The input is malformed (bad request body, bad CLI flag). */
export class ValidationError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('validation_failed', message, { details });
  }
}

/** Something the user named does not exist. */
export class NotFoundError extends BelegError {
  constructor(what: string, id: string) {
    super('not_found', `${what} '${id}' does not exist. List what exists with GET /documents or 'beleg docs'.`, {
      details: { what, id },
    });
  }
}

/** The request conflicts with the current state (e.g. the text of a document that is still indexing). */
export class ConflictError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, { details });
  }
}

/** The document's type is not one beleg can read. */
export class UnsupportedDocumentError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('unsupported_document', message, { details });
  }
}

/** The document is larger than the configured limit. */
export class DocumentTooLargeError extends BelegError {
  constructor(sizeBytes: number, limitBytes: number) {
    super(
      'document_too_large',
      `The document has ${sizeBytes} bytes, more than the limit of ${limitBytes} bytes. Split it or raise BELEG_MAX_DOCUMENT_BYTES.`,
      { details: { sizeBytes, limitBytes } },
    );
  }
}

/**
 * The document could be read as its type but is unusable: empty, corrupt, encrypted, scanned
 * without a text layer, HTML without content. `code` says which.
 */
export class UnprocessableDocumentError extends BelegError {
  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}

/** A URL points at an address beleg refuses to fetch (loopback, private, link-local, metadata). */
export class BlockedUrlError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('blocked_url', message, { details });
  }
}

/** Fetching a URL failed: non-2xx, timeout, too many redirects, network error. */
export class FetchFailedError extends BelegError {
  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
  }
}

/** A model directory is missing or incomplete. */
export class ModelNotFoundError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('model_not_found', message, { details });
  }
}

/** A model uses a setting beleg does not support (bits, architecture, ...). */
export class UnsupportedModelError extends BelegError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('unsupported_model', message, { details });
  }
}

/** The engine (local or remote) cannot answer right now. */
export class EngineUnavailableError extends BelegError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('engine_unavailable', message, options);
  }
}

/** Too many requests or generations at once; retry after `retryAfterSeconds`. */
export class OverloadedError extends BelegError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('overloaded', message, { details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The operation was cancelled (client went away, shutdown). */
export class CancelledError extends BelegError {
  constructor(message = 'The operation was cancelled.') {
    super('cancelled', message);
  }
}
