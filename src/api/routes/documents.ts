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
import type { DocumentInput, DocumentRecord, Ingestion } from '../../ingest/types.ts';
import { userMessage, type Language } from '../../messages/index.ts';
import type { AppEnvironment } from '../app-environment.ts';
import { requireWriteRole } from '../authenticate.ts';
import { negotiateLanguage } from '../negotiate-language.ts';
import { readJsonBody } from '../read-json.ts';
import { safeFileName } from '../safe-file-name.ts';
import {
  documentJsonRequestSchema,
  documentListQuerySchema,
  documentTextQuerySchema,
  maxTextExcerptChars,
  parseOrThrow,
} from '../schemas.ts';

export type DocumentRoutesOptions = { config: Config; ingestion: Ingestion };

/** The reader's language, and a note to caches that the response depends on it. */
function languageOf(context: Context<AppEnvironment>): Language {
  context.header('Vary', 'Accept-Language', { append: true });
  return negotiateLanguage(context.req.header('accept-language'));
}

async function filesFromMultipart(request: Request): Promise<File[]> {
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
  return files;
}

async function inputsFromRequest(request: Request, config: Config): Promise<DocumentInput[]> {
  const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    const files = await filesFromMultipart(request);
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
    return inputs;
  }
  if (contentType.startsWith('application/json')) {
    const body = parseOrThrow(documentJsonRequestSchema, await readJsonBody(request), 'request body');
    // The same check ingestion and the fetcher make: a URL beleg will not fetch is `blocked_url` (400) on every path.
    if (body.url !== undefined) {
      parseFetchableUrl(body.url);
      return [{ kind: 'url', url: body.url }];
    }
    return [{ kind: 'text', text: body.text!, ...(body.title ? { title: body.title } : {}) }];
  }
  throw new UnsupportedDocumentError(userMessage('unsupported_document.content_type', { contentType: contentType || '-' }), { contentType });
}

/** The document routes, mounted at the app root. */
export function documentRoutes({ config, ingestion }: DocumentRoutesOptions): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();

  routes.post('/documents', requireWriteRole(), async (context) => {
    const inputs = await inputsFromRequest(context.req.raw, config);
    const documents: DocumentRecord[] = [];
    for (const input of inputs) documents.push(await ingestion.submit(input));
    const language = languageOf(context);
    return context.json({ documents: documents.map((document) => documentInLanguage(document, language)) }, 202);
  });

  routes.get('/documents', async (context) => {
    const query = parseOrThrow(documentListQuerySchema, context.req.query(), 'query');
    const { documents, total } = await ingestion.list(query);
    const language = languageOf(context);
    return context.json({ documents: documents.map((document) => documentInLanguage(document, language)), total, limit: query.limit, offset: query.offset });
  });

  routes.get('/documents/:id', async (context) => context.json(documentInLanguage(await ingestion.get(context.req.param('id')), languageOf(context))));

  routes.get('/documents/:id/text', async (context) => {
    const query = parseOrThrow(documentTextQuerySchema, context.req.query(), 'query');
    const id = context.req.param('id');
    // not_found, or document_not_ready (409) while it is pending, indexing or failed: the same codes as everywhere.
    const text = await ingestion.text(id);
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
    await ingestion.remove(context.req.param('id'));
    return context.body(null, 204);
  });

  return routes;
}
