/**
 * The OpenAPI 3.1 document, generated from the zod schemas that also validate requests
 * (zod 4's JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is), and the routes
 * as data so the `/docs` page lists exactly what the spec describes.
 */
import { z } from 'zod';
import { answerSchema, askRequestSchema, candidateSchema, type DeclineReason } from '../answer/answer-contract.ts';
import {
  auditQuerySchema,
  collectionCreateSchema,
  documentMoveRequestSchema,
  collectionRenameSchema,
  keyCreateSchema,
  documentJsonRequestSchema,
  documentListQuerySchema,
  documentListSchema,
  documentRecordSchema,
  documentsAcceptedSchema,
  documentTextQuerySchema,
  documentTextSchema,
  errorResponseSchema,
  healthSchema,
} from './schemas.ts';

/** Who may call a route: anyone, any API key, `write` (or `admin`) keys, or only `admin` keys. */
export type RouteAccess = 'public' | 'read' | 'write' | 'admin';

type ResponseDescription = { description: string; contentType?: string; schema?: string | Record<string, unknown>; localized?: boolean };

/** One documented route. Paths use OpenAPI's `{id}` syntax. */
export type RouteDescription = {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  access: RouteAccess;
  query?: z.ZodObject;
  pathParameters?: string[];
  requestBodies?: Array<{ contentType: string; schema: string | Record<string, unknown> }>;
  responses: Record<string, ResponseDescription>;
};

const componentSchemas: Record<string, z.ZodType> = {
  Document: documentRecordSchema,
  DocumentsAccepted: documentsAcceptedSchema,
  DocumentJsonRequest: documentJsonRequestSchema,
  DocumentList: documentListSchema,
  DocumentText: documentTextSchema,
  AskRequest: askRequestSchema,
  Answer: answerSchema,
  Candidate: candidateSchema,
  Health: healthSchema,
  CollectionCreate: collectionCreateSchema,
  DocumentMove: documentMoveRequestSchema,
  CollectionRename: collectionRenameSchema,
  KeyCreate: keyCreateSchema,
  Error: errorResponseSchema,
};

const errors = (...statuses: number[]): Record<string, ResponseDescription> =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: errorMeanings[status] ?? 'Error', schema: 'Error', localized: true }]));

/** How error messages pick their language; stated once in the document and on every operation. */
const languageDescription =
  'Error messages are German when `Accept-Language` prefers German by q-value (e.g. `de-DE,de;q=0.9`) and English otherwise or without the header; ' +
  '`error.code` is the same in every language. Error responses say the language in `Content-Language`. The same applies to `errorMessage` of failed documents and to `error` events of a stream.';

const acceptLanguageParameter = {
  name: 'Accept-Language',
  in: 'header',
  required: false,
  description: 'The language of error messages: German (`de`) or English (default).',
  schema: { type: 'string', examples: ['de-DE,de;q=0.9'] },
};

const contentLanguageHeader = {
  'Content-Language': { description: 'The language of `error.message`: `de` or `en`.', schema: { type: 'string', enum: ['de', 'en'] } },
};

const errorMeanings: Record<number, string> = {
  400: 'The request is invalid (`error.field` names the field), or the URL is one beleg does not fetch (`blocked_url`).',
  401: 'No or an unknown API key.',
  403: 'The API key may only read.',
  404: 'No such document.',
  409: 'The document is not ready yet.',
  413: 'The request or one of its files is too large.',
  415: 'The body or file type is not supported.',
  422: 'The file is empty or damaged (e.g. named .pdf but not a PDF).',
  429: 'Too many requests or questions at once; see `Retry-After`.',
  503: 'The engine is unavailable or the question waited too long in the queue; see `Retry-After`.',
};

const sseDescription =
  'Server-sent events, one per answer part: `sources`, `text-delta` (provisional engine output), `citation` (verified), `declined` (`answer`, `reason`, `confidence`), `finish` (carries the whole Answer, with `confidence` and `candidates`), `error`. Each `data:` is the part as JSON.';

