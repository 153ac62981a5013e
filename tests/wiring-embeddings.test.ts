/**
 * The embedding model through the real app context, with the tiny random-weight BERT export as
 * the configured model (BELEG_EMBEDDING_MODEL_DIR): ingested chunks get its vectors, search runs
 * hybrid, `/health` names the model. Switching to another model re-embeds every chunk from the
 * stored texts at start-up (so two models' vectors never share the table); running without a
 * model is lexical-only, said in `/health` with the reason, and a model configured again later
 * re-embeds the chunks added meanwhile.
 */
import path from 'node:path';
import { ModelNotFoundError } from '../src/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.ts';
import { appContextHealthProbe } from '../src/api/health.ts';
import type { AppContext } from '../src/app-context.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { FakeAnswerer } from './helpers/fake-answerer.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';
import { writeTinyBert } from './helpers/tiny-bert.ts';

afterAll(removeTemporaryDirectories);

const WEATHER = 'Das Wetter in Düsseldorf wird heute schön und sonnig.';
const RICE = 'Reis ist ein Getreide.';
const SUMMER = 'Der Sommer beginnt im März.';

let models: string;
beforeAll(() => {
  models = temporaryDirectory('beleg-embedding-');
  writeTinyBert(path.join(models, 'tiny-a'), { seed: 1 });
  writeTinyBert(path.join(models, 'tiny-b'), { seed: 2 });
});

const open = (dataDir: string, model: 'tiny-a' | 'tiny-b' | null) =>
  openTestContext(testConfig(dataDir, model === null ? {} : { BELEG_EMBEDDING_MODEL_DIR: path.join(models, model) }));

/** The similarity of the stored vector of `documentId`'s chunk to the current model's embedding of its text. */
async function storedSimilarity(context: AppContext, documentId: string): Promise<number> {
  const [chunk] = await context.store.chunksOf(documentId);
  const [vector] = await context.embeddingModel!.embedDocuments([chunk!.text]);
  const hits = await context.store.searchVector(vector!, { limit: 1, documentIds: [documentId] });
  return hits[0]?.score ?? Number.NaN;
}

async function health(context: AppContext): Promise<Record<string, unknown>> {
  const app = createApp({ config: context.config, ingestion: context.ingestion, answerer: new FakeAnswerer(context.ingestion), health: appContextHealthProbe(context) });
  return (await app.request('/health')).json() as Promise<Record<string, unknown>>;
}

describe('embedding model wiring', () => {
  it('embeds on ingestion, searches hybrid, and re-embeds from stored texts when the model changes', async () => {
    const dataDir = temporaryDirectory();
    const first = await open(dataDir, 'tiny-a');
    let weather: string, rice: string;
    try {
      expect(first.retrieval).toEqual({ mode: 'hybrid', embeddingModelId: 'tiny-a', reason: null });
      expect(first.search.mode).toBe('hybrid');
      weather = (await first.ingestion.ingest({ kind: 'text', title: 'Wetter', text: WEATHER })).id;
      rice = (await first.ingestion.ingest({ kind: 'text', title: 'Reis', text: RICE })).id;
      expect(await storedSimilarity(first, weather)).toBeCloseTo(1, 4);

      const hits = await first.search.search({ query: 'Wie wird das Wetter heute in Düsseldorf?', limit: 2 });
      expect(hits[0]!.chunk.documentId).toBe(weather);
      expect(hits[0]!.ranks.text).toBe(1);
      expect(hits[0]!.ranks.vector).toBeGreaterThanOrEqual(1);
      expect(await health(first)).toMatchObject({ embeddingModel: { name: 'tiny-a', ready: true }, lexicalOnly: false });
    } finally {
      await first.close();
    }

    const notices: string[] = [];
    const second = await openTestContext(testConfig(dataDir, { BELEG_EMBEDDING_MODEL_DIR: path.join(models, 'tiny-b') }), { onNotice: (message) => notices.push(message) });
    try {
      expect(second.reindexed).toEqual({ reason: expect.stringMatching(/'tiny-a'.*'tiny-b'/), documents: 2 });
      expect(notices).toEqual([expect.stringContaining('rebuilding the chunks of 2 documents')]);
      expect(second.retrieval.embeddingModelId).toBe('tiny-b');
      // The stored vectors are now model B's own, not model A's.
      expect(await storedSimilarity(second, weather)).toBeCloseTo(1, 4);
      expect(await storedSimilarity(second, rice)).toBeCloseTo(1, 4);
      expect(await second.store.countChunks()).toBe(2);
    } finally {
      await second.close();
    }
  });

  it('runs lexical-only without a model, says why, and embeds the chunks added meanwhile once a model is back', async () => {
    const dataDir = temporaryDirectory();
    const withModel = await open(dataDir, 'tiny-a');
    const weather = (await withModel.ingestion.ingest({ kind: 'text', title: 'Wetter', text: WEATHER })).id;
    await withModel.close();

    const lexical = await open(dataDir, null);
    let summer: string;
    try {
      expect(lexical.reindexed).toBeNull();
      expect(lexical.retrieval).toMatchObject({ mode: 'lexical', embeddingModelId: null, reason: expect.stringContaining('BELEG_EMBEDDING_MODEL_DIR') });
      expect(lexical.search.mode).toBe('lexical');
      expect(await health(lexical)).toMatchObject({
        embeddingModel: { name: null, ready: false },
        lexicalOnly: true,
        lexicalOnlyReason: expect.stringContaining('no embedding model is configured'),
      });
      summer = (await lexical.ingestion.ingest({ kind: 'text', title: 'Sommer', text: SUMMER })).id;
      const hits = await lexical.search.search({ query: 'Wann beginnt der Sommer?', limit: 1 });
      expect(hits.map((hit) => [hit.chunk.documentId, Object.keys(hit.ranks)])).toEqual([[summer, ['text']]]);
    } finally {
      await lexical.close();
    }

    const back = await open(dataDir, 'tiny-a');
    try {
      expect(back.reindexed).toEqual({ reason: expect.stringContaining("no vectors of the embedding model 'tiny-a'"), documents: 2 });
      expect(await storedSimilarity(back, summer)).toBeCloseTo(1, 4);
      expect(await storedSimilarity(back, weather)).toBeCloseTo(1, 4);
    } finally {
      await back.close();
    }
  });

  it('refuses to start with a configured model directory that does not exist, and leaves the data directory usable', async () => {
    const dataDir = temporaryDirectory();
    await expect(open(dataDir, 'missing' as 'tiny-a')).rejects.toThrow(ModelNotFoundError);
    const lexical = await open(dataDir, null);
    expect(lexical.retrieval.mode).toBe('lexical');
    await lexical.close();
  });
});
