/**
 * The lookup over the message catalogue (./catalogue.ts): a `UserMessage` names a text of the
 * catalogue and the values of its placeholders, and is rendered in the reader's language only
 * when someone reads it (the API per request, the CLI per locale, logs in English). Errors carry
 * their UserMessage, failed documents store it, so the same failure reads German on the web page
 * and English in the server log.
 *
 * Placeholders are `{name}`. A value is a string or number (inserted as is), a nested UserMessage
 * (rendered in the same language, for fragments such as "redirected from …"), or a text that
 * already exists in both languages (`{ de, en }`, e.g. zod's German and English issue texts).
 * Values are plain JSON, so a UserMessage can cross the parser process and be stored in SQLite.
 */
import { catalogue } from './catalogue.ts';

/** The languages beleg speaks. English is the default (logs, API without Accept-Language). */
export const languages = ['de', 'en'] as const;
export type Language = (typeof languages)[number];

/** Every text of the catalogue, by id. */
export type MessageId = keyof typeof catalogue;

/** Ids of texts that are not error messages: decline reasons, CLI and web page texts, fragments. */
type TextNamespace = 'declined' | 'cli' | 'web' | 'fragment';
export type ErrorMessageId = Exclude<MessageId, `${TextNamespace}.${string}`>;

/** The error code an error message id belongs to: `validation_failed.question_too_long` → `validation_failed`. */
export type CodeOf<Id extends string> = Id extends `${infer Code}.${string}` ? Code : Id;
/** Every error code the catalogue has texts for. */
export type ErrorCode = CodeOf<ErrorMessageId>;
/** The message ids of one error code: the code itself and its `code.variant` texts. */
export type MessageIdOfCode<Code extends string> = Extract<ErrorMessageId, Code | `${Code}.${string}`>;

/** A text both languages already have (a library's issue text in German and English). */
export type LocalizedValue = { de: string; en: string };
export type MessageValue = string | number | LocalizedValue | UserMessage;
export type MessageValues = Readonly<Record<string, MessageValue>>;

/** A catalogue text and its placeholder values, not yet in a language. */
export type UserMessage = { readonly id: MessageId; readonly values: MessageValues };

/** The placeholder names of a template: `'{a} of {b}'` → `'a' | 'b'`. */
type PlaceholdersOf<Text extends string> = Text extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholdersOf<Rest> : never;
/** The values a message id needs, one per placeholder of its English text (the German one must use the same). */
export type ValuesOf<Id extends MessageId> = { readonly [Name in PlaceholdersOf<(typeof catalogue)[Id]['en']>]: MessageValue };
/** `[]` for texts without placeholders, `[values]` otherwise. */
export type ValuesArgument<Id extends MessageId> = [PlaceholdersOf<(typeof catalogue)[Id]['en']>] extends [never] ? [] : [values: ValuesOf<Id>];

/** Names a catalogue text with its values; checked at compile time against the text's placeholders. */
export function userMessage<Id extends MessageId>(id: Id, ...values: ValuesArgument<Id>): UserMessage & { readonly id: Id } {
  return { id, values: (values[0] ?? {}) as MessageValues };
}

/** The error code of a message id (the part before the first dot). */
export function errorCodeOf(id: string): string {
  const dot = id.indexOf('.');
  return dot < 0 ? id : id.slice(0, dot);
}

/** Whether the catalogue has a text with this id (for ids read back from storage or another process). */
export function isMessageId(id: unknown): id is MessageId {
  return typeof id === 'string' && Object.hasOwn(catalogue, id);
}

function isUserMessage(value: unknown): value is UserMessage {
  return typeof value === 'object' && value !== null && 'id' in value && 'values' in value;
}

function renderValue(value: MessageValue | undefined, language: Language): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (isUserMessage(value)) return formatMessage(value, language);
  return value[language];
}

/**
 * Renders a message in a language. A placeholder without a value stays visible as `{name}` (the
 * catalogue test makes sure none does); an id the catalogue lacks (a stored message of an older
 * or newer beleg) renders as the id itself.
 */
export function formatMessage(message: UserMessage, language: Language): string {
  const texts = isMessageId(message.id) ? catalogue[message.id] : undefined;
  if (!texts) return message.id;
  return texts[language].replace(/\{(\w+)\}/g, (placeholder, name: string) => renderValue(message.values[name], language) ?? placeholder);
}

/** Shorthand for texts of the CLI and the web page: the id, its values and the language at once. */
export function text<Id extends MessageId>(language: Language, id: Id, ...values: ValuesArgument<Id>): string {
  return formatMessage(userMessage(id, ...values), language);
}
