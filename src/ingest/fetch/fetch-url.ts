/**
 * Safe URL fetching for ingestion (SSRF-hardened). Every hop of a redirect chain is checked:
 * scheme (http/https only), no credentials, and the address actually connected to. Host names
 * are resolved inside the connection itself (undici's `connect.lookup`): every resolved address
 * is checked and the socket connects to a checked one, so there is no window between checking
 * and connecting in which DNS could answer differently (DNS rebinding). Literal IPs in URLs
 * (including odd spellings like `2130706433` or `0x7f.1`, which the URL parser normalizes) are
 * checked before connecting. Downloads are capped in time and size, decompression included.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request } from 'undici';
import { BelegError, BlockedUrlError, CancelledError, DocumentTooLargeError, FetchFailedError } from '../../errors.ts';
import { formatMessage, userMessage, type UserMessage } from '../../messages/index.ts';
import { checkAddress, isAllowedHost, isIpLiteral, parseAllowList, type AllowList } from './address-policy.ts';
import { parseFetchableUrl, redact } from './fetchable-url.ts';
import { systemResolver, type HostResolver } from './host-resolver.ts';

export type FetchUrlOptions = {
  /** Largest body accepted (after decompression), in bytes. */
  maxBytes: number;
  /** Whole time allowed, all redirects included. */
  fetchTimeoutMs: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  /** Hosts or CIDR ranges that may be reached although they are not public. */
  urlAllowList: string[];
  signal?: AbortSignal;
  /** Host name resolver; the system resolver when absent. */
  lookup?: HostResolver;
};

/** A downloaded document. */
export type FetchedDocument = {
  bytes: Uint8Array;
  /** The Content-Type header of the final response, or null. */
  contentType: string | null;
  /** The URL after redirects. */
  finalUrl: string;
  status: number;
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT = 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,*/*;q=0.1';
const USER_AGENT = 'beleg/0.1 (document ingestion)';

/**
 * Downloads `url`, following redirects. Throws BlockedUrlError (code `blocked_url`) for refused
 * schemes, credentials and addresses; FetchFailedError with `http_error` (non-2xx, `details.status`),
 * `too_many_redirects`, `fetch_timeout`, `dns_failed` or `fetch_failed`; DocumentTooLargeError
 * over `maxBytes`; CancelledError when `signal` aborts.
 */
export async function fetchUrl(url: string, options: FetchUrlOptions): Promise<FetchedDocument> {
  const allowList = parseAllowList(options.urlAllowList);
  const resolver = options.lookup ?? systemResolver;
  const timeout = AbortSignal.timeout(options.fetchTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const agent = new Agent({
    connect: { lookup: checkedLookup(resolver, allowList), timeout: options.fetchTimeoutMs },
    headersTimeout: options.fetchTimeoutMs,
    bodyTimeout: options.fetchTimeoutMs,
    pipelining: 0,
  });
  try {
    let current = checkUrl(url, allowList);
    for (let redirects = 0; ; redirects++) {
      const response = await send(current, agent, signal);
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.statusCode) && typeof location === 'string' && location.length > 0) {
        discard(response);
        if (redirects >= options.maxRedirects) {
          throw new FetchFailedError(userMessage('too_many_redirects', { url, maxRedirects: options.maxRedirects }), {
            details: { url, maxRedirects: options.maxRedirects },
          });
        }
        current = checkUrl(resolveLocation(location, current), allowList, current);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        discard(response);
        throw new FetchFailedError(userMessage('http_error', { status: response.statusCode, url: current.href }), {
          details: { url: current.href, status: response.statusCode },
        });
      }
      const bytes = await readBody(response, options.maxBytes, signal);
      const contentType = headerValue(response.headers['content-type']);
      return { bytes, contentType, finalUrl: current.href, status: response.statusCode };
    }
  } catch (error) {
    throw translateError(error, url, options, timeout);
  } finally {
    agent.destroy().catch(() => undefined);
  }
}

/**
 * Validates a URL (or a redirect target): http/https, no credentials, and a literal IP address
 * must be allowed. Host names are checked when the connection resolves them.
 */
