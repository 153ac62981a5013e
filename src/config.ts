/**
 * beleg's configuration, parsed once from the environment and CLI flags with zod.
 * Nothing else reads `process.env`: the parsed `Config` is passed in through factories.
 */
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { logLevels } from './logger.ts';
import { describeFirstIssue, languages, userMessage, type Language } from './messages/index.ts';

const integer = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/**
 * An API key and what it may do. `read` keys may ask and list; `write` keys may also upload and
 * delete; `admin` keys may also manage collections, keys and read the audit log. Keys from
 * BELEG_API_KEYS may use every collection.
 */
export const apiKeySchema = z.object({ key: z.string().min(16), role: z.enum(['read', 'write', 'admin']) });
export type ApiKey = z.infer<typeof apiKeySchema>;

/** Default `gptqPromptTokens` (bench/results/lean-prompt.md). */
export const DEFAULT_GPTQ_PROMPT_TOKENS = 768;

export const engineNames = ['extractive', 'gptq', 'tgi', 'openai'] as const;
export type EngineName = (typeof engineNames)[number];

export const configSchema = z.object({
  /** Where SQLite, LanceDB, stored texts and converted models live. */
  dataDir: z.string().min(1).default('./data'),
  /**
   * PostgreSQL for the metadata (documents, texts, jobs, collections, keys, audit) instead of
   * SQLite in the data directory; LanceDB and uploads stay in the data directory.
   */
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/, error: 'fragment.issue.database_url' }).optional(),
  /** PostgreSQL: connections of this process's main pool (4 more hold content locks). */
  databasePoolSize: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * What this process does (`beleg serve --role`): `all` answers requests and indexes documents
   * (the default; the only role with SQLite); `api` answers requests and records ingestion jobs;
   * `worker` takes jobs from the PostgreSQL work queue (and serves only /health and /metrics).
   * `api` and `worker` need BELEG_DATABASE_URL and a shared BELEG_LANCEDB_URI.
   */
  role: z.enum(['all', 'api', 'worker']).default('all'),
  /** Work queue: how long a worker's lease on a job lasts; a killed worker's jobs are taken again after it. */
  queueLeaseMs: z.coerce.number().int().min(1000).default(30000),
  /** Work queue: how often an idle worker looks for jobs, and a waiting caller for a document another process indexes. */
  queuePollMs: z.coerce.number().int().min(10).default(250),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Lowest level written to the JSON log on stdout (`silent` writes nothing). */
  logLevel: z.enum(logLevels).default('info'),

  engine: z.enum(engineNames).optional(),
  /** Directory of a GPTQ checkpoint for the local engine. */
  modelDir: z.string().optional(),
  /**
   * GPTQ arithmetic: `fast` (default) quantizes activations to int8 per block, like llama.cpp's
   * Q4_0 path: about 2x faster decoding and 1.11–1.21x the checkpoint's size in memory while
   * loading 7B/13B-shaped models (bench/engine), logits within ~5e-2 of transformers. `exact`
   * computes in float32 and matches transformers to ~1e-5, at 1.59x memory. Quotes stay verbatim
   * either way: the quote mask and the verification do not depend on it.
   */
  gptqAccuracy: z.enum(['exact', 'fast']).default('fast'),
  /**
   * Lean prompts for the GPTQ engine: the grounded prompt holds at most this many tokens, filled
   * with sentence windows of the best-ranked passages (src/retrieve/build-prompt.ts), since prefill
   * dominates a local engine's time to an answer. 0: the whole context (4,096 minus the answer).
   * The default keeps the extractive engine's answer recall on XQuAD-de (bench/results/lean-prompt.md).
   */
  gptqPromptTokens: z.coerce.number().int().nonnegative().default(DEFAULT_GPTQ_PROMPT_TOKENS),
  /**
   * Memory for prompt states the GPTQ engine keeps beyond its last answer, in MiB
   * (src/engine/gptq/prompt-state-cache.ts): the same question again, or a follow-up over the same
   * sources, after other people's questions skips reading its prompt again. A prompt position costs
   * 45 KB on TinyLlama's shape and 1.6 MB on EM German 13B's (~1.3 GB for a 768-token prompt).
   * 0 turns it off.
   */
  gptqPromptCacheMb: z.coerce.number().int().nonnegative().default(2048),
  /** onnxruntime threads for the GPTQ engine (0: all cores). */
  gptqThreads: z.coerce.number().int().nonnegative().default(0),
  /** Base URL of a remote engine (TGI or OpenAI-compatible). */
  engineUrl: z.string().url().optional(),
  /** Model name sent to OpenAI-compatible servers. */
  engineModel: z.string().optional(),
  /**
   * A quote is presented as the answer only when its confidence (the estimated probability that it
   * answers the question) reaches this; below it beleg declines and lists the quote as a possible
   * passage. Default: the calibrated precision-first value in src/answer/confidence.ts.
   */
  minConfidence: z.coerce.number().min(0).max(1).optional(),
  /** Directory of an ONNX sentence-embedding model; without one beleg runs lexical-only. */
  embeddingModelDir: z.string().optional(),
  /**
   * The LanceDB location of the chunk table when several beleg processes share it: a directory
   * (made absolute), or an object-store URI (`s3://…`, `gs://…`, `az://…`, `s3+ddb://…`). Unset: `<dataDir>/lancedb`,
   * used by this process alone. Setting it puts the store in shared mode (README "Shared chunk
   * store"): indexes are maintained by one elected process and start-up reconciliation leaves
   * chunks of unfinished documents alone.
   */
  lancedbUri: z.string().min(1).optional(),
  /** LanceDB storage options for an object store (credentials, endpoint, region …), passed through as strings. */
  lancedbStorageOptions: z.record(z.string(), z.string()).default({}),
  /**
   * Shared store: milliseconds after which a read looks for other processes' commits (0: every
   * read does). bench/store-sharing measured the cost of each choice.
   */
  lancedbReadConsistencyMs: z.coerce.number().int().nonnegative().default(0),
  /** Shared store: how often the maintaining process folds new rows into the indexes, and others try to take over. */
  lancedbMaintenanceIntervalMs: z.coerce.number().int().min(50).default(1000),
  /** Directory of the Llama-2 tokenizer used for token budgets (defaults to the bundled copy). */
  tokenizerDir: z.string().optional(),

  /** API keys; empty means no authentication, and then beleg listens on loopback only. */
  apiKeys: z.array(apiKeySchema).default([]),

  /**
   * The CLI: a running beleg server that `ingest`, `ask`, `docs` and `rm` talk to over HTTP instead
   * of opening the data directory. Without it they still use the server that holds the data
   * directory, found through its lock (src/db/data-directory-lock.ts).
   */
  serverUrl: z.url({ protocol: /^https?$/, error: 'fragment.issue.server_url' }).optional(),
  /** Days the audit log keeps an entry (0: forever). */
  auditRetentionDays: z.coerce.number().int().nonnegative().default(365),
  /** The CLI: the API key it sends to that server (one of the server's BELEG_API_KEYS). */
  serverApiKey: z.string().min(1).optional(),

  limits: z
    .object({
      maxDocumentBytes: integer(50 * 1024 * 1024),
      maxRequestBytes: integer(60 * 1024 * 1024),
      maxQuestionChars: integer(1000),
      maxConcurrentGenerations: integer(2),
      maxQueuedGenerations: integer(32),
      queueTimeoutMs: integer(30_000),
      rateLimitPerMinute: integer(600),
      ingestQueueSize: integer(1000),
      fetchTimeoutMs: integer(20_000),
      maxRedirects: integer(5),
      parseTimeoutMs: integer(30_000),
      /**
       * OCR: time allowed per scanned page, on top of `parseTimeoutMs` (a 50-page scan gets
       * 30 s + 50 × this); a page that alone runs past it fails the document with `ocr_timeout`.
       */
      ocrPageTimeoutMs: integer(60_000),
      /** OCR: scanned pages read per document at most; a longer scan fails with `ocr_too_many_pages`. */
      ocrMaxPages: integer(500),
    })
    .default({} as never),

  /**
   * Text recognition (OCR) of scanned PDF pages and images: `auto` (default) reads PDF pages
   * without a text layer and PNG/JPEG/TIFF uploads with tesseract.js (German + English);
   * `off` refuses them (`pdf_scanned`, `unsupported_document` for images).
   */
  ocr: z.enum(['off', 'auto']).default('auto'),

  /**
   * Hosts or CIDR ranges URL ingestion may reach although they are private or loopback.
   * Meant for tests and intranets; empty by default.
   */
  urlAllowList: z.array(z.string()).default([]),

  /**
   * The language of what the CLI prints (errors, status lines): German when the locale
   * (LC_ALL, else LC_MESSAGES, else LANG) is `de*`, English otherwise. The HTTP API ignores it and
   * answers each request in the language its Accept-Language prefers.
   */
  language: z.enum(languages).default('en'),
});

