/**
 * Concurrency: documents are deleted while questions about them are being answered (real
 * ingestion, retrieval, prompt building and verification with the extractive engine). A question
 * asked after a deletion committed never gets a citation or source from the deleted document.
 * No question fails because a document vanished under it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/extractive-language-model.ts';
import { openTestContext } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const BRIDGES = 16;
const text = (index: number) =>
  `Die Brücke Nummer ${index} über den Neckar in Heidelberg ist ${100 + index} Meter lang. Sie wurde im Jahr ${1800 + index} gebaut. Ihr Geländer ist aus Eisen.`;

type Outcome = { question: string; startedAt: number; answer?: Answer; error?: unknown };

/** Ingests the bridges, then deletes them one by one while four askers keep asking about them. */
async function deleteWhileAsking(): Promise<{ outcomes: Outcome[]; deletedAt: Map<string, number>; after: Answer; chunksLeft: number }> {
  const context = await openTestContext();
  try {
    const ids: string[] = [];
    for (let index = 0; index < BRIDGES; index++) {
      const record = await context.ingestion.ingest({ kind: 'text', title: `Brücke ${index}`, text: text(index) });
      expect(record.status).toBe('ready');
      ids.push(record.id);
    }
    // Deletion races are under test, not the confidence threshold: every quote the reader picks is presented.
    const answerer = createAnswerService(context, { extractive: new ExtractiveLanguageModel() }, 'extractive', { minConfidence: 0 });
    /** When each document's removal committed (SQLite commits before remove() first awaits). */
    const deletedAt = new Map<string, number>();
    const deleting = (async () => {
      for (const id of ids) {
        const removal = context.ingestion.remove(id);
        deletedAt.set(id, performance.now());
        await removal;
        // Let questions run between deletions.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const outcomes: Outcome[] = [];
    const asking = Array.from({ length: 4 }, async (_, worker) => {
      for (let round = 0; deletedAt.size < ids.length || round < 2; round++) {
        const index = (worker * 5 + round) % BRIDGES;
        const question = round % 2 === 0 ? `Wie lang ist die Brücke Nummer ${index} in Heidelberg?` : 'Wann wurde die Brücke über den Neckar gebaut?';
        const outcome: Outcome = { question, startedAt: performance.now() };
        try {
          outcome.answer = await answerer.answer({ question });
        } catch (error) {
          outcome.error = error;
        }
        outcomes.push(outcome);
      }
    });
    await Promise.all([deleting, ...asking]);
    const after = await answerer.answer({ question: 'Wie lang ist die Brücke Nummer 3 in Heidelberg?' });
    return { outcomes, deletedAt, after, chunksLeft: await context.store.countChunks() };
  } finally {
    await context.close();
  }
}

describe('parallel delete and ask', () => {
  it('never cites or shows a document whose deletion committed before the question was asked', async () => {
    const { outcomes, deletedAt, after, chunksLeft } = await deleteWhileAsking();
    // Every asker asks at least twice; how many more depends on how fast the deletions run.
    expect(outcomes.length).toBeGreaterThanOrEqual(8);
    for (const outcome of outcomes) {
      if (!outcome.answer) continue; // a failed question shows nothing (and none fails: see below)
      const shown = [...outcome.answer.citations.map((citation) => citation.documentId), ...outcome.answer.sources.map((source) => source.documentId)];
      for (const documentId of shown) {
        const deleted = deletedAt.get(documentId);
        expect(deleted === undefined || deleted > outcome.startedAt, `${outcome.question} shows ${documentId}, deleted before it was asked`).toBe(true);
      }
    }
    // Questions were answered with quotes while documents still existed; afterwards nothing is found.
    expect(outcomes.some((outcome) => outcome.answer && !outcome.answer.declined)).toBe(true);
    expect(after.declined).toBe(true);
    expect(after.sources).toEqual([]);
    expect(chunksLeft).toBe(0);
  }, 60_000);

  // A document deleted between retrieval and answering is dropped from the sources (or its quote
  // is not cited): the question is answered from what remains, or declined, never failed.
  it('no question fails because a document was deleted while it was being answered', async () => {
    const { outcomes } = await deleteWhileAsking();
    const failed = outcomes.filter((outcome) => outcome.error !== undefined);
    expect(failed.map((outcome) => `${outcome.question}: ${String(outcome.error)}`)).toEqual([]);
  }, 60_000);
});
