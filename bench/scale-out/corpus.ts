/**
 * What the scale-out benchmark sends: the XQuAD-de paragraphs (120 German Wikipedia paragraphs,
 * one document each) and their 612 questions for /ask, and small synthetic German texts
 * (bench/helpers/synthetic-corpus.ts, seeded) for the ingestion rounds, each unique so no upload
 * is recognised as a duplicate of an earlier one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { syntheticCorpus } from '../helpers/synthetic-corpus.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

/** Where the dataset is looked for: the shared folder beside the checkout (main) or two levels up (a worktree), then the eval folder. */
export const xquadCandidates = [
  path.resolve(repositoryRoot, '../shared/datasets/xquad-de-dev/xquad.de.dev.json'),
  path.resolve(repositoryRoot, '../../shared/datasets/xquad-de-dev/xquad.de.dev.json'),
  path.join(repositoryRoot, 'eval/datasets/xquad-de-dev/xquad.de.dev.json'),
];

const squadSchema = z.object({
  data: z.array(
    z.object({
      title: z.string(),
      paragraphs: z.array(z.object({ context: z.string(), qas: z.array(z.object({ question: z.string() })) })),
    }),
  ),
});

export type XquadCorpus = { file: string; documents: Array<{ title: string; text: string }>; questions: string[] };

/** The XQuAD-de dev paragraphs and questions, from `file` or the first candidate that exists. */
export function loadXquad(file?: string): XquadCorpus {
  const found = file ?? xquadCandidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`xquad.de.dev.json not found; pass --xquad <file> (looked in ${xquadCandidates.join(', ')})`);
  const dataset = squadSchema.parse(JSON.parse(readFileSync(found, 'utf8')));
  const documents = dataset.data.flatMap((article) =>
    article.paragraphs.map((paragraph, index) => ({ title: `${article.title.replaceAll('_', ' ')} (${index})`, text: paragraph.context })),
  );
  const questions = dataset.data.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas.map((qa) => qa.question)));
  return { file: found, documents, questions };
}

/**
 * `count` small German texts for one ingestion round: a few sentences of seeded Zipf words
 * (about `words` words each), unique per `round` and index.
 */
export function ingestionTexts(round: number, count: number, words = 300): Array<{ title: string; text: string }> {
  const corpus = syntheticCorpus(1000 + round);
  return Array.from({ length: count }, (_, index) => {
    const sentences: string[] = [];
    let total = 0;
    while (total < words) {
      const length = 8 + Math.floor(corpus.random() * 12);
      const sentence = corpus.words(length);
      sentences.push(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`);
      total += length;
    }
    return { title: `Lauf ${round} Dokument ${index}`, text: `Dokument ${round}-${index}. ${sentences.join(' ')}` };
  });
}
