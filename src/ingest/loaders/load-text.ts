/**
 * Plain-text loader: decode, normalize, title from the first line when it is short.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { normalizeText } from './normalize-text.ts';

/** Loads already-decoded plain text. Throws `empty_document` when nothing but whitespace is left. */
export function loadText(text: string, bytes: Uint8Array, options: { title?: string | null } = {}): LoadedDocument {
  const normalized = normalizeText(text);
  if (normalized.length === 0) {
    throw new UnprocessableDocumentError(userMessage('empty_document.no_text'));
  }
  return {
    text: normalized,
    title: options.title ?? titleFromFirstLine(normalized),
    mimeType: 'text/plain',
    language: detectLanguage(normalized),
    bytes,
  };
}

/** The first line as title when it is short and followed by more text, like a heading. */
function titleFromFirstLine(text: string): string | null {
  const newline = text.indexOf('\n');
  if (newline < 0) return null;
  const firstLine = text.slice(0, newline).trim();
  return firstLine.length > 0 && firstLine.length <= 120 && !/[.!?:;,]$/.test(firstLine) ? firstLine : null;
}
