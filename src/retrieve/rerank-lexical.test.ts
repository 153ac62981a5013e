import { describe, expect, it } from 'vitest';
import type { ChunkStore, SearchHit, StoredChunk } from '../store/chunk-store.ts';
import { GermanDecompounder } from './decompound.ts';
import { createHybridSearch } from './hybrid-search.ts';
import { createLexicalReranker } from './rerank-lexical.ts';

function chunk(id: string, text: string): StoredChunk {
  return { id, documentId: id, ordinal: 0, text, charStart: 0, charEnd: text.length, page: null, headingPath: null, tokenCount: 0, sentenceOffsets: [0, text.length] };
}

const FILLER = 'Die Stadt hat viele Einwohner, einen Markt, zwei Schulen, einen Bahnhof und einen großen Park am Ufer.';

/** Repeats two of the question's three terms; BM25 likes it best. */
const REPEATS = chunk(
  'repeats',
  `Die Brücke ist aus Stahl gebaut. Die Brücke führt über den Rhein. ${FILLER} Am Rhein steht eine zweite Brücke, und eine dritte Brücke quert den Rhein bei Köln.`,
);
/** The answer: all three question terms. */
const COMPLETE = chunk('complete', `Die Brücke über den Rhein wurde im Jahr 1872 eröffnet. ${FILLER} ${FILLER}`);
const UNRELATED = chunk('unrelated', `Der Dom ist das Wahrzeichen der Stadt. ${FILLER}`);

const ids = (hits: readonly SearchHit[]) => hits.map((hit) => hit.chunk.id);

describe('lexical reranking of full-text candidates', () => {
  it('puts the passage holding all the question terms above one that repeats some of them', () => {
    const rerank = createLexicalReranker();
    const hits = [
      { chunk: REPEATS, score: 10 },
      { chunk: COMPLETE, score: 9 },
      { chunk: UNRELATED, score: 2 },
    ];
    const question = 'Wann wurde die Brücke über den Rhein eröffnet?';
    expect(ids(rerank(question, hits))).toEqual(['complete', 'repeats', 'unrelated']);
    // A passage without the question's terms does not climb over ones that have them.
    expect(ids(rerank(question, [hits[2]!, hits[0]!, hits[1]!]))).toEqual(['complete', 'repeats', 'unrelated']);
  });

  it('prefers the passage with the rare question terms over one repeating a common one', () => {
    const rerank = createLexicalReranker();
    const manyRivers = chunk('rivers', 'Der Fluss ist lang. Jeder Fluss hat Nebenflüsse, und kein Fluss gleicht dem anderen Fluss.');
    const answer = chunk('answer', 'Der Rhein fließt durch Köln und weiter nach Düsseldorf.');
    const other = chunk('other', 'Am Fluss liegen Wiesen und Felder.');
    const reranked = rerank('Welcher Fluss fließt durch Köln?', [
      { chunk: manyRivers, score: 8 },
      { chunk: answer, score: 7 },
      { chunk: other, score: 3 },
    ]);
    expect(ids(reranked)[0]).toBe('answer');
  });

  it('matches a compound in the question with its modifier in the text when it can split compounds', () => {
    const decompounder = GermanDecompounder.load();
    const wheat = chunk('wheat', 'Im Norden ist der Weizen weit verbreitet, auf fast jedem Feld.');
    const rice = chunk('rice', 'Im Süden wird vor allem Reis gepflanzt, er ist dort weit verbreitet.');
    const hits = [
      { chunk: wheat, score: 5 },
      { chunk: rice, score: 4.9 },
    ];
    const question = 'Wo ist der Reisanbau verbreitet?';
    expect(ids(createLexicalReranker()(question, hits))[0]).toBe('wheat');
    expect(ids(createLexicalReranker({ splitCompound: (word) => decompounder.split(word) })(question, hits))[0]).toBe('rice');
  });

  it('reorders the text list of hybrid search, keeping BM25 as the reported score', async () => {
    const bm25: Record<string, number> = { repeats: 10, complete: 9, unrelated: 2 };
    const store = {
      async searchText(_query: string, options: { limit: number }): Promise<SearchHit[]> {
        return [REPEATS, COMPLETE, UNRELATED].map((stored) => ({ chunk: stored, score: bm25[stored.id]! })).slice(0, options.limit);
      },
    } as unknown as ChunkStore;
    const question = 'Wann wurde die Brücke über den Rhein eröffnet?';

    const plain = await createHybridSearch({ store }).search({ query: question, limit: 3 });
    expect(plain.map((result) => result.chunk.id)).toEqual(['repeats', 'complete', 'unrelated']);

    const reranked = await createHybridSearch({ store, rerankText: createLexicalReranker() }).search({ query: question, limit: 3 });
    expect(reranked.map((result) => result.chunk.id)).toEqual(['complete', 'repeats', 'unrelated']);
    expect(reranked[0]!.ranks.text).toBe(1);
    expect(reranked[0]!.scores.text).toBe(9);
  });
});
