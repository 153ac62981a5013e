/**
 * Document routes: upload (multipart files or a JSON URL/text), list, read one, read its stored
 * text around a citation, delete. Ingestion itself runs in the background (`Ingestion.submit`).
 */
import { Hono, type Context } from 'hono';
import type { Config } from '../../config.ts';
import { DocumentTooLargeError, UnsupportedDocumentError, ValidationError } from '../../errors.ts';
import { parseFetchableUrl } from '../../ingest/fetch/fetchable-url.ts';
import { detectDocumentType } from '../../ingest/loaders/detect-document-type.ts';
import { assertOcrAllowed } from '../../ingest/load-document.ts';
import { documentInLanguage } from '../../ingest/document-error.ts';
import type { CollectionScope, DocumentInput, DocumentRecord, Ingestion } from '../../ingest/types.ts';
import { userMessage, type Language } from '../../messages/index.ts';
import type { AppEnvironment } from '../app-environment.ts';
import { requireWriteRole } from '../authenticate.ts';
import { collectionIdsFromQuery, onlyDefaultCollection, readScope, uploadCollection, type CollectionLookup } from '../collection-scope.ts';
import { negotiateLanguage } from '../negotiate-language.ts';
import { readJsonBody } from '../read-json.ts';
import { safeFileName } from '../safe-file-name.ts';
import {
  documentJsonRequestSchema,
  documentListQuerySchema,
  documentMoveRequestSchema,
  documentTextQuerySchema,
  maxTextExcerptChars,
  parseOrThrow,
} from '../schemas.ts';

export type DocumentRoutesOptions = {
  config: Config;
  ingestion: Ingestion;
  /** Whether a collection exists (default: only `allgemein`). */
  collectionExists?: CollectionLookup;
  /** Where uploads and deletions are recorded (the audit log), when there is one. */
  audit?: (event: { actor: string; action: 'upload' | 'delete' | 'move'; documentId: string; collectionIds: string[] }) => Promise<void>;
};

/** What an upload request holds: its inputs and the collection it names, if any. */
type UploadRequest = { inputs: DocumentInput[]; collection: string | undefined };

/** The reader's language, and a note to caches that the response depends on it. */
function languageOf(context: Context<AppEnvironment>): Language {
  context.header('Vary', 'Accept-Language', { append: true });
  return negotiateLanguage(context.req.header('accept-language'));
}

async function filesFromMultipart(request: Request): Promise<{ files: File[]; collection: string | undefined }> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new ValidationError(userMessage('validation_failed.multipart_unreadable'), { field: 'file' });
  }
  const files = form.getAll('file').filter((value): value is File => typeof value !== 'string');
  if (files.length === 0) {
    throw new ValidationError(userMessage('validation_failed.no_file'), { field: 'file' });
  }
  const collection = form.get('collection');
  return { files, collection: typeof collection === 'string' && collection.length > 0 ? collection : undefined };
}

async function inputsFromRequest(request: Request, config: Config): Promise<UploadRequest> {
  const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
  const inQuery = new URL(request.url).searchParams.get('collection') || undefined;
  if (contentType.startsWith('multipart/form-data')) {
    const { files, collection } = await filesFromMultipart(request);
    for (const file of files) {
      if (file.size > config.limits.maxDocumentBytes) throw new DocumentTooLargeError(file.size, config.limits.maxDocumentBytes);
    }
    const inputs = await Promise.all(
      files.map(async (file) => ({
        kind: 'file' as const,
        fileName: safeFileName(file.name),
        bytes: new Uint8Array(await file.arrayBuffer()),
        ...(file.type ? { mimeType: file.type } : {}),
      })),
    );
    // Refuse unreadable types now (415/422) rather than as a failed document later; the check
    // only looks at names, types and leading bytes.
    for (const input of inputs) {
      const type = detectDocumentType(input.bytes, { fileName: input.fileName, mimeType: input.mimeType ?? null });
      assertOcrAllowed(type, input.bytes, config.ocr);
    }
    return { inputs, collection: collection ?? inQuery };
  }
  if (contentType.startsWith('application/json')) {
    const body = parseOrThrow(documentJsonRequestSchema, await readJsonBody(request), 'request body');
    // The same check ingestion and the fetcher make: a URL beleg will not fetch is `blocked_url` (400) on every path.
    const collection = body.collection ?? inQuery;
    if (body.url !== undefined) {
      parseFetchableUrl(body.url);
      return { inputs: [{ kind: 'url', url: body.url }], collection };
    }
    return { inputs: [{ kind: 'text', text: body.text!, ...(body.title ? { title: body.title } : {}) }], collection };
  }
  throw new UnsupportedDocumentError(userMessage('unsupported_document.content_type', { contentType: contentType || '-' }), { contentType });
}

