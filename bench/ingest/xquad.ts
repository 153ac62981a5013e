/**
 * Ingests the 120 XQuAD-de paragraphs (one document per paragraph, titled `<article> (<index>)`)
 * through the real pipeline — loader, chunker with the Llama-2 tokenizer, SQLite, LanceDB, no
 * embeddings — and times it (target: well under 10 s). Then asks every XQuAD question against the
 * German full-text index and reports MRR@10 / recall@10 of the paragraph that holds the answer,
 * as a check that the index is built as the issue measured.
 *
 *   npx tsx bench/ingest/xquad.ts [path/to/xquad.de.dev.json]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { printTable, writeStoreResults } from './store-results.ts';

const DATASET = process.argv[2] ?? new URL('../../eval/datasets/xquad-de-dev/xquad.de.dev.json', import.meta.url);
const squadSchema = z.object({
  data: z.array(
    z.object({
      title: z.string(),
      paragraphs: z.array(z.object({ context: z.string(), qas: z.array(z.object({ question: z.string() })) })),
    }),
  ),
});

const dataset = squadSchema.parse(JSON.parse(readFileSync(DATASET, 'utf8')));
const paragraphs = dataset.data.flatMap((article) =>
  article.paragraphs.map((paragraph, index) => ({ title: `${article.title.replaceAll('_', ' ')} (${index})`, ...paragraph })),
);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beleg-bench-xquad-'));
try {
  const openStarted = performance.now();
  const context = await openAppContext(loadConfig({ BELEG_DATA_DIR: dataDir }));
  const openMs = performance.now() - openStarted;

  const started = performance.now();
  const submitted = await Promise.all(paragraphs.map((paragraph) => context.ingestion.submit({ kind: 'text', title: paragraph.title, text: paragraph.context })));
  const documents = await Promise.all(submitted.map((document) => context.ingestion.settled(document.id)));
  const ingestMs = performance.now() - started;
  const failed = documents.filter((document) => document.status !== 'ready');
  if (failed.length > 0) throw new Error(`${failed.length} paragraphs failed: ${failed[0]!.errorCode} ${failed[0]!.errorMessage}`);
  const chunks = documents.reduce((sum, document) => sum + document.chunkCount, 0);

  // Retrieval sanity check: rank of the answer paragraph for each question (lexical only).
  const ready = await context.ingestion.readyDocumentIds();
  let reciprocalRanks = 0;
  let found = 0;
  let questions = 0;
  const searchStarted = performance.now();
  for (const [index, paragraph] of paragraphs.entries()) {
    for (const qa of paragraph.qas) {
      questions += 1;
      const hits = await context.store.searchText(qa.question, { limit: 10, documentIds: ready });
      const documentRanks = [...new Set(hits.map((hit) => hit.chunk.documentId))];
      const rank = documentRanks.indexOf(documents[index]!.id);
      if (rank >= 0) {
        reciprocalRanks += 1 / (rank + 1);
        found += 1;
      }
    }
  }
  const searchMs = performance.now() - searchStarted;
  await context.close();

  const result = {
    documents: documents.length,
    chunks,
    openMs: Math.round(openMs),
    ingestMs: Math.round(ingestMs),
    documentsPerSecond: Number((documents.length / (ingestMs / 1000)).toFixed(1)),
    chunksPerSecond: Number((chunks / (ingestMs / 1000)).toFixed(1)),
    questions,
    fullTextMrrAt10: Number((reciprocalRanks / questions).toFixed(3)),
    fullTextRecallAt10: Number((found / questions).toFixed(3)),
    searchMsPerQuestion: Number((searchMs / questions).toFixed(2)),
  };
  printTable(
    ['documents', 'chunks', 'open ms', 'ingest ms', 'docs/s', 'chunks/s', 'questions', 'FTS MRR@10', 'FTS R@10', 'search ms/q'],
    [[result.documents, result.chunks, result.openMs, result.ingestMs, result.documentsPerSecond, result.chunksPerSecond, result.questions, result.fullTextMrrAt10, result.fullTextRecallAt10, result.searchMsPerQuestion]],
  );
  writeStoreResults('xquad', result);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
