/**
 * zod schemas of what crosses the HTTP edge that the shared contracts do not already define.
 * The same schemas validate requests and generate the OpenAPI document (./openapi.ts).
 */
import { z } from 'zod';
import type { DocumentRecord } from '../ingest/types.ts';
import { ValidationError } from '../errors.ts';
import { describeFirstIssue, userMessage } from '../messages/index.ts';

export const documentStatusSchema = z.enum(['pending', 'indexing', 'ready', 'failed']);

/** A document's metadata as the API returns it (mirrors `DocumentRecord`). */
export const documentRecordSchema = z
  .object({
    id: z.string(),
    sourceKind: z.enum(['file', 'url', 'text']),
    fileName: z.string().nullable(),
    url: z.string().nullable(),
    finalUrl: z.string().nullable(),
    title: z.string().nullable(),
    mimeType: z.string().nullable(),
    sha256: z.string().nullable(),
    byteSize: z.number().int().nullable(),
    pageCount: z.number().int().nullable(),
    language: z.string().nullable(),
    status: documentStatusSchema,
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    chunkCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** URLs: 1 for the first ingestion, +1 for each re-ingestion whose content changed. */
    version: z.number().int().optional(),
    /** URLs: the id of the version this one replaced. */
    supersedes: z.string().nullable().optional(),
    /** Attachments: the id of the e-mail this document was ingested from (null: uploaded on its own). */
    parentId: z.string().nullable().optional(),
    /** E-mails: the ids of the attachments ingested as documents of their own (absent when none). */
    attachmentIds: z.array(z.string()).optional(),
    /** The collections the document is in (those the key may see). */
    collectionIds: z.array(z.string()).optional(),
    /** While a scan is `indexing`: scanned pages read by OCR so far, of how many. */
    progress: z.object({ ocrPagesDone: z.number().int().nonnegative(), ocrPagesTotal: z.number().int().nonnegative() }).optional(),
  }) satisfies z.ZodType<DocumentRecord>;

/** `POST /documents` with a JSON body: a URL to fetch, or plain text. */
export const documentJsonRequestSchema = z
  .object({
    // Checked by parseFetchableUrl (src/ingest/fetch/fetchable-url.ts), like every other URL beleg takes: `blocked_url` when not http(s).
    url: z.string().min(1).meta({ format: 'uri', description: 'An absolute http(s) URL.' }).optional(),
    text: z.string().min(1, 'fragment.issue.text_empty').optional(),
    title: z.string().max(500).optional(),
    /** The collection the document goes into (default: `allgemein`, or the key's first collection). */
    collection: z.string().min(1).max(64).optional(),
  })
  .refine((body) => (body.url === undefined) !== (body.text === undefined), {
    message: 'fragment.issue.url_or_text',
    path: ['url'],
  });

export const documentsAcceptedSchema = z.object({ documents: z.array(documentRecordSchema) });

export const documentListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  status: documentStatusSchema.optional(),
  /** Only documents in these collections (comma-separated), within the key's own. */
  collectionIds: z.string().optional(),
});

export const documentListSchema = z
  .object({ documents: z.array(documentRecordSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
 ;

/** The longest excerpt `GET /documents/:id/text` returns in one response. */
export const maxTextExcerptChars = 100_000;

export const documentTextQuerySchema = z.object({
  start: z.coerce.number().int().min(0).optional(),
  end: z.coerce.number().int().min(0).optional(),
});

export const documentTextSchema = z
  .object({
    documentId: z.string(),
    start: z.number().int(),
    end: z.number().int(),
    /** Length of the whole stored text. */
    length: z.number().int(),
    text: z.string(),
  })
 ;

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, machine-readable; the same in every language (e.g. `empty_document`).' }),
      message: z.string().meta({ description: 'What happened and what to do, in the language of `Accept-Language` (German or English).' }),
      field: z.string().optional(),
    }),
  })
 ;

export const componentHealthSchema = z.object({ ok: z.boolean(), detail: z.string() });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    storage: componentHealthSchema,
    engines: z.array(z.object({ name: z.string(), model: z.string(), ready: z.boolean() })),
    embeddingModel: z.object({ name: z.string().nullable(), ready: z.boolean() }),
    /** True when no embedding model is available and retrieval uses full-text search only. */
    lexicalOnly: z.boolean(),
    ingestionQueueDepth: z.number().int(),
    /** What this process does: `all`, `api` (answers, records jobs) or `worker` (takes jobs). */
    role: z.enum(['all', 'api', 'worker']),
    /** The ingestion queue: this process's (`memory`) or the one every process shares (`postgres`). */
    queue: z
      .object({
        kind: z.enum(['memory', 'postgres']),
        working: z.boolean(),
        waiting: z.number().int(),
        running: z.number().int(),
        local: z.number().int(),
      })
      .optional(),
  })
 ;
export type Health = z.infer<typeof healthSchema>;

const whereFragments = { 'request body': 'fragment.where.request_body', query: 'fragment.where.query' } as const;

/**
 * Parses `value` with `schema` or throws a ValidationError that names the first offending field,
 * e.g. `Invalid request body: 'topK': Too big: expected number to be <=50.` (German from zod's
 * German locale).
 */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, value: unknown, where: keyof typeof whereFragments): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { path, problem } = describeFirstIssue(schema, value, parsed.error);
  const field = path || where;
  throw new ValidationError(userMessage('validation_failed', { where: userMessage(whereFragments[where]), field, problem }), { field });
}

// ---- collections, keys, audit (admin routes: ./routes/access.ts)

/** `POST /collections`. */
/** `POST /documents/{id}/move`: the collection the document goes to. */
export const documentMoveRequestSchema = z.object({ collection: z.string().min(1).max(64) });

export const collectionCreateSchema = z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(200).optional() });
/** `PATCH /collections/{id}`. */
export const collectionRenameSchema = z.object({ name: z.string().min(1).max(200) });
/** `POST /keys`. */
export const keyCreateSchema = z.object({
  name: z.string().min(1).max(200),
  role: z.enum(['read', 'write', 'admin']),
  /** Collection ids, or `["*"]` for every collection. */
  collections: z.array(z.string().min(1).max(64)).min(1).max(100),
});
/** `GET /audit`. */
export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  actor: z.string().optional(),
  action: z.enum(['upload', 'delete', 'move', 'ask']).optional(),
  since: z.string().optional(),
});

