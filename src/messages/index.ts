/** The message catalogue (German and English texts by id) and its lookup. */
export { catalogue } from './catalogue.ts';
export {
  errorCodeOf,
  formatMessage,
  isMessageId,
  languages,
  text,
  userMessage,
  type CodeOf,
  type ErrorCode,
  type ErrorMessageId,
  type Language,
  type LocalizedValue,
  type MessageId,
  type MessageIdOfCode,
  type MessageValue,
  type MessageValues,
  type UserMessage,
  type ValuesOf,
} from './user-message.ts';
export { describeFirstIssue } from './describe-issue.ts';
