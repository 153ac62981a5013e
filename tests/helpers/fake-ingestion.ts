/**
 * An in-memory `Ingestion` for API and web tests. Text files (and JSON text/URLs it knows) become
 * `ready` with their text; other file types fail as a real loader would. Documents are processed
 * on the next turn of the event loop, or only when the test says so (`autoProcess: false`). A form
 * feed in a text stands for a PDF page break.
 */
import { createHash } from 'node:crypto';
import { DocumentNotReadyError, NotFoundError, OverloadedError } from '../../src/errors.ts';
import { errorCodeOf, formatMessage, userMessage, type UserMessage } from '../../src/messages/index.ts';
import type { DocumentInput, DocumentRecord, Ingestion, ListDocumentsOptions } from '../../src/ingest/types.ts';

export type FakeIngestionOptions = {
  /** Process submitted documents on their own (default true). */
  autoProcess?: boolean;
  /** Texts of URLs the fake can "fetch"; others fail with `fetch_failed`. */
  urlTexts?: Record<string, string>;
  /** Documents that may wait at once before submit throws OverloadedError. */
  queueSize?: number;
};

export class FakeIngestion implements Ingestion {
  readonly #documents = new Map<string, DocumentRecord>();
  readonly #texts = new Map<string, string>();
  readonly #pending = new Map<string, DocumentInput>();
  readonly #waiters = new Map<string, Array<(record: DocumentRecord) => void>>();
  readonly #options: Required<FakeIngestionOptions>;
  #sequence = 0;
  /** Every input submitted, in order (tests inspect file names and types). */
  readonly submitted: DocumentInput[] = [];

  constructor(options: FakeIngestionOptions = {}) {
    this.#options = { autoProcess: true, urlTexts: {}, queueSize: 1000, ...options };
  }

  async submit(input: DocumentInput): Promise<DocumentRecord> {
    const bytes = input.kind === 'file' ? input.bytes : new TextEncoder().encode(input.kind === 'url' ? input.url : input.text);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const existing = [...this.#documents.values()].find((document) => document.sha256 === sha256);
    if (existing) return existing;
    if (this.#pending.size >= this.#options.queueSize) {
      throw new OverloadedError(userMessage('overloaded.ingest_queue', { queueSize: this.#options.queueSize }), 5);
    }
    this.submitted.push(input);
    this.#sequence += 1;
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.#sequence)).toISOString();
    const record: DocumentRecord = {
      id: `doc-${this.#sequence}`,
      sourceKind: input.kind,
      fileName: input.kind === 'file' ? input.fileName : (input.kind === 'text' ? input.fileName ?? null : null),
      url: input.kind === 'url' ? input.url : null,
      finalUrl: null,
      title: input.kind === 'text' ? input.title ?? null : null,
      mimeType: input.kind === 'file' ? input.mimeType ?? null : input.kind === 'text' ? 'text/plain' : null,
      sha256,
      byteSize: bytes.length,
      pageCount: null,
      language: null,
      status: 'pending',
      errorCode: null,
      errorMessage: null,
      chunkCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.#documents.set(record.id, record);
    this.#pending.set(record.id, input);
    if (this.#options.autoProcess) setImmediate(() => this.process(record.id));
    return { ...record };
  }

  /** Finishes one pending document: `ready` with its text, or `failed`. */
  process(id: string): void {
    const input = this.#pending.get(id);
    const record = this.#documents.get(id);
    if (!input || !record) return;
    this.#pending.delete(id);
    const text = this.#textOf(input);
    if (typeof text === 'string') {
      this.#texts.set(id, text);
      // Form feeds stand for PDF page breaks, so tests can check page numbers.
      const pageCount = text.includes('\f') ? text.split('\f').length : null;
      Object.assign(record, { status: 'ready', chunkCount: Math.max(1, Math.ceil(text.length / 800)), language: 'de', pageCount });
      if (input.kind === 'file' && record.title === null) record.title = input.fileName.replace(/\.[^.]+$/, '');
    } else {
      Object.assign(record, { status: 'failed', errorCode: errorCodeOf(text.id), errorMessage: formatMessage(text, 'en'), errorUserMessage: text });
    }
    record.updatedAt = new Date(Date.parse(record.updatedAt) + 1000).toISOString();
    for (const resolve of this.#waiters.get(id) ?? []) resolve({ ...record });
    this.#waiters.delete(id);
  }

  /** Finishes every pending document. */
  processAll(): void {
    for (const id of [...this.#pending.keys()]) this.process(id);
  }

  #textOf(input: DocumentInput): string | UserMessage {
    if (input.kind === 'text') return input.text;
    if (input.kind === 'url') {
      return this.#options.urlTexts[input.url] ?? userMessage('fetch_failed', { url: input.url, reason: 'unknown to the fake' });
    }
    const isText = /\.(txt|md)$/i.test(input.fileName) || (input.mimeType ?? '').startsWith('text/');
    if (!isText) return userMessage('unsupported_document.type', { type: input.fileName });
    return new TextDecoder().decode(input.bytes);
  }

  async ingest(input: DocumentInput): Promise<DocumentRecord> {
    const record = await this.submit(input);
    if (record.status === 'ready' || record.status === 'failed') return record;
    return new Promise((resolve) => this.#waiters.set(record.id, [...(this.#waiters.get(record.id) ?? []), resolve]));
  }

  async get(id: string): Promise<DocumentRecord> {
    const record = this.#documents.get(id);
    if (!record) throw new NotFoundError('document', id);
    return { ...record };
  }

  async list(options: ListDocumentsOptions = {}): Promise<{ documents: DocumentRecord[]; total: number }> {
    const matching = [...this.#documents.values()]
      .filter((document) => options.status === undefined || document.status === options.status)
      .reverse();
    const offset = options.offset ?? 0;
    return { documents: matching.slice(offset, offset + (options.limit ?? 20)).map((document) => ({ ...document })), total: matching.length };
  }

  async remove(id: string): Promise<void> {
    if (!this.#documents.has(id)) throw new NotFoundError('document', id);
    this.#documents.delete(id);
    this.#texts.delete(id);
    this.#pending.delete(id);
  }

  async move(id: string, collectionId: string): Promise<DocumentRecord> {
    const record = this.#documents.get(id);
    if (!record) throw new NotFoundError('document', id);
    record.collectionIds = [collectionId];
    return { ...record };
  }

  async text(id: string): Promise<string> {
    const record = this.#documents.get(id);
    if (!record) throw new NotFoundError('document', id);
    const text = this.#texts.get(id);
    if (text === undefined) throw new DocumentNotReadyError(id, record.status);
    return text;
  }

  queueDepth(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    this.#pending.clear();
  }
}
