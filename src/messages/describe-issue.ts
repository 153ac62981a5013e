/**
 * The first problem zod found in a value, in German and English, for validation errors. zod's
 * own issue texts are English; its German locale renders them again when the value is parsed a
 * second time (only on the failure path). A schema's custom issue text may be a catalogue id
 * (`'fragment.issue.question_empty'`): it is looked up here instead, so custom texts need no
 * second copy either.
 */
import { z } from 'zod';
import { formatMessage, isMessageId, type LocalizedValue } from './user-message.ts';

const germanIssues = z.locales.de().localeError;

/** Both languages of an issue text: a catalogue text when the text is a catalogue id. */
function localize(english: string, german: string): LocalizedValue {
  if (isMessageId(english)) return { en: formatMessage({ id: english, values: {} }, 'en'), de: formatMessage({ id: english, values: {} }, 'de') };
  return { en: english, de: german };
}

/** The path (`question`, `limits.maxQuestionChars`; empty for the root) and text of the first issue. */
export function describeFirstIssue(schema: z.ZodType, value: unknown, error: z.ZodError): { path: string; problem: LocalizedValue } {
  const issue = error.issues[0]!;
  const again = schema.safeParse(value, { error: germanIssues });
  const germanIssue = again.success ? undefined : again.error.issues[0];
  return { path: issue.path.map(String).join('.'), problem: localize(issue.message, germanIssue?.message ?? issue.message) };
}