export type Config = z.infer<typeof configSchema>;

/** Environment variables beleg reads, and the config key each one sets. */
const environmentKeys: Record<string, (value: string) => Partial<Record<string, unknown>>> = {
  BELEG_DATA_DIR: (value) => ({ dataDir: value }),
  BELEG_DATABASE_URL: (value) => ({ databaseUrl: value }),
  BELEG_DATABASE_POOL_SIZE: (value) => ({ databasePoolSize: value }),
  BELEG_ROLE: (value) => ({ role: value.toLowerCase() }),
  BELEG_QUEUE_LEASE_MS: (value) => ({ queueLeaseMs: value }),
  BELEG_QUEUE_POLL_MS: (value) => ({ queuePollMs: value }),
  BELEG_HOST: (value) => ({ host: value }),
  BELEG_PORT: (value) => ({ port: value }),
  BELEG_LOG_LEVEL: (value) => ({ logLevel: value.toLowerCase() }),
  BELEG_ENGINE: (value) => ({ engine: value }),
  BELEG_MODEL_DIR: (value) => ({ modelDir: value }),
  BELEG_GPTQ_ACCURACY: (value) => ({ gptqAccuracy: value }),
  BELEG_GPTQ_THREADS: (value) => ({ gptqThreads: value }),
  BELEG_GPTQ_PROMPT_CACHE_MB: (value) => ({ gptqPromptCacheMb: value }),
  BELEG_GPTQ_PROMPT_TOKENS: (value) => ({ gptqPromptTokens: value }),
  BELEG_ENGINE_URL: (value) => ({ engineUrl: value }),
  BELEG_ENGINE_MODEL: (value) => ({ engineModel: value }),
  BELEG_EMBEDDING_MODEL_DIR: (value) => ({ embeddingModelDir: value }),
  BELEG_MIN_CONFIDENCE: (value) => ({ minConfidence: value }),
  BELEG_TOKENIZER_DIR: (value) => ({ tokenizerDir: value }),
  BELEG_API_KEYS: (value) => ({ apiKeys: parseApiKeys(value) }),
  BELEG_SERVER_URL: (value) => ({ serverUrl: value }),
  BELEG_API_KEY: (value) => ({ serverApiKey: value }),
  BELEG_URL_ALLOW_LIST: (value) => ({ urlAllowList: splitList(value) }),
  BELEG_OCR: (value) => ({ ocr: value.toLowerCase() }),
  BELEG_AUDIT_RETENTION_DAYS: (value) => ({ auditRetentionDays: value }),
  BELEG_LANCEDB_URI: (value) => ({ lancedbUri: value }),
  BELEG_LANCEDB_STORAGE_OPTIONS: (value) => ({ lancedbStorageOptions: parseJsonObject(value) }),
  BELEG_LANCEDB_READ_CONSISTENCY_MS: (value) => ({ lancedbReadConsistencyMs: value }),
  BELEG_LANCEDB_MAINTENANCE_INTERVAL_MS: (value) => ({ lancedbMaintenanceIntervalMs: value }),
};

