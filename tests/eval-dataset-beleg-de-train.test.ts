/**
 * eval/datasets/beleg-de-train keeps its promises once beleg has really ingested it (SQLite,
 * LanceDB and the isolated parsers in a temporary data directory): every invented document becomes
 * ready and is of a size a user would upload, every gold answer of an answerable case stands
 * verbatim (and as whole tokens, the way the evaluator matches) in the stored text of its gold
 * document, every unanswerable case says what it tests, and every case lies in the half of the
 * dataset its document lies in, so fitting on `tune` never sees a `test` document.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.ts';
import type { CorpusEntry, Dataset, EvalSplit } from '../src/eval/dataset.ts';
import { loadDataset } from '../src/eval/load-dataset.ts';
import { containsAnswer } from '../src/eval/normalize-answer.ts';
import type { DocumentInput } from '../src/ingest/types.ts';
import { openTestContext } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

const datasetDirectory = path.resolve(import.meta.dirname, '..', 'eval', 'datasets', 'beleg-de-train');

let dataset: Dataset;
let context: AppContext;
/** Stored text of every ready document, by corpus id. */
const storedTexts = new Map<string, string>();
/** Ingestion failures as `corpus id: status code message`. */
const failures: string[] = [];

/** The input `beleg eval` builds for a corpus entry (src/eval/run-eval.ts). */
async function inputOf(entry: CorpusEntry): Promise<DocumentInput> {
  if (entry.text !== undefined) return { kind: 'text', title: entry.title, fileName: `${entry.id}.txt`, text: entry.text };
  return { kind: 'file', fileName: path.basename(entry.file!), bytes: new Uint8Array(await readFile(path.join(datasetDirectory, entry.file!))) };
}

/** The split of each document: the 1st, 3rd, 5th … in corpus.jsonl are `tune`, the 2nd, 4th … `test`. */
function documentSplits(): Map<string, EvalSplit> {
  return new Map(dataset.corpus.map((entry, index) => [entry.id, index % 2 === 0 ? 'tune' : 'test']));
}

/** Words of a text: runs of letters or digits. */
function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

beforeAll(async () => {
  dataset = await loadDataset(datasetDirectory);
  context = await openTestContext();
  for (const entry of dataset.corpus) {
    const record = await context.ingestion.ingest(await inputOf(entry));
    if (record.status !== 'ready') {
      failures.push(`${entry.id}: ${record.status} ${record.errorCode ?? ''} ${record.errorMessage ?? ''}`);
      continue;
    }
    storedTexts.set(entry.id, await context.ingestion.text(record.id));
  }
}, 180_000);

afterAll(async () => {
  await context?.close();
  removeTemporaryDirectories();
});

describe('eval/datasets/beleg-de-train', () => {
  it('has at least ten documents and 250 cases, about 60 % of them answerable', () => {
    expect(dataset.corpus.length).toBeGreaterThanOrEqual(10);
    expect(dataset.cases.length).toBeGreaterThanOrEqual(250);
    const answerableShare = dataset.cases.filter((evalCase) => evalCase.answerable).length / dataset.cases.length;
    expect(answerableShare).toBeGreaterThanOrEqual(0.55);
    expect(answerableShare).toBeLessThanOrEqual(0.65);
  });

  it('ingests every document without a failure', () => {
    expect(failures).toEqual([]);
    expect([...storedTexts.keys()].sort()).toEqual(dataset.corpus.map((entry) => entry.id).sort());
  });

  it('stores documents of 400 to 1,500 words that say in their first line that they are invented', () => {
    for (const [id, text] of storedTexts) {
      expect(text.split('\n')[0], id).toMatch(/^Erfundenes Dokument/);
      const words = wordCount(text);
      expect(words, id).toBeGreaterThanOrEqual(400);
      expect(words, id).toBeLessThanOrEqual(1500);
    }
  });

  it('has every gold answer verbatim and as whole tokens in the stored text of its gold document', () => {
    const problems: string[] = [];
    for (const evalCase of dataset.cases.filter((candidate) => candidate.answerable)) {
      const goldTexts = (evalCase.goldDocumentIds ?? []).map((id) => storedTexts.get(id) ?? '');
      if (goldTexts.length === 0 || (evalCase.goldAnswers ?? []).length === 0) {
        problems.push(`${evalCase.id}: answerable without gold documents or gold answers`);
        continue;
      }
      for (const gold of evalCase.goldAnswers!) {
        if (!goldTexts.some((text) => text.includes(gold) && containsAnswer(text, gold))) problems.push(`${evalCase.id}: '${gold}' is not in a gold document`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('marks every unanswerable case with a note, a trap tag and no gold answers', () => {
    for (const evalCase of dataset.cases.filter((candidate) => !candidate.answerable)) {
      expect(evalCase.goldAnswers, evalCase.id).toBeUndefined();
      expect(evalCase.note?.length ?? 0, evalCase.id).toBeGreaterThan(10);
      expect(evalCase.tags?.some((tag) => tag.startsWith('trap:')), evalCase.id).toBe(true);
    }
  });

  it('tags every case with the type of answer it asks for', () => {
    for (const evalCase of dataset.cases) expect(evalCase.tags?.some((tag) => tag.startsWith('type:')), evalCase.id).toBe(true);
  });

  it('puts every case in the split of its document: alternate documents, never both halves', () => {
    const splits = documentSplits();
    expect(new Set(splits.values())).toEqual(new Set(['tune', 'test']));
    for (const evalCase of dataset.cases) {
      expect(evalCase.split, evalCase.id).toBeDefined();
      // Answerable cases follow their gold document; unanswerable ones about a document carry its id as prefix.
      const documentId = evalCase.goldDocumentIds?.[0] ?? evalCase.id.split('/')[0]!;
      const expected = splits.get(documentId);
      if (expected !== undefined) expect(evalCase.split, evalCase.id).toBe(expected);
      for (const id of evalCase.goldDocumentIds ?? []) expect(splits.get(id), evalCase.id).toBe(evalCase.split);
    }
    const bySplit = (split: EvalSplit) => dataset.cases.filter((evalCase) => evalCase.split === split).length;
    expect(Math.min(bySplit('tune'), bySplit('test'))).toBeGreaterThanOrEqual(0.4 * dataset.cases.length);
  });
});
