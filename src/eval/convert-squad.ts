/**
 * Turns SQuAD-format JSON (SQuAD 1.1, XQuAD, GermanQuAD) into a beleg evaluation corpus and cases:
 * one document per paragraph, titled `<article title> (<paragraph index>)`, one answerable case per
 * question and, optionally, an unanswerable twin of every question that leaves the question's own
 * paragraph out of the search while its sibling paragraphs stay in (a hard negative: same topic,
 * same names, no answer). Every case gets a split by its article's index (0-based) in the file:
 * even articles are for tuning (`tune`), odd ones are held out (`test`); a twin inherits its
 * question's split, so a question and its twin are never on different sides.
 */
import { z } from 'zod';
import type { CorpusEntry, EvalCase, EvalSplit } from './dataset.ts';
import { userMessage } from '../messages/index.ts';
import { InvalidDatasetError, listProblems } from './invalid-dataset-error.ts';

const squadSchema = z.object({
  version: z.string().optional(),
  data: z
    .array(
      z.object({
        title: z.string(),
        paragraphs: z.array(
          z.object({
            context: z.string().min(1),
            qas: z.array(
              z.object({
                id: z.string().min(1),
                question: z.string().min(1),
                answers: z.array(z.object({ text: z.string(), answer_start: z.number().int() })).default([]),
                is_impossible: z.boolean().optional(),
              }),
            ),
          }),
        ),
      }),
    )
    .min(1),
});

/** True when the value looks like SQuAD-format JSON (has `data[].paragraphs`). */
export function isSquadJson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const data = (value as { data?: unknown }).data;
  return Array.isArray(data) && data.length > 0 && Array.isArray((data[0] as { paragraphs?: unknown })?.paragraphs);
}

export type SquadConversionOptions = {
  /** Add an unanswerable twin of every answerable question (default true). */
  unanswerableVariant?: boolean;
};

/** The split of the article at `articleIndex` (0-based, file order): even → `tune`, odd → `test`. */
export function splitOfArticle(articleIndex: number): EvalSplit {
  return articleIndex % 2 === 0 ? 'tune' : 'test';
}

/** Suffix of the id of a question's unanswerable twin. */
export const UNANSWERABLE_SUFFIX = '/ohne-quelle';

/**
 * Converts parsed SQuAD JSON. Cases come in pairs, the answerable case first and its unanswerable
 * twin right after it, so a prefix of the list always holds both kinds. SQuAD 2.0 questions marked
 * `is_impossible` become unanswerable cases with every paragraph searchable.
 */
export function convertSquad(json: unknown, options: SquadConversionOptions = {}): { corpus: CorpusEntry[]; cases: EvalCase[] } {
  const parsed = squadSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidDatasetError(userMessage('invalid_dataset.not_squad', { problems: listProblems(problems) }), problems);
  }
  const withTwins = options.unanswerableVariant ?? true;
  const corpus: CorpusEntry[] = [];
  const cases: EvalCase[] = [];
  parsed.data.data.forEach((article, articleIndex) => {
    const split = splitOfArticle(articleIndex);
    const articleTitle = article.title.replaceAll('_', ' ');
    article.paragraphs.forEach((paragraph, paragraphIndex) => {
      const documentId = `${article.title}/${paragraphIndex}`;
      corpus.push({ id: documentId, title: `${articleTitle} (${paragraphIndex})`, text: paragraph.context });
      for (const question of paragraph.qas) {
        const goldAnswers = [...new Set(question.answers.map((answer) => answer.text.trim()).filter((text) => text.length > 0))];
        if (question.is_impossible === true || goldAnswers.length === 0) {
          cases.push({ id: question.id, question: question.question, answerable: false, split });
          continue;
        }
        cases.push({ id: question.id, question: question.question, goldDocumentIds: [documentId], goldAnswers, answerable: true, split });
        if (withTwins) {
          cases.push({
            id: `${question.id}${UNANSWERABLE_SUFFIX}`,
            question: question.question,
            answerable: false,
            excludeDocumentIds: [documentId],
            tags: ['sibling-negative'],
            note: `Its own paragraph ${documentId} is left out; sibling paragraphs stay.`,
            split,
          });
        }
      }
    });
  });
  return { corpus, cases };
}
