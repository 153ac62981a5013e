/**
 * The CLI's client of a running beleg server: what `beleg ingest`, `ask`, `docs` and `rm` do
 * in-process, done over the server's HTTP API, with the same results, so the commands print the
 * same either way. Failures the server reports keep their code and message
 * (`{ error: { code, message } }`); the client adds its own codes only for what happens between
 * the two: the server cannot be reached, refuses the API key, or answers something that is not
 * beleg's API.
 *
 * Uploads are acknowledged at once (202) and indexed in the background; `ingest` then polls the
 * document until it is `ready` or `failed`, like the in-process `Ingestion.ingest`.
 */
import { z } from 'zod';
import { answerSchema, type Answer, type AnswerStreamPart, type AskRequest } from '../answer/answer-contract.ts';
import { documentListSchema, documentRecordSchema, documentsAcceptedSchema } from '../api/schemas.ts';
import { BelegError, type ErrorMessage } from '../errors.ts';
import type { DocumentInput, DocumentRecord, IngestOptions, ListDocumentsOptions } from '../ingest/types.ts';
import { userMessage, type Language } from '../messages/index.ts';

/** The server could not be reached (refused, reset, unknown host, timeout). */
export class ServerUnreachableError extends BelegError {
  constructor(url: string, cause: unknown) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    super(userMessage('server_unreachable', { url, reason }), { cause, details: { url } });
  }
}

/** The server needs an API key and none was given (401). */
export class ServerApiKeyMissingError extends BelegError {
  constructor(url: string) {
    super(userMessage('server_api_key_missing', { url }), { details: { url } });
  }
}

/** The server refused the API key that was given (401). */
export class ServerApiKeyRejectedError extends BelegError {
  constructor(url: string) {
    super(userMessage('server_api_key_rejected', { url }), { details: { url } });
  }
}

/** The server answered something that is not beleg's API (another service on that address?). */
export class ServerResponseInvalidError extends BelegError {
  constructor(url: string, request: string) {
    super(userMessage('server_response_invalid', { url, request }), { details: { url, request } });
  }
}

/**
 * A failure the server reported: its code, and its message in the language the client asked for
 * (Accept-Language), printed as it came. The code is the server's, so it may be one this beleg
 * does not know.
 */
export class ServerRequestError extends BelegError {
  readonly status: number;
  readonly #text: string;

  constructor(code: string, text: string, status: number) {
    super({ id: code, values: {} } as unknown as ErrorMessage, { details: { status } });
    this.message = text;
    this.status = status;
    this.#text = text;
  }

  /** The server's text (already in the language asked for). */
  override messageIn(): string {
    return this.#text;
  }
}

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const streamPartSchema = z.looseObject({ type: z.string() });

/** The most documents `GET /documents` returns per page (src/api/schemas.ts). */
const LIST_PAGE_SIZE = 200;
/** Polling of a document being indexed: the first wait and the longest. */
const POLL_FIRST_MS = 50;
const POLL_LONGEST_MS = 500;

export type ServerClientOptions = {
  /** The server's base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** The language of the server's messages (Accept-Language); English by default. */
  language?: Language;
};

/** A beleg server, driven over HTTP; see the file comment. */
export class ServerClient {
  readonly url: string;
  readonly #apiKey: string | undefined;
  readonly #language: Language;

  constructor(options: ServerClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#language = options.language ?? 'en';
  }

