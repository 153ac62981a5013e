/** Reads a request body as JSON, turning malformed input into a ValidationError. */
import { ValidationError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

/** The parsed JSON body; a 400 naming `body` when it is empty or not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new ValidationError(userMessage('validation_failed.body_empty'), { field: 'body' });
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(userMessage('validation_failed.body_not_json'), { field: 'body' });
  }
}
