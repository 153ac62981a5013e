/**
 * The evaluation dataset format (documented in eval/README.md): a corpus of documents with ids and
 * a list of cases that ask about them. Both are JSON Lines; these zod schemas validate each line.
 */
import { z } from 'zod';

const identifier = z.string().trim().min(1, 'must be a non-empty string');

/**
 * The half of a dataset a case belongs to: `tune` cases may be used to fit thresholds and weights,
 * `test` cases are held out and report how well the fit carries over (see eval/README.md, "Splits").
 */
export const evalSplits = ['tune', 'test'] as const;
export type EvalSplit = (typeof evalSplits)[number];

/**
 * One corpus line: an inline passage (`text`), a file relative to the dataset folder (`file`),
 * or a web page (`url`). Exactly one of the three.
 */
export const corpusEntrySchema = z
  .object({
    id: identifier,
    title: z.string().min(1).optional(),
    text: z.string().min(1, 'must not be empty').optional(),
    file: z.string().min(1).optional(),
    url: z.string().url('must be an absolute URL').optional(),
  })
  .strict()
  .superRefine((entry, context) => {
    const sources = [entry.text, entry.file, entry.url].filter((value) => value !== undefined).length;
    if (sources !== 1) {
      context.addIssue({
        code: 'custom',
        path: ['text'],
        message: `needs exactly one of 'text', 'file' or 'url' (found ${sources})`,
      });
    }
  });
export type CorpusEntry = z.infer<typeof corpusEntrySchema>;

/** One case line: a question, what a right answer looks like, and whether one exists. */
export const evalCaseSchema = z
  .object({
    id: identifier,
    question: z.string().trim().min(1, 'must not be empty'),
    /** Corpus ids of documents that hold the answer; a citation of one counts as the right source. */
    goldDocumentIds: z.array(identifier).optional(),
    /** Acceptable answer spans; one contained in the quote counts as answered. */
    goldAnswers: z.array(z.string().min(1)).optional(),
    /** False when the corpus (minus `excludeDocumentIds`) does not answer the question: beleg should decline. */
    answerable: z.boolean(),
    /** Corpus ids left out of the search for this case (the runner restricts `documentIds` to the rest). */
    excludeDocumentIds: z.array(identifier).optional(),
    /** Labels for the report's per-tag breakdown (`pdf`, `table`, `injection`, …). */
    tags: z.array(identifier).optional(),
    /** Free text for people reading the report (what the case tests). */
    note: z.string().optional(),
    /** `tune` (fit on it) or `test` (held out); the report breaks its headline metrics down by split. */
    split: z.enum(evalSplits).optional(),
  })
  .strict();
export type EvalCase = z.infer<typeof evalCaseSchema>;

/** A dataset ready to run: where it came from, its corpus and its cases. */
export type Dataset = {
  name: string;
  /** Folder the dataset was loaded from; `file` entries are relative to it. */
  directory: string;
  corpus: CorpusEntry[];
  cases: EvalCase[];
};
