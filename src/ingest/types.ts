/**
 * Shapes that flow through ingestion: what a loader returns, how sentences and chunks point into
 * the stored text. Offsets are UTF-16 code-unit indices into `LoadedDocument.text` (JavaScript
 * string indices), so `text.slice(charStart, charEnd)` is always the exact chunk or quote.
 */

export type SourceKind = 'file' | 'url' | 'text';

/** What the caller hands to ingestion. */
export type DocumentInput =
  | { kind: 'file'; fileName: string; bytes: Uint8Array; mimeType?: string }
  | { kind: 'url'; url: string }
  | { kind: 'text'; fileName?: string; title?: string; text: string; mimeType?: 'text/plain' | 'text/markdown' };

/** A page of a PDF: its 1-based number and where its text sits in the document text. */
export type PageSpan = { number: number; charStart: number; charEnd: number };

/** A section of an HTML or Markdown document under a heading path (`["Kapitel 2", "Anbau"]`). */
export type SectionSpan = { headingPath: string[]; charStart: number; charEnd: number };

/** The normalized text of a document and what is known about it. */
export type LoadedDocument = {
  /** Normalized full text (NFC, de-hyphenated, headers/footers dropped). Stored verbatim. */
  text: string;
  title: string | null;
  mimeType: string;
  /** `de`, `en`, … when detectable, else null. */
  language: string | null;
  /** PDFs: one span per page, in order, covering the text. */
  pages?: PageSpan[];
  /** HTML/Markdown: section spans, in order. */
  sections?: SectionSpan[];
  /** URLs: the URL after redirects, and the canonical URL if the page declares one. */
  finalUrl?: string;
  canonicalUrl?: string;
  /** The raw bytes that were loaded (hashed for idempotency). */
  bytes: Uint8Array;
};

/** A sentence, as offsets into the document text (leading/trailing whitespace excluded). */
export type SentenceSpan = { charStart: number; charEnd: number };

/** A chunk before it is stored: whole sentences within a token budget. */
export type ChunkDraft = {
  ordinal: number;
  /** Always `documentText.slice(charStart, charEnd)`. */
  text: string;
  charStart: number;
  charEnd: number;
  /** PDF page the chunk starts on (1-based), else null. */
  page: number | null;
  /** Heading path joined with ` > `, else null. */
  headingPath: string | null;
  /** Llama-2 tokens of `text` (no BOS). */
  tokenCount: number;
  /** Sentences of this chunk, offsets into the document text. */
  sentences: SentenceSpan[];
};
