/** Reads a request body as JSON, turning malformed input into a ValidationError. */
import { ValidationError } from '../errors.ts';

/** The parsed JSON body; a 400 naming `body` when it is empty or not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new ValidationError("Invalid request body: 'body': the body is empty; send a JSON object.", { field: 'body' });
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Invalid request body: 'body': it is not valid JSON.", { field: 'body' });
  }
}
