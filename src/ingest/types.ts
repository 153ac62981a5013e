/**
 * Shapes that flow through ingestion: what a loader returns, how sentences and chunks point into
 * the stored text. Offsets are UTF-16 code-unit indices into `LoadedDocument.text` (JavaScript
 * string indices), so `text.slice(charStart, charEnd)` is always the exact chunk or quote.
 */
import type { UserMessage } from '../messages/index.ts';

export type SourceKind = 'file' | 'url' | 'text';

/** What the caller hands to ingestion. */
export type DocumentInput =
  | { kind: 'file'; fileName: string; bytes: Uint8Array; mimeType?: string }
  | { kind: 'url'; url: string }
  | { kind: 'text'; fileName?: string; title?: string; text: string; mimeType?: 'text/plain' | 'text/markdown' };

/**
 * A page of a PDF, a slide of a presentation or a row of a spreadsheet: its 1-based number and
 * where its text sits in the document text. `kind` is absent for PDF pages (stored before slides
 * and rows existed); a row names its sheet and its cells (`A5:D5`), so a citation can say
 * "Tabelle Haushalt, Zeile 5". `ocr` marks a page whose text was recognised from its image (a scan),
 * `ocrConfidence` is tesseract's mean word confidence for it (0..1). Kept in the pages JSON of
 * document_texts as it is.
 */
export type PageSpan = {
  number: number;
  charStart: number;
  charEnd: number;
  /** What `number` counts: `page` (the default), `slide` or a spreadsheet `row`. */
  kind?: PageKind;
  /** Rows: the sheet's name. */
  sheet?: string;
  /** Rows: the cell range the row's text comes from (`A5:D5`). */
  cells?: string;
  /** Scanned pages: the text came from OCR. */
  ocr?: boolean;
  /** Scanned pages: mean OCR word confidence, 0..1. */
  ocrConfidence?: number;
};

/** What a PageSpan counts. */
export type PageKind = 'page' | 'slide' | 'row';

/** A section of an HTML or Markdown document under a heading path (`["Kapitel 2", "Anbau"]`). */
export type SectionSpan = { headingPath: string[]; charStart: number; charEnd: number };

/** A file attached to a document (an e-mail's attachment), as the loader found it. */
export type DocumentAttachment = { fileName: string; mimeType: string; bytes: Uint8Array };

/** The normalized text of a document and what is known about it. */
export type LoadedDocument = {
  /** Normalized full text (NFC, de-hyphenated, headers/footers dropped). Stored verbatim. */
  text: string;
  title: string | null;
  mimeType: string;
  /** `de`, `en`, … when detectable, else null. */
  language: string | null;
  /** PDFs: one span per page, in order, covering the text; presentations: one per slide; spreadsheets: one per row. */
  pages?: PageSpan[];
  /** HTML/Markdown: section spans, in order. */
  sections?: SectionSpan[];
  /** URLs: the URL after redirects, and the canonical URL if the page declares one. */
  finalUrl?: string;
  canonicalUrl?: string;
  /** E-mails: the attached files (inline images of an HTML body left out); ingestion submits the readable ones as documents of their own. */
  attachments?: DocumentAttachment[];
  /** The raw bytes that were loaded (hashed for idempotency). */
  bytes: Uint8Array;
};

/**
 * A sentence, as offsets into the document text (leading/trailing whitespace excluded), and where
 * it stands among the text's blocks (paragraphs, headings, list items, table rows, pages).
 */
export type SentenceSpan = {
  charStart: number;
  charEnd: number;
  /** A block boundary lies before this sentence: a quote must not run into it from the one before. */
  blockStart?: boolean;
  /** The sentence is a heading: never quoted, alone or in a run. */
  heading?: boolean;
};

/** A chunk before it is stored: whole sentences within a token budget. */
export type ChunkDraft = {
  ordinal: number;
  /** Always `documentText.slice(charStart, charEnd)`. */
  text: string;
  charStart: number;
  charEnd: number;
  /** PDF page or slide the chunk starts on (1-based), else null (also for spreadsheet rows). */
  page: number | null;
  /** Heading path joined with ` > `, else null. */
  headingPath: string | null;
  /** Llama-2 tokens of `text` (no BOS). */
  tokenCount: number;
  /** Sentences of this chunk, offsets into the document text. */
  sentences: SentenceSpan[];
};

export type DocumentStatus = 'pending' | 'indexing' | 'ready' | 'failed';

