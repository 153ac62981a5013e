/**
 * Upload file names are metadata only: they are shown to users and stored in the database, never
 * used to build a path. This still reduces them to a harmless display name (last path segment,
 * no control characters, bounded length) so nothing downstream can be tricked by one.
 */

const maxFileNameChars = 255;

/** The last segment of `name` without control characters, at most 255 characters; `upload` if nothing is left. */
export function safeFileName(name: string): string {
  const lastSegment = name.split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .trim()
    .replace(/^\.+$/, '');
  const bounded = cleaned.length > maxFileNameChars ? cleaned.slice(cleaned.length - maxFileNameChars) : cleaned;
  return bounded === '' ? 'upload' : bounded;
}
