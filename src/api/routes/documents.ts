/**
 * Document routes: upload (multipart files or a JSON URL/text), list, read one, read its stored
 * text around a citation, delete. Ingestion itself runs in the background (`Ingestion.submit`).
 */
import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import { ConflictError, DocumentTooLargeError, UnsupportedDocumentError, ValidationError } from '../../errors.ts';
import { detectDocumentType } from '../../ingest/loaders/detect-document-type.ts';
import type { DocumentInput, DocumentRecord, Ingestion } from '../../ingest/types.ts';
import type { AppEnvironment } from '../app-environment.ts';
import { requireWriteRole } from '../authenticate.ts';
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

async function filesFromMultipart(request: Request): Promise<File[]> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new ValidationError("Invalid request body: 'file': the multipart body could not be read.", { field: 'file' });
  }
  const files = form.getAll('file').filter((value): value is File => typeof value !== 'string');
  if (files.length === 0) {
    throw new ValidationError("Invalid request body: 'file': send at least one file in the multipart field 'file'.", { field: 'file' });
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
    for (const input of inputs) detectDocumentType(input.bytes, { fileName: input.fileName, mimeType: input.mimeType ?? null });
    return inputs;
  }
  if (contentType.startsWith('application/json')) {
    const body = parseOrThrow(documentJsonRequestSchema, await readJsonBody(request), 'request body');
    if (body.url !== undefined) return [{ kind: 'url', url: body.url }];
    return [{ kind: 'text', text: body.text!, ...(body.title ? { title: body.title } : {}) }];
  }
  throw new UnsupportedDocumentError(
    `POST /documents takes multipart/form-data with the field 'file', or JSON { "url": "…" }; got '${contentType || 'no content type'}'.`,
    { contentType },
  );
}

/** The document routes, mounted at the app root. */
export function documentRoutes({ config, ingestion }: DocumentRoutesOptions): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();

  routes.post('/documents', requireWriteRole(), async (context) => {
    const inputs = await inputsFromRequest(context.req.raw, config);
    const documents: DocumentRecord[] = [];
    for (const input of inputs) documents.push(await ingestion.submit(input));
    return context.json({ documents }, 202);
  });

  routes.get('/documents', async (context) => {
    const query = parseOrThrow(documentListQuerySchema, context.req.query(), 'query');
    const { documents, total } = await ingestion.list(query);
    return context.json({ documents, total, limit: query.limit, offset: query.offset });
  });

  routes.get('/documents/:id', async (context) => context.json(await ingestion.get(context.req.param('id'))));

  routes.get('/documents/:id/text', async (context) => {
    const query = parseOrThrow(documentTextQuerySchema, context.req.query(), 'query');
    const id = context.req.param('id');
    const document = await ingestion.get(id);
    if (document.status !== 'ready') {
      throw new ConflictError(`Document '${id}' is ${document.status}; its text is available once it is ready.`, { status: document.status });
    }
    const text = await ingestion.text(id);
    const start = query.start ?? 0;
    const end = Math.min(text.length, query.end ?? start + maxTextExcerptChars);
    if (start > text.length) {
      throw new ValidationError(`Invalid query: 'start': ${start} is past the end of the text (${text.length} characters).`, { field: 'start' });
    }
    if (end < start) throw new ValidationError(`Invalid query: 'end': ${end} is before start ${start}.`, { field: 'end' });
    if (end - start > maxTextExcerptChars) {
      throw new ValidationError(`Invalid query: 'end': ask for at most ${maxTextExcerptChars} characters at once.`, { field: 'end' });
    }
    return context.json({ documentId: id, start, end, length: text.length, text: text.slice(start, end) });
  });

  routes.delete('/documents/:id', requireWriteRole(), async (context) => {
    await ingestion.remove(context.req.param('id'));
    return context.body(null, 204);
  });

  return routes;
}
