/** A failed document's error message in the reader's language. */
import { formatMessage, type Language } from '../messages/index.ts';
import type { DocumentRecord } from './types.ts';

/**
 * The error of a failed document in `language`, from its stored catalogue message; documents that
 * failed before beleg stored those keep their English text. Null when the document has no error.
 */
export function documentErrorIn(document: Pick<DocumentRecord, 'errorMessage' | 'errorUserMessage'>, language: Language): string | null {
  if (document.errorUserMessage) return formatMessage(document.errorUserMessage, language);
  return document.errorMessage;
}

/**
 * A document as a reader gets it (the API's responses, `beleg docs --json`): a failed document's
 * `errorMessage` in `language`, without the stored catalogue message behind it.
 */
export function documentInLanguage(document: DocumentRecord, language: Language): DocumentRecord {
  const { errorUserMessage: _stored, ...shown } = document;
  return { ...shown, errorMessage: documentErrorIn(document, language) };
}
