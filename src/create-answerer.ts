/**
 * `createAnswerService`: the wiring of retrieval, prompt building, stored texts and engines into
 * an `Answerer` over an opened app context. `beleg ask`, `beleg serve`, `beleg eval`, the benches
 * and the integration tests all answer through it, so they retrieve and verify the same way.
 */
import { AnswerService, type AnswerChunk } from './answer/answer-service.ts';
import type { LlamaTokenizer } from './engine/tokenizer/llama-tokenizer.ts';
import type { IngestionService } from './ingest/ingestion-service.ts';
import type { HybridSearch } from './retrieve/hybrid-search.ts';
import type { LanguageModel } from './engine/language-model.ts';
import { NotFoundError } from './errors.ts';
import type { DocumentRecord } from './ingest/types.ts';
import { buildGroundedPrompt } from './retrieve/build-prompt.ts';
import { DEFAULT_MIN_CONFIDENCE } from './answer/confidence.ts';

/** Longest answer the prompt leaves room for, in tokens. */
export const MAX_NEW_TOKENS = 384;

/** What the answerer needs from the app context (the whole context satisfies it). */
export type AnswererContext = { search: HybridSearch; ingestion: IngestionService; tokenizer: LlamaTokenizer };

/**
 * An Answerer over an opened app context: the context's hybrid search (German full text with
 * compound parts, plus vectors when an embedding model is loaded) over ready documents with
 * neighbouring chunks, EM German's prompt within the token budget, and verification against the
 * stored texts.
 */
/** Settings of the answer service (from Config). */
export type AnswerServiceSettings = {
  /** Threshold below which a quote is declined; default DEFAULT_MIN_CONFIDENCE. */
  minConfidence?: number;
};

export function createAnswerService(
  context: AnswererContext,
  engines: Record<string, LanguageModel>,
  defaultEngine: string,
  settings: AnswerServiceSettings = {},
): AnswerService {
  const documents = new Map<string, Promise<DocumentRecord>>();
  const documentOf = (id: string) => {
    let record = documents.get(id);
    if (!record) {
      record = context.ingestion.get(id);
      documents.set(id, record);
      record.catch(() => documents.delete(id));
    }
    return record;
  };
  return new AnswerService({
    async retrieve(question, options): Promise<AnswerChunk[]> {
      // With collections, the chunk store's query filters on the collections its chunks carry
      // (copied from SQLite's memberships): chunks of other documents are never searched. The ready
      // documents in those collections, from SQLite, drop chunks of documents not (or no longer) ready.
      const collectionIds = options.collectionIds;
      const ready = collectionIds === undefined ? await context.ingestion.readyDocumentIds() : await context.ingestion.readyDocumentIdsIn(collectionIds);
      if (collectionIds !== undefined && ready.length === 0) return [];
      const found = await context.search.search({
        query: question,
        limit: options.topK,
        documentIds: options.documentIds,
        collectionIds,
        readyDocumentIds: ready,
        neighbours: true,
      });
      // Checked again now: a document moved out of the collections or deleted during the search is no source.
      const stillVisible = collectionIds === undefined ? null : await context.ingestion.visibleReadyAmong(found.map((hit) => hit.chunk.documentId), collectionIds);
      const hits = stillVisible === null ? found : found.filter((hit) => stillVisible.has(hit.chunk.documentId));
      const chunks = await Promise.all(
        hits.map(async (hit): Promise<AnswerChunk | null> => {
          // A document deleted since the search is simply no longer a source.
          const record = await documentOf(hit.chunk.documentId).catch((error: unknown) => {
            if (error instanceof NotFoundError) return null;
            throw error;
          });
          if (!record) return null;
          return {
            chunk: hit.chunk,
            document: { id: record.id, title: record.title, url: record.finalUrl ?? record.url, fileName: record.fileName },
            score: hit.score,
            ranks: hit.ranks,
          };
        }),
      );
      return chunks.filter((chunk): chunk is AnswerChunk => chunk !== null);
    },
    buildPrompt: (question, chunks) => buildGroundedPrompt({ question, chunks, tokenizer: context.tokenizer, maxNewTokens: MAX_NEW_TOKENS }),
    getText: (documentId) => context.ingestion.text(documentId),
    visibleAmong: (documentIds, collectionIds) => context.ingestion.visibleReadyAmong(documentIds, collectionIds),
    getPages: (documentId) => context.ingestion.pages(documentId),
    engines,
    defaultEngine,
    maxNewTokens: MAX_NEW_TOKENS,
    minConfidence: settings.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
  });
}