/** A document's metadata as kept in SQLite (the source of truth). */
export type DocumentRecord = {
  id: string;
  sourceKind: SourceKind;
  fileName: string | null;
  url: string | null;
  finalUrl: string | null;
  title: string | null;
  mimeType: string | null;
  sha256: string | null;
  byteSize: number | null;
  pageCount: number | null;
  language: string | null;
  status: DocumentStatus;
  errorCode: string | null;
  /** The error's message in English. */
  errorMessage: string | null;
  /** The error's catalogue message, to say it in the reader's language (absent: only the English text is known). */
  errorUserMessage?: UserMessage | null;
  chunkCount: number;
  createdAt: string;
  updatedAt: string;
  /** URLs: 1 for the first ingestion, +1 for each re-ingestion whose content changed. */
  version?: number;
  /** URLs: the id of the version this one replaced (that id now resolves to this document). */
  supersedes?: string | null;
  /** Attachments: the e-mail this document was ingested from (null: uploaded on its own). */
  parentId?: string | null;
  /** E-mails: the ids of the attachments ingested as documents of their own (absent when none). */
  attachmentIds?: string[];
  /** The collections the document is in (absent from implementations without collections). */
  collectionIds?: string[];
  /** While `indexing` a scan: how many of its scanned pages OCR has read (absent otherwise; not stored). */
  progress?: { ocrPagesDone: number; ocrPagesTotal: number };
};

/**
 * The collections a caller may see: every one (`'*'`) or these ids. A document outside them does
 * not exist for that caller (not_found), so nothing says it is there.
 */
export type CollectionScope = '*' | readonly string[];

/** What `Ingestion.submit` may be told besides the input. */
export type SubmitOptions = {
  /** The collection the document goes into (default `allgemein`); identical content already stored joins it too. */
  collectionId?: string;
};

/** What `Ingestion.ingest` may be told besides the input. */
export type IngestOptions = SubmitOptions & { onProgress?: (progress: { ocrPagesDone: number; ocrPagesTotal: number }) => void };

export type ListDocumentsOptions = {
  limit?: number;
  offset?: number;
  status?: DocumentStatus;
  /** Only documents in at least one of these collections (the filter runs inside the SQL query). */
  collectionIds?: readonly string[];
};

/** What the API and CLI use to ingest and manage documents (implemented in ./ingestion-service.ts). */
export interface Ingestion {
  /**
   * Records the document as `pending` and queues it; returns at once. Identical content returns the
   * existing document. Throws OverloadedError when the queue is full.
   */
  submit(input: DocumentInput, options?: SubmitOptions): Promise<DocumentRecord>;
  /**
   * Like submit, but resolves once the document is `ready` or `failed`; `onProgress` hears how
   * OCR of a scan advances.
   */
  ingest(input: DocumentInput, options?: IngestOptions): Promise<DocumentRecord>;
  /** The document; NotFoundError when it does not exist or is outside `scope`. */
  get(id: string, scope?: CollectionScope): Promise<DocumentRecord>;
  list(options?: ListDocumentsOptions): Promise<{ documents: DocumentRecord[]; total: number }>;
  /**
   * Removes the document from both stores. With a `scope` other than `'*'`, it leaves only those
   * collections; the document itself goes once it is in no collection any more.
   */
  remove(id: string, scope?: CollectionScope): Promise<void>;
  /**
   * Moves the document out of the collections of `scope` (all for `'*'`) into `collectionId`, a
   * mail's attachments with it; CollectionNotFoundError for an unknown collection.
   */
  move(id: string, collectionId: string, scope?: CollectionScope): Promise<DocumentRecord>;
  /** The stored normalized text of a ready document; DocumentNotReadyError (`document_not_ready`) while it is not ready. */
  text(id: string, scope?: CollectionScope): Promise<string>;
  /**
   * The page spans of a ready document (PDF pages, slides, spreadsheet rows; offsets into its stored text), null when it has none.
   * Optional so that older implementations still satisfy the contract.
   */
  pages?(id: string, scope?: CollectionScope): Promise<PageSpan[] | null>;
  /** Documents waiting or being indexed. */
  queueDepth(): number;
  /** Where the queue is and how deep, looked up now; optional (in-memory fakes have only `queueDepth`). */
  queueStatus?(): Promise<QueueStatus>;
  /** Finishes or aborts in-flight work and closes the stores. */
  close(): Promise<void>;
}

/** Where the ingestion queue is, for /health and /metrics. */
export type QueueStatus = {
  /** `memory`: this process's queue (SQLite); `postgres`: the work queue shared by every process. */
  kind: 'memory' | 'postgres';
  /** Whether this process indexes documents. */
  working: boolean;
  /** Documents waiting (shared queue: for any worker, not held by one). */
  waiting: number;
  /** Documents being indexed (shared queue: held by a live lease of any worker). */
  running: number;
  /** Documents this process has taken and not finished. */
  local: number;
};
