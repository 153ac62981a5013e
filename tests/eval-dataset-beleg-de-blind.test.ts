/**
 * eval/datasets/beleg-de-blind keeps its promises once beleg has really ingested it (SQLite,
 * LanceDB and the isolated PDF/HTML parsers in a temporary data directory): every document becomes
 * ready, every gold answer of an answerable case stands verbatim (and as whole tokens, the way the
 * evaluator matches) in the stored text of each of its gold documents, and the Kita leaflet PDF has
 * four pages with its page-break and after-heading answers where the cases say they are.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app-context.ts';
import type { CorpusEntry, Dataset } from '../src/eval/dataset.ts';
import { loadDataset } from '../src/eval/load-dataset.ts';
import { containsAnswer } from '../src/eval/normalize-answer.ts';
import type { DocumentInput, PageSpan } from '../src/ingest/types.ts';
import { openTestContext } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

const datasetDirectory = path.resolve(import.meta.dirname, '..', 'eval', 'datasets', 'beleg-de-blind');

let dataset: Dataset;
let context: AppContext;
/** Stored text of every ready document, by corpus id. */
const storedTexts = new Map<string, string>();
/** Ingestion failures as `corpus id: status code message`. */
const failures: string[] = [];
let kitaPages: PageSpan[] | null = null;

/** The input `beleg eval` builds for a corpus entry (src/eval/run-eval.ts). */
async function inputOf(entry: CorpusEntry): Promise<DocumentInput> {
  if (entry.text !== undefined) return { kind: 'text', title: entry.title, fileName: `${entry.id}.txt`, text: entry.text };
  return { kind: 'file', fileName: path.basename(entry.file!), bytes: new Uint8Array(await readFile(path.join(datasetDirectory, entry.file!))) };
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
    if (entry.id === 'merkblatt-kita') kitaPages = (await context.ingestion.pages?.(record.id)) ?? null;
  }
}, 120_000);

afterAll(async () => {
  await context?.close();
  removeTemporaryDirectories();
});

describe('eval/datasets/beleg-de-blind', () => {
  it('has at least five documents (one PDF, one HTML page) and mostly, but not only, answerable cases', () => {
    expect(dataset.corpus.length).toBeGreaterThanOrEqual(5);
    const files = dataset.corpus.map((entry) => entry.file ?? '');
    expect(files.filter((file) => file.endsWith('.pdf'))).toHaveLength(1);
    expect(files.filter((file) => file.endsWith('.html'))).toHaveLength(1);
    expect(dataset.cases.length).toBeGreaterThanOrEqual(60);
    const answerableShare = dataset.cases.filter((evalCase) => evalCase.answerable).length / dataset.cases.length;
    expect(answerableShare).toBeGreaterThanOrEqual(0.6);
    expect(answerableShare).toBeLessThanOrEqual(0.66);
  });

  it('ingests every document without a failure', () => {
    expect(failures).toEqual([]);
    expect([...storedTexts.keys()].sort()).toEqual(dataset.corpus.map((entry) => entry.id).sort());
  });

  it('has every gold answer verbatim and as whole tokens in the stored text of its gold documents', () => {
    const problems: string[] = [];
    for (const evalCase of dataset.cases.filter((candidate) => candidate.answerable)) {
      const goldTexts = (evalCase.goldDocumentIds ?? []).map((id) => storedTexts.get(id) ?? '');
      if (goldTexts.length === 0 || (evalCase.goldAnswers ?? []).length === 0) {
        problems.push(`${evalCase.id}: answerable without gold documents or gold answers`);
        continue;
      }
      // Each gold answer stands in some gold document; each gold document holds some gold answer.
      for (const gold of evalCase.goldAnswers!) {
        if (!goldTexts.some((text) => text.includes(gold) && containsAnswer(text, gold))) problems.push(`${evalCase.id}: '${gold}' is not in a gold document`);
      }
      evalCase.goldDocumentIds!.forEach((id, index) => {
        if (!evalCase.goldAnswers!.some((gold) => goldTexts[index]!.includes(gold))) problems.push(`${evalCase.id}: gold document '${id}' holds no gold answer`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('marks every unanswerable case with a note saying what it tests, and no gold answers', () => {
    for (const evalCase of dataset.cases.filter((candidate) => !candidate.answerable)) {
      expect(evalCase.goldAnswers, evalCase.id).toBeUndefined();
      expect(evalCase.note?.length ?? 0, evalCase.id).toBeGreaterThan(10);
    }
  });

  it('stores the Kita leaflet as four pages: an answer across the page break and one under the heading that opens page 4', () => {
    expect(kitaPages).toHaveLength(4);
    const text = storedTexts.get('merkblatt-kita')!;
    const page = (number: number) => {
      const span = kitaPages!.find((candidate) => candidate.number === number)!;
      return text.slice(span.charStart, span.charEnd);
    };
    // The sentence starts on page 2 and its answer ends it on page 3, without the running header or footer in between.
    expect(page(2)).toContain('für das dritte und jedes weitere Kind');
    expect(page(2)).not.toContain('kein Elternbeitrag');
    expect(page(3).trimStart()).toMatch(/^wird kein Elternbeitrag erhoben\./);
    expect(text).toContain('für das dritte und jedes weitere Kind wird kein Elternbeitrag erhoben.');
    expect(text).not.toMatch(/Seite \d von 4|Stadt Eschenbrunn · Merkblatt|Stand: Oktober 2024/);
    expect(page(4).trimStart()).toMatch(/^7\. Kündigung\s+Der Betreuungsvertrag kann von den Eltern mit einer Frist von zwei Monaten/);
    // The fee table keeps its rows' cells in order.
    expect(page(2)).toMatch(/40\.001 bis 60\.000 Euro\s+140 Euro\s+210 Euro/);
  });
});
