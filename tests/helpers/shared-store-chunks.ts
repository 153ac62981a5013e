/**
 * Chunks of made-up documents for the shared chunk store's tests and benchmark: each document's
 * chunks name the document in a word of their own (`kennungdoca1`, from the id's letters and
 * digits), so a full-text search for that word finds exactly that document.
 */
import type { ChunkRow } from '../../src/store/chunk-store.ts';

/** The word only `documentId`'s chunks contain. */
export function documentWord(documentId: string): string {
  return `kennung${documentId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/**
 * `count` chunks of `documentId`, ordinals 0…count−1, each naming the document's word `repeat`
 * times (LanceDB 0.31's flat pass over rows not yet in the full-text index misses a row that
 * holds the query term three or more times; see src/store/lancedb/lancedb-chunk-store.ts).
 */
export function sharedStoreChunks(documentId: string, count: number, repeat = 1): ChunkRow[] {
  const word = documentWord(documentId);
  const again = Array.from({ length: repeat - 1 }, () => ` Siehe ${word}.`).join('');
  return Array.from({ length: count }, (_, ordinal) => {
    const text = `Bescheid ${word}, Abschnitt ${ordinal}: Die Gemeinde erhebt für das Grundstück eine Gebühr von ${100 + ordinal} Euro im Jahr.${again}`;
    return {
      id: `${documentId}-${ordinal}`,
      documentId,
      ordinal,
      text,
      charStart: ordinal * 200,
      charEnd: ordinal * 200 + text.length,
      page: null,
      headingPath: null,
      tokenCount: 30,
      sentenceOffsets: [0, text.length],
    };
  });
}