/** What each decline reason means, for the `reason` field's description. */
const declineReasonMeanings: Record<DeclineReason, string> = {
  no_sources: 'nothing was found for the question',
  model_declined: 'the engine answered with the refusal',
  unverifiable_quote: 'the quote is not verbatim in the cited document, so it was dropped',
  below_threshold: "the best quote's confidence is below the threshold (the quote is listed under `candidates`)",
  focus_not_found: 'a term the question is about occurs in none of the found passages',
  off_topic: "the quote shares none of the question's focus terms",
};

/**
 * Descriptions of fields whose meaning the schemas alone do not say, by component and property.
 * The threshold words ("sicher" …) are the clients' business; the API gives the number.
 */
const fieldDescriptions: Record<string, Record<string, string>> = {
  AskRequest: {
    minConfidence:
      "Present a quote as the answer only when its confidence reaches this (0..1); below it the answer is declined (`below_threshold`) and the quote listed under `candidates`. Default: the server's threshold (BELEG_MIN_CONFIDENCE).",
  },
  Answer: {
    reason: `Why the answer was declined, null when answered: ${Object.entries(declineReasonMeanings)
      .map(([reason, meaning]) => `\`${reason}\`: ${meaning}`)
      .join('; ')}.`,
    confidence:
      "Estimated probability (0..1) that the quote answers the question. For a declined answer, that of the best candidate. Null when the engine cannot estimate it (such engines are not held to the threshold) or nothing was found.",
    candidates:
      'When declined although passages were found: verified quotes (exact offsets, page, document) that did not reach the threshold, best first, each with its own confidence. Passages to read, not an answer. Empty when answered.',
    sources: 'The retrieved passages, best first, on every answer.',
  },
  Candidate: {
    confidence: 'Estimated probability (0..1) that this quote answers the question; below the threshold.',
  },
};

/** Every route beleg serves, in the order the docs list them. */
export const routeDescriptions: RouteDescription[] = [
  {
    method: 'post',
    path: '/documents',
    summary: 'Upload files (multipart field `file`, several allowed) or send `{ "url": "…" }`; ingestion runs in the background.',
    access: 'write',
    requestBodies: [
      {
        contentType: 'multipart/form-data',
        schema: {
          type: 'object',
          properties: { file: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } },
          required: ['file'],
        },
      },
      { contentType: 'application/json', schema: 'DocumentJsonRequest' },
    ],
    responses: { '202': { description: 'Accepted; poll the documents for their status.', schema: 'DocumentsAccepted' }, ...errors(400, 401, 403, 413, 415, 422, 429) },
  },
  {
    method: 'get',
    path: '/documents',
    summary: 'List documents, newest first, with paging and a status filter.',
    access: 'read',
    query: documentListQuerySchema,
    responses: { '200': { description: 'A page of documents.', schema: 'DocumentList' }, ...errors(400, 401, 429) },
  },
  {
    method: 'get',
    path: '/documents/{id}',
    summary: 'One document: status, error, pages, chunk count.',
    access: 'read',
    pathParameters: ['id'],
    responses: { '200': { description: 'The document.', schema: 'Document' }, ...errors(401, 404, 429) },
  },
  {
    method: 'get',
    path: '/documents/{id}/text',
    summary: 'The stored text between `start` and `end` (character offsets, as in citations).',
    access: 'read',
    pathParameters: ['id'],
    query: documentTextQuerySchema,
    responses: { '200': { description: 'The excerpt.', schema: 'DocumentText' }, ...errors(400, 401, 404, 409, 429) },
  },
  {
    method: 'delete',
    path: '/documents/{id}',
    summary: 'Remove a document and its chunks.',
    access: 'write',
    pathParameters: ['id'],
    responses: { '204': { description: 'Removed.' }, ...errors(401, 403, 404, 429) },
  },
  {
    method: 'post',
    path: '/documents/{id}/move',
    summary: 'Move a document out of the collections this key may use into `collection` (a mail\'s attachments move with it).',
    access: 'write',
    pathParameters: ['id'],
    requestBodies: [{ contentType: 'application/json', schema: 'DocumentMove' }],
    responses: { '200': { description: 'The document, with its collections.', schema: 'Document' }, ...errors(400, 401, 403, 404, 429) },
  },
  {
    method: 'post',
    path: '/ask',
    summary:
      'Ask a question. Answers are verbatim quotes with offsets and a `confidence`, or a refusal with its `reason` and, when passages were found, `candidates` to read. `minConfidence` overrides the server threshold. `stream: true` or `Accept: text/event-stream` streams.',
    access: 'read',
    requestBodies: [{ contentType: 'application/json', schema: 'AskRequest' }],
    responses: {
      '200': { description: 'The answer (JSON), or its parts as server-sent events.', schema: 'Answer' },
      ...errors(400, 401, 413, 429, 503),
    },
  },
  {
    method: 'get',
    path: '/collections',
    summary: 'The collections this key may use, with their document counts.',
    access: 'read',
    responses: { '200': { description: '`{ collections: [{ id, name, createdAt, documentCount }] }`.' }, ...errors(401, 429) },
  },
  {
    method: 'post',
    path: '/collections',
    summary: 'Create a collection (`id`: lower-case letters, digits, dashes).',
    access: 'admin',
    requestBodies: [{ contentType: 'application/json', schema: 'CollectionCreate' }],
    responses: { '201': { description: 'The collection.' }, ...errors(400, 401, 403, 409, 429) },
  },
  {
    method: 'patch',
    path: '/collections/{id}',
    summary: 'Rename a collection.',
    access: 'admin',
    pathParameters: ['id'],
    requestBodies: [{ contentType: 'application/json', schema: 'CollectionRename' }],
    responses: { '200': { description: 'The collection.' }, ...errors(400, 401, 403, 404, 429) },
  },
  {
    method: 'delete',
    path: '/collections/{id}',
    summary: 'Delete an empty collection.',
    access: 'admin',
    pathParameters: ['id'],
    responses: { '204': { description: 'Deleted.' }, ...errors(401, 403, 404, 409, 429) },
  },
  {
    method: 'get',
    path: '/keys',
    summary: 'Stored API keys with role and collections, never their secrets (BELEG_API_KEYS are not listed).',
    access: 'admin',
    responses: { '200': { description: '`{ keys: [...] }`.' }, ...errors(401, 403, 429) },
  },
  {
    method: 'post',
    path: '/keys',
    summary: 'Create a key with a role and its collections (`["*"]` for all); the secret is in this response only.',
    access: 'admin',
    requestBodies: [{ contentType: 'application/json', schema: 'KeyCreate' }],
    responses: { '201': { description: '`{ key, secret }`.' }, ...errors(400, 401, 403, 404, 429) },
  },
  {
    method: 'post',
    path: '/keys/{id}/rotate',
    summary: 'A new secret for the key; the old one stops working at once.',
    access: 'admin',
    pathParameters: ['id'],
    responses: { '200': { description: '`{ key, secret }`.' }, ...errors(401, 403, 404, 429) },
  },
  {
    method: 'delete',
    path: '/keys/{id}',
    summary: 'Revoke a key.',
    access: 'admin',
    pathParameters: ['id'],
    responses: { '204': { description: 'Revoked.' }, ...errors(401, 403, 404, 429) },
  },
  {
    method: 'get',
    path: '/audit',
    summary: 'Who uploaded, deleted and asked what: question, collections, cited document ids (no document text); newest first.',
    access: 'admin',
    query: auditQuerySchema,
    responses: { '200': { description: '`{ events: [...] }`.' }, ...errors(400, 401, 403, 429) },
  },
  {
    method: 'get',
    path: '/health',
    summary: 'Storage, engines, embedding model and lexical-only mode. 503 when beleg cannot answer.',
    access: 'public',
    responses: { '200': { description: 'Healthy.', schema: 'Health' }, '503': { description: 'Degraded.', schema: 'Health' } },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: requests and latency by route, ingestion queue, tokens per second, refusals.',
    access: 'read',
    responses: { '200': { description: 'Prometheus text format.', contentType: 'text/plain; version=0.0.4' }, ...errors(401, 429) },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document.',
    access: 'public',
    responses: { '200': { description: 'OpenAPI 3.1.', contentType: 'application/json' } },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'A readable list of the routes.',
    access: 'public',
    responses: { '200': { description: 'HTML.', contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/',
    summary: 'The web page: upload, ask, see quotes in their sources.',
    access: 'public',
    responses: { '200': { description: 'HTML.', contentType: 'text/html' } },
  },
];

function schemaReference(schema: string | Record<string, unknown>): Record<string, unknown> {
  return typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function componentsSection(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(componentSchemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, withoutDialect(schema)]));
  return { schemas, securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A key from BELEG_API_KEYS.' } } };
}

/** The question length limit is configuration, not part of the shared schema: state it here. */
function withQuestionLimit(components: Record<string, unknown>, maxQuestionChars: number): Record<string, unknown> {
  const schemas = components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
  const question = schemas.AskRequest?.properties?.question;
  if (question) question.maxLength = maxQuestionChars;
  return components;
}

/** Sets the descriptions of `fieldDescriptions` on the generated component schemas. */
function withFieldDescriptions(components: Record<string, unknown>): Record<string, unknown> {
  const schemas = components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
  for (const [component, descriptions] of Object.entries(fieldDescriptions)) {
    for (const [property, description] of Object.entries(descriptions)) {
      const schema = schemas[component]?.properties?.[property];
      if (!schema) throw new Error(`OpenAPI: ${component}.${property} is described but not in the schema.`);
      schema.description = description;
    }
  }
  return components;
}

function operation(route: RouteDescription): Record<string, unknown> {
  const parameters: unknown[] = (route.pathParameters ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (Object.values(route.responses).some((response) => response.localized)) parameters.push(acceptLanguageParameter);
  for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
    const property = schema as z.ZodType;
    parameters.push({
      name,
      in: 'query',
      required: !property.safeParse(undefined).success,
      schema: withoutDialect(z.toJSONSchema(property, { io: 'input' }) as Record<string, unknown>),
    });
  }
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => {
      const content: Record<string, unknown> = {};
      if (response.schema) content[response.contentType ?? 'application/json'] = { schema: schemaReference(response.schema) };
      else if (response.contentType) content[response.contentType] = {};
      if (route.path === '/ask' && status === '200') content['text/event-stream'] = { schema: { type: 'string', description: sseDescription } };
      return [
        status,
        {
          description: response.description,
          ...(response.localized ? { headers: contentLanguageHeader } : {}),
          ...(Object.keys(content).length > 0 ? { content } : {}),
        },
      ];
    }),
  );
  return {
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.requestBodies
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(route.requestBodies.map((body) => [body.contentType, { schema: schemaReference(body.schema) }])),
          },
        }
      : {}),
    responses,
  };
}

/** Limits from the configuration that the document states. */
export type DocumentedLimits = { maxQuestionChars: number };

/** Builds the OpenAPI 3.1 document. `version` is beleg's version. */
export function buildOpenApiDocument(version: string, limits: DocumentedLimits): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeDescriptions) {
    paths[route.path] ??= {};
    paths[route.path]![route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'beleg',
      version,
      description:
        `German question answering that answers only with verbatim quotes from your documents, or refuses. Errors have the shape \`{ "error": { "code", "message" } }\`. ${languageDescription}`,
    },
    security: [{ apiKey: [] }],
    paths,
    components: withFieldDescriptions(withQuestionLimit(componentsSection(), limits.maxQuestionChars)),
  };
}
