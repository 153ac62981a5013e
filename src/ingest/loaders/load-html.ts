/** HTML loader (work in progress: replaced by the cheerio implementation). */
import { UnsupportedDocumentError } from '../../errors.ts';
import type { LoadedDocument } from '../types.ts';

export function loadHtml(_bytes: Uint8Array, _options: { contentType?: string | null; baseUrl?: string } = {}): LoadedDocument {
  throw new UnsupportedDocumentError('HTML loading is not available yet.');
}
