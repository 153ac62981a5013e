import { BelegError, type ErrorMessage } from '../errors.ts';

/**
 * An evaluation dataset, gates file or report cannot be used: a malformed JSONL line, a missing
 * file, a case that names a document the corpus lacks. `details.problems` lists every problem
 * found (up to a limit) as `file:line: field: message`; texts that list them show them through
 * their `{problems}` placeholder (see `listProblems`).
 */
export class InvalidDatasetError extends BelegError {
  constructor(message: ErrorMessage<'invalid_dataset'>, problems: string[] = []) {
    super(message, { details: { problems } });
  }
}

/** The `{problems}` value of a message: one indented line per problem (empty for none). */
export function listProblems(problems: readonly string[]): string {
  return problems.length > 0 ? `\n  ${problems.join('\n  ')}` : '';
}