/** JSON text as a value; text that is no JSON stays text, which the schema then refuses with its own message. */
function parseJsonObject(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Whether a LanceDB location is an object-store URI (`scheme://…`) rather than a directory. */
export function isObjectStoreUri(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

const limitKeys: Record<string, keyof Config['limits']> = {
  BELEG_MAX_DOCUMENT_BYTES: 'maxDocumentBytes',
  BELEG_MAX_REQUEST_BYTES: 'maxRequestBytes',
  BELEG_MAX_QUESTION_CHARS: 'maxQuestionChars',
  BELEG_MAX_CONCURRENT_GENERATIONS: 'maxConcurrentGenerations',
  BELEG_MAX_QUEUED_GENERATIONS: 'maxQueuedGenerations',
  BELEG_QUEUE_TIMEOUT_MS: 'queueTimeoutMs',
  BELEG_RATE_LIMIT_PER_MINUTE: 'rateLimitPerMinute',
  BELEG_INGEST_QUEUE_SIZE: 'ingestQueueSize',
  BELEG_FETCH_TIMEOUT_MS: 'fetchTimeoutMs',
  BELEG_MAX_REDIRECTS: 'maxRedirects',
  BELEG_PARSE_TIMEOUT_MS: 'parseTimeoutMs',
  BELEG_OCR_PAGE_TIMEOUT_MS: 'ocrPageTimeoutMs',
  BELEG_OCR_MAX_PAGES: 'ocrMaxPages',
};

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * `BELEG_API_KEYS=key1:write,key2:read,key3` — a key without a role is an admin key (it could do
 * everything before collections existed, and still can).
 */
function parseApiKeys(value: string): ApiKey[] {
  return splitList(value).map((item) => {
    const separator = item.lastIndexOf(':');
    const role = separator > 0 ? item.slice(separator + 1) : '';
    if (role === 'read' || role === 'write' || role === 'admin') return { key: item.slice(0, separator), role };
    return { key: item, role: 'admin' as const };
  });
}

/**
 * The language of messages from the POSIX locale variables: the first set of LC_ALL, LC_MESSAGES
 * and LANG decides; German for `de`, `de_DE.UTF-8`, `de-AT` …, English for everything else
 * (`C`, `POSIX`, `en_US.UTF-8`, unset). Used by loadConfig, and by the CLI for errors that
 * happen before a configuration exists.
 */
export function languageOfLocale(environment: Record<string, string | undefined>): Language {
  const locale = [environment.LC_ALL, environment.LC_MESSAGES, environment.LANG].find((value) => value !== undefined && value !== '') ?? '';
  return /^de([_.@-]|$)/i.test(locale) ? 'de' : 'en';
}

/**
 * Builds the configuration from environment variables, then CLI flags (flags win).
 * Throws a ValidationError naming the offending setting.
 */
export function loadConfig(
  environment: Record<string, string | undefined>,
  flags: Record<string, unknown> = {},
): Config {
  const raw: Record<string, unknown> = {};
  const limits: Record<string, unknown> = {};
  for (const [name, apply] of Object.entries(environmentKeys)) {
    const value = environment[name];
    if (value !== undefined && value !== '') Object.assign(raw, apply(value));
  }
  for (const [name, key] of Object.entries(limitKeys)) {
    const value = environment[name];
    if (value !== undefined && value !== '') limits[key] = value;
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) raw[key] = value;
  }
  raw.limits = limits;
  raw.language ??= languageOfLocale(environment);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const { path: setting, problem } = describeFirstIssue(configSchema, raw, parsed.error);
    throw new ValidationError(userMessage('validation_failed.configuration', { setting, problem }), { setting });
  }
  const { lancedbUri, role, databaseUrl } = parsed.data;
  if (role !== 'all' && (databaseUrl === undefined || lancedbUri === undefined)) {
    throw new ValidationError(userMessage('validation_failed.role_needs_shared_storage', { role }), { setting: 'role' });
  }
  return {
    ...parsed.data,
    dataDir: path.resolve(parsed.data.dataDir),
    lancedbUri: lancedbUri === undefined || isObjectStoreUri(lancedbUri) ? lancedbUri : path.resolve(lancedbUri),
  };
}
