/**
 * The datasets shipped in eval/datasets load and keep their promises: every line validates, the
 * XQuAD and GermanQuAD copies convert to one document per paragraph and paired cases split by
 * article into tune/test halves, and beleg-de's PDFs, as beleg's own
 * loader reads them, put answers on page 2, join the hyphenated word and keep the table's text.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../src/eval/load-dataset.ts';
import { containsAnswer } from '../src/eval/normalize-answer.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';

const root = path.resolve(import.meta.dirname, '..', 'eval', 'datasets');
const loadOptions: LoadOptions = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };

describe('eval/datasets/xquad-de-dev', () => {
  it('converts the SQuAD JSON into one document per paragraph and answerable/unanswerable pairs', async () => {
    const dataset = await loadDataset(path.join(root, 'xquad-de-dev'));
    expect(dataset.corpus).toHaveLength(120);
    expect(dataset.cases).toHaveLength(2 * 612);
    expect(dataset.corpus[0]).toMatchObject({ id: 'Super_Bowl_50/0', title: 'Super Bowl 50 (0)' });
    // Gold answers are in their gold paragraphs as whole tokens, so a perfect system reaches answer
    // recall ~1. Two XQuAD spans are not whole tokens ("Manning" inside "Mannings"; "Politische"
    // glued to "erzählen." without a space): token containment rightly cannot find them.
    const texts = new Map(dataset.corpus.map((entry) => [entry.id, entry.text!]));
    const missing = dataset.cases.filter(
      (evalCase) => evalCase.answerable && !evalCase.goldAnswers!.some((gold) => containsAnswer(texts.get(evalCase.goldDocumentIds![0]!)!, gold)),
    );
    expect(missing.map((evalCase) => evalCase.id)).toEqual(['56bf36b93aeaaa14008c9565', '573088da069b53140083216d']);
  });

  it('splits by article: even articles tune, odd ones test, each question with its twin', async () => {
    const dataset = await loadDataset(path.join(root, 'xquad-de-dev'));
    const questions = (split: string) => dataset.cases.filter((evalCase) => evalCase.split === split && evalCase.answerable).length;
    expect([questions('tune'), questions('test')]).toEqual([354, 258]);
    expect(dataset.cases.find((evalCase) => evalCase.id === '56beb4343aeaaa14008c925b')?.split).toBe('tune'); // Super Bowl 50, article 0
    expect(dataset.cases.find((evalCase) => evalCase.id === '56dde1d966d3e219004dad8d')?.split).toBe('test'); // Normans, article 1
    for (const evalCase of dataset.cases.filter((candidate) => candidate.id.endsWith('/ohne-quelle'))) {
      expect(evalCase.split).toBe(dataset.cases.find((question) => question.id === evalCase.id.replace('/ohne-quelle', ''))!.split);
    }
  });

  it('keeps the licence and attribution beside the data', async () => {
    const readme = await readFile(path.join(root, 'xquad-de-dev', 'README.md'), 'utf8');
    expect(readme).toMatch(/Artetxe/);
    expect(readme).toMatch(/CC BY-SA 4\.0/);
    const licence = await readFile(path.join(root, 'xquad-de-dev', 'LICENSE-CC-BY-SA-4.0.txt'), 'utf8');
    expect(licence).toMatch(/Attribution-ShareAlike 4\.0/);
  });
});

describe('eval/datasets/germanquad-train-sample', () => {
  it('converts 212 articles into 501 documents and 2,087 questions with their twins, half of the articles for tuning', async () => {
    const dataset = await loadDataset(path.join(root, 'germanquad-train-sample'));
    expect(dataset.corpus).toHaveLength(501);
    expect(dataset.cases).toHaveLength(2 * 2087);
    const answerable = dataset.cases.filter((evalCase) => evalCase.answerable);
    expect(answerable).toHaveLength(2087);
    expect([answerable.filter((evalCase) => evalCase.split === 'tune').length, answerable.filter((evalCase) => evalCase.split === 'test').length]).toEqual([1091, 996]);
    // Each twin leaves out exactly its question's paragraph, which is that question's gold document.
    const byId = new Map(dataset.cases.map((evalCase) => [evalCase.id, evalCase]));
    for (const twin of dataset.cases.filter((evalCase) => !evalCase.answerable)) {
      const question = byId.get(twin.id.replace('/ohne-quelle', ''))!;
      expect(twin.excludeDocumentIds).toEqual(question.goldDocumentIds);
      expect(twin.split).toBe(question.split);
    }
    // Gold answers are whole tokens of their paragraph, except four spans cut inside a word.
    const texts = new Map(dataset.corpus.map((entry) => [entry.id, entry.text!]));
    const missing = answerable.filter((evalCase) => !evalCase.goldAnswers!.some((gold) => containsAnswer(texts.get(evalCase.goldDocumentIds![0]!)!, gold)));
    expect(missing.map((evalCase) => evalCase.id)).toEqual(['46547', '47150', '57793', '70352']);
  });

  it('keeps the CC BY 4.0 attribution beside the data', async () => {
    const readme = await readFile(path.join(root, 'germanquad-train-sample', 'README.md'), 'utf8');
    expect(readme).toContain('Source: GermanQuAD, deepset (Timo Möller, Julian Risch, Malte Pietsch)');
    expect(readme).toContain('Licence: Creative Commons Attribution 4.0 International (CC BY 4.0). Keep this attribution with any copy.');
    expect(readme).toMatch(/## How beleg uses it/);
  });
});

describe('eval/datasets/beleg-de', () => {
  it('validates and mixes answerable cases, unanswerable ones and injections', async () => {
    const dataset = await loadDataset(path.join(root, 'beleg-de'));
    expect(dataset.cases.length).toBeGreaterThanOrEqual(20);
    expect(dataset.cases.filter((evalCase) => !evalCase.answerable).length).toBeGreaterThanOrEqual(6);
    expect(dataset.corpus.map((entry) => entry.file ?? '').filter((file) => file.endsWith('.pdf')).length).toBeGreaterThanOrEqual(1);
    expect(dataset.corpus.map((entry) => entry.file ?? '').filter((file) => file.endsWith('.html')).length).toBeGreaterThanOrEqual(1);
  });

  it('its PDF has an answer on page 2, a de-hyphenated word and a table as beleg reads them', async () => {
    const file = path.join(root, 'beleg-de', 'documents', 'merkblatt-heizungstausch.pdf');
    const document = await loadDocument({ kind: 'file', fileName: 'merkblatt-heizungstausch.pdf', bytes: new Uint8Array(await readFile(file)) }, loadOptions);
    expect(document.pages).toHaveLength(3);
    const page = (number: number) => {
      const span = document.pages!.find((candidate) => candidate.number === number)!;
      return document.text.slice(span.charStart, span.charEnd);
    };
    expect(page(2)).toContain('höchstens jedoch 9.000 Euro je Wohneinheit');
    expect(page(1)).not.toContain('9.000 Euro');
    expect(page(1)).toContain('Landesprogramm „Klimabonus“');
    expect(page(2)).toMatch(/Solarthermie\s+25 %\s+4\.500 Euro/);
  });

  it('its answerable cases have their gold answers in the gold documents as beleg reads them', async () => {
    const dataset = await loadDataset(path.join(root, 'beleg-de'));
    const texts = new Map<string, string>();
    for (const entry of dataset.corpus) {
      const input = entry.text !== undefined
        ? { kind: 'text' as const, text: entry.text, title: entry.title }
        : { kind: 'file' as const, fileName: path.basename(entry.file!), bytes: new Uint8Array(await readFile(path.join(dataset.directory, entry.file!))) };
      texts.set(entry.id, (await loadDocument(input, loadOptions)).text);
    }
    const missing = dataset.cases.filter(
      (evalCase) => evalCase.answerable && !evalCase.goldAnswers!.some((gold) => containsAnswer(texts.get(evalCase.goldDocumentIds![0]!)!, gold)),
    );
    expect(missing.map((evalCase) => evalCase.id)).toEqual([]);
  });
});