function checkUrl(raw: string | URL, allowList: AllowList, from?: URL): URL {
  const url = parseFetchableUrl(raw, from);
  const hop = from ? userMessage('fragment.redirected_from', { url: from.href }) : '';
  const hostname = url.hostname;
  if (isIpLiteral(hostname) && !isAllowedHost(hostname, allowList)) {
    const verdict = checkAddress(hostname, allowList);
    if (!verdict.allowed) throw blocked(url, userMessage('fragment.host_is', { host: hostname, range: verdict.reason }), hop);
  }
  return url;
}

function blocked(url: URL, reason: UserMessage, hop: UserMessage | '' = ''): BlockedUrlError {
  return new BlockedUrlError(userMessage('blocked_url', { url: redact(url), hop, reason }), { url: redact(url), reason: formatMessage(reason, 'en') });
}

/**
 * The lookup the socket uses: resolve, refuse the host if any address is not allowed, hand the
 * checked addresses to the socket. Allow-listed host names pass as resolved.
 */
function checkedLookup(resolver: HostResolver, allowList: AllowList) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolver(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`No address found for '${hostname}'.`), { code: 'ENOTFOUND' });
        if (!isAllowedHost(hostname, allowList)) {
          for (const { address } of addresses) {
            const verdict = checkAddress(address, allowList);
            if (!verdict.allowed) {
              throw blocked(new URL(`http://${hostname}/`), userMessage('fragment.host_resolves_to', { host: hostname, address, range: verdict.reason }));
            }
          }
        }
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all) callback(null, usable.map(({ address, family }) => ({ address, family })));
        else callback(null, usable[0]!.address, usable[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ''));
  };
}

async function send(url: URL, agent: Agent, signal: AbortSignal) {
  return request(url, {
    method: 'GET',
    dispatcher: agent,
    signal,
    headers: { accept: ACCEPT, 'accept-encoding': 'gzip, deflate, br', 'user-agent': USER_AGENT },
  });
}

type Response = Awaited<ReturnType<typeof request>>;

/** Reads the body, decompressing it, and stops as soon as it exceeds `maxBytes`. */
async function readBody(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(headerValue(response.headers['content-length']) ?? Number.NaN);
  const encoding = (headerValue(response.headers['content-encoding']) ?? 'identity').trim().toLowerCase();
  if (Number.isFinite(declared) && declared > maxBytes && (encoding === 'identity' || encoding === '')) {
    discard(response);
    throw new DocumentTooLargeError(declared, maxBytes);
  }
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : null;
  const stream: Readable = decoder ? response.body.pipe(decoder) : response.body;
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of stream) {
      if (signal.aborted) throw signal.reason;
      size += (part as Buffer).length;
      if (size > maxBytes) throw new DocumentTooLargeError(size, maxBytes);
      parts.push(part as Buffer);
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('Z_')) {
      throw new FetchFailedError(userMessage('fetch_failed.damaged_body', { encoding }), { cause: error });
    }
    throw error;
  } finally {
    discard(response);
    decoder?.destroy();
  }
  return new Uint8Array(Buffer.concat(parts, size));
}

/** Drops a response body we do not read (without an unhandled 'error' event from aborting it). */
function discard(response: Response): void {
  response.body.on('error', () => undefined);
  response.body.destroy();
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    throw new FetchFailedError(userMessage('fetch_failed.invalid_redirect', { url: base.href, location }), { details: { url: base.href, location } });
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** The URL without credentials, for messages. */
/** Finds a BelegError in an error's cause chain (undici wraps connector errors). */
function findBelegError(error: unknown): BelegError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof BelegError) return current;
    current = current instanceof Error ? current.cause : null;
  }
  return null;
}

function translateError(error: unknown, url: string, options: FetchUrlOptions, timeout: AbortSignal): BelegError {
  const known = findBelegError(error);
  if (known) return known;
  if (options.signal?.aborted) return new CancelledError(userMessage('cancelled.fetching', { url }));
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new FetchFailedError(userMessage('fetch_timeout', { url, timeoutMs: options.fetchTimeoutMs }), {
      cause: error,
      details: { url, timeoutMs: options.fetchTimeoutMs },
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new FetchFailedError(userMessage('dns_failed', { url }), { cause: error, details: { url } });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FetchFailedError(userMessage('fetch_failed', { url, reason: code || reason }), {
    cause: error,
    details: { url },
  });
}
