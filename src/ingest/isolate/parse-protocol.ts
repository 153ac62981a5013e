/**
 * Messages between beleg and a parser process (src/ingest/isolate/parser-process-main.ts). Only
 * plain data crosses the process boundary (IPC with structured-clone serialization): errors travel as their class name, code, message,
 * catalogue message and details and are rebuilt on the main side.
 */
import type { UserMessage } from '../../messages/index.ts';
import type { IsolatedFormat } from '../loaders/isolated-loaders.ts';
import type { OcrProgress, OcrSettings } from '../ocr/ocr-settings.ts';
import type { LoadedDocument } from '../types.ts';

/** One document to parse: its format and what the loader needs besides the bytes. */
export type ParseRequest = {
  id: number;
  format: IsolatedFormat;
  bytes: Uint8Array;
  contentType: string | null;
  baseUrl?: string;
  fileName?: string;
  /** How scanned pages and images are treated (OCR on when absent). */
  ocr?: OcrSettings;
};

/** A parsed document without its bytes (the parent still holds them). */
export type ParsedDocument = Omit<LoadedDocument, 'bytes'>;

/** A failure inside the parser, as plain data. */
export type SerializedError = { name: string; code: string | null; message: string; userMessage?: UserMessage; details?: Record<string, unknown> };

/** The outcome of one request, with the parser's resident memory after it (bytes). */
export type ParseReply =
  | { id: number; ok: true; document: ParsedDocument; residentBytes: number }
  | { id: number; ok: false; error: SerializedError; residentBytes: number };

/** Sent by the parser while it works on request `id`: how far OCR has come. */
export type ParseProgress = { id: number; progress: OcrProgress };

/** Everything a parser process sends. */
export type ParserMessage = ParseReply | ParseProgress;