/** A record as a scoped caller may see it: only the collections of its own that hold the document. */
function visibleRecord(document: DocumentRecord, scope: CollectionScope): DocumentRecord {
  if (scope === '*' || document.collectionIds === undefined) return document;
  return { ...document, collectionIds: document.collectionIds.filter((id) => scope.includes(id)) };
}

/** The document routes, mounted at the app root. */
export function documentRoutes({ config, ingestion, collectionExists = onlyDefaultCollection, audit }: DocumentRoutesOptions): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();

  routes.post('/documents', requireWriteRole(), async (context) => {
    const caller = context.get('caller');
    const { inputs, collection } = await inputsFromRequest(context.req.raw, config);
    const collectionId = await uploadCollection(caller, collection, collectionExists);
    const documents: DocumentRecord[] = [];
    for (const input of inputs) {
      const document = await ingestion.submit(input, { collectionId });
      documents.push(visibleRecord(document, caller.collections));
      await audit?.({ actor: caller.id, action: 'upload', documentId: document.id, collectionIds: [collectionId] });
    }
    const language = languageOf(context);
    return context.json({ documents: documents.map((document) => documentInLanguage(document, language)) }, 202);
  });

  routes.get('/documents', async (context) => {
    const query = parseOrThrow(documentListQuerySchema, context.req.query(), 'query');
    const caller = context.get('caller');
    const scope = await readScope(caller, collectionIdsFromQuery(context.req.queries('collectionIds') ?? []), collectionExists);
    const { documents, total } = await ingestion.list({ limit: query.limit, offset: query.offset, status: query.status, ...(scope === '*' ? {} : { collectionIds: scope }) });
    const language = languageOf(context);
    return context.json({
      documents: documents.map((document) => documentInLanguage(visibleRecord(document, caller.collections), language)),
      total,
      limit: query.limit,
      offset: query.offset,
    });
  });

  routes.get('/documents/:id', async (context) => {
    const caller = context.get('caller');
    const document = await ingestion.get(context.req.param('id'), caller.collections);
    return context.json(documentInLanguage(visibleRecord(document, caller.collections), languageOf(context)));
  });

  routes.get('/documents/:id/text', async (context) => {
    const query = parseOrThrow(documentTextQuerySchema, context.req.query(), 'query');
    const id = context.req.param('id');
    // not_found, or document_not_ready (409) while it is pending, indexing or failed: the same codes as everywhere.
    const text = await ingestion.text(id, context.get('caller').collections);
    const start = query.start ?? 0;
    const end = Math.min(text.length, query.end ?? start + maxTextExcerptChars);
    if (start > text.length) {
      throw new ValidationError(userMessage('validation_failed.text_start_past_end', { start, length: text.length }), { field: 'start' });
    }
    if (end < start) throw new ValidationError(userMessage('validation_failed.text_end_before_start', { end, start }), { field: 'end' });
    if (end - start > maxTextExcerptChars) {
      throw new ValidationError(userMessage('validation_failed.text_range_too_long', { limit: maxTextExcerptChars }), { field: 'end' });
    }
    return context.json({ documentId: id, start, end, length: text.length, text: text.slice(start, end) });
  });

  routes.delete('/documents/:id', requireWriteRole(), async (context) => {
    const caller = context.get('caller');
    const id = context.req.param('id');
    await ingestion.remove(id, caller.collections);
    await audit?.({ actor: caller.id, action: 'delete', documentId: id, collectionIds: caller.collections === '*' ? ['*'] : [...caller.collections] });
    return context.body(null, 204);
  });

  // Out of the caller's collections into another one the caller may use (a write key of `personal`
  // and `bauamt` moves between those two; one of `personal` alone cannot move a document out of it).
  routes.post('/documents/:id/move', requireWriteRole(), async (context) => {
    const caller = context.get('caller');
    const id = context.req.param('id');
    const body = parseOrThrow(documentMoveRequestSchema, await readJsonBody(context.req.raw), 'request body');
    const collectionId = await uploadCollection(caller, body.collection, collectionExists);
    const document = await ingestion.move(id, collectionId, caller.collections);
    await audit?.({ actor: caller.id, action: 'move', documentId: id, collectionIds: [collectionId] });
    return context.json(documentInLanguage(visibleRecord(document, caller.collections), languageOf(context)));
  });

  return routes;
}