  /** Uploads a file, or has the server fetch a URL, and resolves once the document is `ready` or `failed`. */
  async ingest(input: DocumentInput, options: IngestOptions = {}): Promise<DocumentRecord> {
    const accepted = documentsAcceptedSchema.safeParse(await this.#json(await this.#request('POST', '/documents', this.#uploadBody(input, options.collectionId))));
    const document = accepted.success ? accepted.data.documents[0] : undefined;
    if (!document) throw new ServerResponseInvalidError(this.url, 'POST /documents');
    return this.#settled(document, options.onProgress);
  }

  /** Lists documents, newest first, like `Ingestion.list` (pages through the server's limit of 200). */
  async list(options: ListDocumentsOptions = {}): Promise<{ documents: DocumentRecord[]; total: number }> {
    const limit = options.limit ?? 50;
    const documents: DocumentRecord[] = [];
    let offset = options.offset ?? 0;
    let total = 0;
    for (;;) {
      const query = new URLSearchParams({ limit: String(Math.min(LIST_PAGE_SIZE, limit - documents.length)), offset: String(offset) });
      if (options.status) query.set('status', options.status);
      if (options.collectionIds) query.set('collectionIds', options.collectionIds.join(','));
      const page = this.#parse(documentListSchema, await this.#json(await this.#request('GET', `/documents?${query}`)), 'GET /documents');
      documents.push(...page.documents);
      total = page.total;
      offset += page.documents.length;
      if (page.documents.length === 0 || documents.length >= limit || offset >= total) return { documents, total };
    }
  }

  /** Deletes a document. */
  async remove(id: string): Promise<void> {
    await this.#request('DELETE', `/documents/${encodeURIComponent(id)}`);
  }

  /** Answers a question (`POST /ask`). Fields the server adds beyond the contract are kept. */
  async answer(request: AskRequest): Promise<Answer> {
    const body = await this.#json(await this.#request('POST', '/ask', jsonBody({ ...request, stream: false })));
    this.#parse(answerSchema, body, 'POST /ask');
    return body as Answer;
  }

  /** Answers a question as a stream of parts (`POST /ask` with server-sent events). */
  async *stream(request: AskRequest): AsyncIterable<AnswerStreamPart> {
    const response = await this.#request('POST', '/ask', jsonBody({ ...request, stream: true }), { accept: 'text/event-stream' });
    if (!response.body) throw new ServerResponseInvalidError(this.url, 'POST /ask');
    for await (const data of serverSentData(response.body)) {
      let part: unknown;
      try {
        part = JSON.parse(data);
      } catch {
        throw new ServerResponseInvalidError(this.url, 'POST /ask');
      }
      yield this.#parse(streamPartSchema, part, 'POST /ask') as unknown as AnswerStreamPart;
    }
  }

  /** Sends a JSON request to an admin route (`/keys`, `/collections`) and returns the parsed reply (null for 204). */
  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.#request(method, path, body === undefined ? undefined : jsonBody(body));
    return response.status === 204 ? null : this.#json(response);
  }

  // ---- HTTP ----

  #uploadBody(input: DocumentInput, collectionId?: string): { body: BodyInit; contentType?: string } {
    const collection = collectionId ? { collection: collectionId } : {};
    if (input.kind === 'url') return jsonBody({ url: input.url, ...collection });
    if (input.kind === 'text') return jsonBody({ text: input.text, ...(input.title ? { title: input.title } : {}), ...collection });
    const form = new FormData();
    if (collectionId) form.append('collection', collectionId);
    // The bytes were read from a file, never a SharedArrayBuffer.
    form.append('file', new File([input.bytes as Uint8Array<ArrayBuffer>], input.fileName, input.mimeType ? { type: input.mimeType } : {}));
    return { body: form };
  }

  async #settled(document: DocumentRecord, onProgress?: IngestOptions['onProgress']): Promise<DocumentRecord> {
    let current = document;
    let wait = POLL_FIRST_MS;
    while (current.status === 'pending' || current.status === 'indexing') {
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(POLL_LONGEST_MS, wait * 2);
      const path = `/documents/${encodeURIComponent(current.id)}`;
      current = this.#parse(documentRecordSchema, await this.#json(await this.#request('GET', path)), `GET ${path}`);
      if (current.progress) onProgress?.(current.progress);
    }
    return current;
  }

  async #request(method: string, path: string, payload?: { body: BodyInit; contentType?: string }, headers: Record<string, string> = {}): Promise<Response> {
    const requestHeaders: Record<string, string> = { 'accept-language': this.#language, ...headers };
    if (this.#apiKey !== undefined) requestHeaders.authorization = `Bearer ${this.#apiKey}`;
    if (payload?.contentType) requestHeaders['content-type'] = payload.contentType;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method, headers: requestHeaders, body: payload?.body });
    } catch (error) {
      throw new ServerUnreachableError(this.url, error);
    }
    if (response.ok) return response;
    if (response.status === 401) {
      await response.body?.cancel();
      throw this.#apiKey === undefined ? new ServerApiKeyMissingError(this.url) : new ServerApiKeyRejectedError(this.url);
    }
    const failure = errorBodySchema.safeParse(await response.json().catch(() => null));
    if (!failure.success) throw new ServerResponseInvalidError(this.url, `${method} ${path} (HTTP ${response.status})`);
    throw new ServerRequestError(failure.data.error.code, failure.data.error.message, response.status);
  }

  async #json(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch {
      throw new ServerResponseInvalidError(this.url, new URL(response.url).pathname);
    }
  }

  #parse<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new ServerResponseInvalidError(this.url, what);
    return parsed.data;
  }
}

function jsonBody(value: unknown): { body: string; contentType: string } {
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

/** The `data` of each event of a server-sent event stream (comments and other fields skipped). */
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: RegExpExecArray | null;
      while ((end = /\r?\n\r?\n/.exec(buffer))) {
        const event = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        const data = event
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
        if (data.length > 0) yield data.join('\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
