import { BelegError } from '../errors.ts';

/**
 * An evaluation dataset, gates file or report cannot be used: a malformed JSONL line, a missing
 * file, a case that names a document the corpus lacks. `details.problems` lists every problem
 * found (up to a limit) as `file:line: field: message`.
 */
export class InvalidDatasetError extends BelegError {
  constructor(message: string, problems: string[] = []) {
    const listing = problems.length > 0 ? `\n  ${problems.join('\n  ')}` : '';
    super('invalid_dataset', `${message}${listing}`, { details: { problems } });
  }
}
