/**
 * What a URL must look like before beleg fetches it: an absolute http(s) address without
 * credentials. One check for every path (the API before it accepts a URL, ingestion when a URL is
 * submitted, the fetcher on every redirect hop), so the same URL is refused with the same code
 * wherever it comes in: `validation_failed` (field `url`) for text that is no URL at all,
 * `blocked_url` for a URL beleg will not fetch. Where the address leads is checked when connecting
 * (./fetch-url.ts).
 */
import { BlockedUrlError, ValidationError } from '../../errors.ts';
import { userMessage, type UserMessage } from '../../messages/index.ts';

/** The URL as text without user and password, for messages and logs. */
export function redact(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/**
 * Parses `raw` and checks scheme and credentials; throws ValidationError when it is no URL,
 * BlockedUrlError (`blocked_url`) naming the problem otherwise. `from` is the page that
 * redirected here, named in the message.
 */
export function parseFetchableUrl(raw: string | URL, from?: URL): URL {
  let url: URL;
  try {
    url = raw instanceof URL ? raw : new URL(raw);
  } catch {
    throw new ValidationError(userMessage('validation_failed.not_a_url', { url: String(raw) }), { field: 'url', url: String(raw) });
  }
  const hop: UserMessage | '' = from ? userMessage('fragment.redirected_from', { url: from.href }) : '';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedUrlError(userMessage('blocked_url.scheme', { scheme: url.protocol, hop }), { url: url.href, reason: 'scheme' });
  }
  if (url.username !== '' || url.password !== '') {
    throw new BlockedUrlError(userMessage('blocked_url.credentials', { hop }), { url: redact(url), reason: 'credentials' });
  }
  return url;
}
