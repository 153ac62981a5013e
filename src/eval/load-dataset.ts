/**
 * Reads an evaluation dataset from a folder: either `corpus.jsonl` + `cases.jsonl`, or a single
 * SQuAD-format `*.json` file that is converted on the fly (see ./convert-squad.ts). Every line is
 * validated; all problems are reported together with file, line number and field.
 */
import { access, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { convertSquad, isSquadJson } from './convert-squad.ts';
import { corpusEntrySchema, evalCaseSchema, type CorpusEntry, type Dataset, type EvalCase } from './dataset.ts';
import { userMessage } from '../messages/index.ts';
import { InvalidDatasetError, listProblems } from './invalid-dataset-error.ts';

const maxProblems = 20;

/**
 * Parses JSON Lines with a zod schema. Blank lines and lines starting with `//` are skipped.
 * Throws InvalidDatasetError listing every bad line as `file:line: field: message`.
 */
export function parseJsonLines<Schema extends z.ZodType>(text: string, schema: Schema, fileName: string): Array<z.infer<Schema>> {
  const records: Array<z.infer<Schema>> = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith('//')) return;
    const where = `${fileName}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      problems.push(`${where}: not valid JSON (${(error as Error).message})`);
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      records.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(line)';
      problems.push(`${where}: ${field}: ${issue.message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, maxProblems);
    throw new InvalidDatasetError(userMessage('invalid_dataset', { file: fileName, count: problems.length, problems: listProblems(shown) }), shown);
  }
  return records;
}

/**
 * Checks what single lines cannot: unique ids, cases that name documents the corpus has, and
 * answerable cases whose gold document is not excluded. Throws InvalidDatasetError.
 */
export function checkDatasetConsistency(corpus: readonly CorpusEntry[], cases: readonly EvalCase[]): void {
  const problems: string[] = [];
  const documentIds = new Set<string>();
  for (const entry of corpus) {
    if (documentIds.has(entry.id)) problems.push(`corpus: document id '${entry.id}' appears twice`);
    documentIds.add(entry.id);
  }
  const caseIds = new Set<string>();
  for (const evalCase of cases) {
    const where = `case '${evalCase.id}'`;
    if (caseIds.has(evalCase.id)) problems.push(`${where}: case id appears twice`);
    caseIds.add(evalCase.id);
    for (const field of ['goldDocumentIds', 'excludeDocumentIds'] as const) {
      for (const id of evalCase[field] ?? []) {
        if (!documentIds.has(id)) problems.push(`${where}: ${field} names '${id}', which is not in the corpus`);
      }
    }
    const excluded = new Set(evalCase.excludeDocumentIds ?? []);
    if (evalCase.answerable && (evalCase.goldDocumentIds ?? []).some((id) => excluded.has(id))) {
      problems.push(`${where}: answerable, but a gold document is in excludeDocumentIds`);
    }
    if (!evalCase.answerable && (evalCase.goldAnswers ?? []).length > 0) {
      problems.push(`${where}: answerable is false but goldAnswers are given`);
    }
  }
  if (corpus.length === 0) problems.push('corpus: no documents');
  if (cases.length === 0) problems.push('cases: no cases');
  if (problems.length > 0) {
    const shown = problems.slice(0, maxProblems);
    throw new InvalidDatasetError(userMessage('invalid_dataset.inconsistent', { count: problems.length, problems: listProblems(shown) }), shown);
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Loads the dataset in `directory`. Throws InvalidDatasetError when the folder has neither
 * `corpus.jsonl` + `cases.jsonl` nor one SQuAD-format `.json` file, or when anything is invalid.
 */
export async function loadDataset(directory: string): Promise<Dataset> {
  const resolved = path.resolve(directory);
  const entries = await readdir(resolved).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidDatasetError(userMessage('invalid_dataset.folder_unreadable', { directory, reason: error.code ?? error.message }));
  });
  const name = path.basename(resolved);
  let corpus: CorpusEntry[];
  let cases: EvalCase[];
  if (entries.includes('corpus.jsonl') && entries.includes('cases.jsonl')) {
    corpus = parseJsonLines(await readFile(path.join(resolved, 'corpus.jsonl'), 'utf8'), corpusEntrySchema, 'corpus.jsonl');
    cases = parseJsonLines(await readFile(path.join(resolved, 'cases.jsonl'), 'utf8'), evalCaseSchema, 'cases.jsonl');
  } else {
    const jsonFiles = entries.filter((entry) => entry.endsWith('.json'));
    const squadFiles: string[] = [];
    const parsedFiles = new Map<string, unknown>();
    for (const file of jsonFiles) {
      try {
        const value: unknown = JSON.parse(await readFile(path.join(resolved, file), 'utf8'));
        if (isSquadJson(value)) {
          squadFiles.push(file);
          parsedFiles.set(file, value);
        }
      } catch {
        // Not JSON we can read; it simply is not a SQuAD file.
      }
    }
    if (squadFiles.length !== 1) {
      throw new InvalidDatasetError(userMessage('invalid_dataset.layout', { directory, count: squadFiles.length, files: squadFiles.join(', ') || '-' }));
    }
    ({ corpus, cases } = convertSquad(parsedFiles.get(squadFiles[0]!)));
  }
  checkDatasetConsistency(corpus, cases);
  const missing: string[] = [];
  for (const entry of corpus) {
    if (entry.file !== undefined && !(await exists(path.resolve(resolved, entry.file)))) {
      missing.push(`corpus: document '${entry.id}': file '${entry.file}' does not exist in ${resolved}`);
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, maxProblems);
    throw new InvalidDatasetError(userMessage('invalid_dataset.missing_files', { problems: listProblems(shown) }), shown);
  }
  return { name, directory: resolved, corpus, cases };
}

/** Writes a corpus and cases as `corpus.jsonl` and `cases.jsonl` into `directory` (created if needed). */
export async function writeDataset(directory: string, corpus: readonly CorpusEntry[], cases: readonly EvalCase[]): Promise<void> {
  await mkdir(directory, { recursive: true });
  const lines = (records: readonly unknown[]) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';
  await writeFile(path.join(directory, 'corpus.jsonl'), lines(corpus));
  await writeFile(path.join(directory, 'cases.jsonl'), lines(cases));
}
