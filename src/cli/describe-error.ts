/** How the CLI prints an error: `error [code]: message`, or `Fehler [code]: …` in German. */
import type { BelegError } from '../errors.ts';
import { text, type Language } from '../messages/index.ts';

/** One line (or more, for listings) naming the error's code and saying it in `language`. */
export function describeError(error: BelegError, language: Language): string {
  return text(language, 'cli.error', { code: error.code, message: error.messageIn(language) });
}
