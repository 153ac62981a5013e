/** PDF loader (work in progress: replaced by the unpdf implementation). */
import { UnsupportedDocumentError } from '../../errors.ts';
import type { LoadedDocument } from '../types.ts';

export async function loadPdf(_bytes: Uint8Array, _options: { signal?: AbortSignal } = {}): Promise<LoadedDocument> {
  throw new UnsupportedDocumentError('PDF loading is not available yet.');
}
