/**
 * SSRF battery for URL ingestion: a local HTTP server on 127.0.0.1 that counts requests, and stub
 * resolvers that make names point wherever a test needs. A refused URL must never reach a server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BelegError, BlockedUrlError } from '../src/errors.ts';
import { checkAddress, parseAllowList } from '../src/ingest/fetch/address-policy.ts';
import { fetchUrl, type FetchUrlOptions } from '../src/ingest/fetch/fetch-url.ts';
import type { HostResolver, ResolvedAddress } from '../src/ingest/fetch/host-resolver.ts';
import { loadDocument } from '../src/ingest/load-document.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let port: number;
let requests: string[] = [];
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const handler = routes.get(request.url ?? '') ?? ((_request, reply) => reply.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Geheime interne Seite.</p>'));
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
  routes.clear();
});

/** A resolver that must not be asked (literal addresses need no DNS). */
const noDns: HostResolver = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};
/** A resolver answering from a table. */
const resolverOf =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

function options(overrides: Partial<FetchUrlOptions> = {}): FetchUrlOptions {
  return { maxBytes: 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [], lookup: noDns, ...overrides };
}

async function expectBlocked(url: string, fetchOptions: FetchUrlOptions = options()): Promise<BlockedUrlError> {
  const error = await fetchUrl(url, fetchOptions).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, `${url} must be refused`).toBeInstanceOf(BlockedUrlError);
  expect((error as BelegError).code).toBe('blocked_url');
  expect(requests, `${url} must not reach the server`).toEqual([]);
  return error as BlockedUrlError;
}

describe('SSRF: literal addresses are refused before connecting', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:PORT/'],
    ['loopback, other address in 127/8', 'http://127.1.2.3:PORT/'],
    ['IPv6 loopback', 'http://[::1]:PORT/'],
    ['private 10/8', 'http://10.0.0.1/'],
    ['private 172.16/12 start', 'http://172.16.0.1/'],
    ['private 172.16/12 end', 'http://172.31.255.255/'],
    ['private 192.168/16', 'http://192.168.1.1/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['link-local', 'http://169.254.1.1/'],
    ['unspecified 0.0.0.0', 'http://0.0.0.0:PORT/'],
    ['unspecified as bare 0', 'http://0:PORT/'],
    ['IPv6 unspecified', 'http://[::]:PORT/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['unique-local fc00::/7', 'http://[fc00::1]/'],
    ['unique-local fd00::', 'http://[fd12:3456:789a::1]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['IPv4-mapped private', 'http://[::ffff:10.0.0.1]/'],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]:PORT/'],
    ['NAT64 loopback', 'http://[64:ff9b::7f00:1]/'],
    ['6to4 loopback', 'http://[2002:7f00:1::]/'],
    ['decimal spelling', 'http://2130706433:PORT/'],
    ['octal spelling', 'http://0177.0.0.1:PORT/'],
    ['hex short spelling', 'http://0x7f.1:PORT/'],
    ['hex spelling', 'http://0x7f000001:PORT/'],
    ['octal long spelling', 'http://017700000001:PORT/'],
    ['metadata in decimal', 'http://2852039166/'],
    ['zero-padded octets', 'http://127.000.000.001:PORT/'],
  ])('%s: %s', async (_name, url) => {
    const error = await expectBlocked(url.replace('PORT', String(port)));
    expect(error.message).toMatch(/BELEG_URL_ALLOW_LIST/);
  });
});

describe('SSRF: schemes and credentials', () => {
  it.each([
    ['ftp://example.org/datei.pdf', /Only http and https/],
    ['file:///etc/passwd', /Only http and https/],
    ['gopher://127.0.0.1:70/', /Only http and https/],
    ['data:text/html,<p>Hallo</p>', /Only http and https/],
    ['javascript:alert(1)', /Only http and https/],
    ['http://benutzer:geheim@example.org/', /credentials/],
    ['http://benutzer@example.org/', /credentials/],
  ])('%s', async (url, message) => {
    const error = await expectBlocked(url);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('geheim');
  });

  it('refuses text that is no URL as invalid input, naming the field', async () => {
    const error = await fetchUrl('kein-url', options()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'validation_failed', details: { field: 'url' } });
    expect((error as Error).message).toMatch(/not a valid URL/);
    expect(requests).toEqual([]);
  });
});

describe('SSRF: host names are checked on the addresses they resolve to', () => {
  it.each([
    ['private', ['10.0.0.1']],
    ['loopback', ['127.0.0.1']],
    ['metadata', ['169.254.169.254']],
    ['IPv6 loopback', ['::1']],
    ['IPv4-mapped private', ['::ffff:192.168.0.1']],
    ['unique-local', ['fd00::1']],
    ['one bad address among public ones', ['93.184.216.34', '127.0.0.1']],
  ])('a name resolving to %s is refused', async (_name, addresses) => {
    const error = await expectBlocked(`http://intern.example:${port}/`, options({ lookup: resolverOf({ 'intern.example': addresses }) }));
    expect(error.message).toContain("'intern.example' resolves to");
  });

  it('localhost resolving to loopback is refused', async () => {
    await expectBlocked(`http://localhost:${port}/`, options({ lookup: resolverOf({ localhost: ['127.0.0.1', '::1'] }) }));
  });

  it('connects to the address it checked: one lookup per connection, no second resolution (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding: HostResolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    };
    const result = await fetchUrl(`http://rebind.example:${port}/`, options({ lookup: rebinding, urlAllowList: ['127.0.0.1/32'] }));
    expect(new TextDecoder().decode(result.bytes)).toContain('Geheime interne Seite');
    expect(calls).toBe(1);
    expect(requests).toEqual(['/']);
  });

  it('refuses when the first answer is private, even if a later one would be allowed', async () => {
    let calls = 0;
    const rebinding: HostResolver = async () => {
      calls++;
      return [{ address: calls === 1 ? '10.0.0.1' : '127.0.0.1', family: 4 }];
    };
    await expectBlocked(`http://rebind.example:${port}/`, options({ lookup: rebinding, urlAllowList: ['127.0.0.1/32'] }));
  });
});

describe('SSRF: redirects are checked on every hop', () => {
  const redirectTo = (location: string): Handler => (_request, response) => response.writeHead(302, { location }).end();
  const allowLocal = (table: Record<string, string[]> = {}) => options({ urlAllowList: ['127.0.0.1/32'], lookup: resolverOf(table) });

  it.each([
    ['a private address', 'http://10.0.0.1/'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/iam/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.2]/'],
    ['a decimal spelling', 'http://2852039166/'],
    ['a file URL', 'file:///etc/passwd'],
    ['a URL with credentials', 'http://admin:admin@example.org/'],
  ])('a redirect to %s is refused', async (_name, location) => {
    routes.set('/weiter', redirectTo(location));
    const error = await fetchUrl(`http://127.0.0.1:${port}/weiter`, allowLocal()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BlockedUrlError);
    expect((error as Error).message).toContain('redirected from');
    expect(requests).toEqual(['/weiter']);
  });

  it('a redirect to a name resolving to a private address is refused', async () => {
    routes.set('/weiter', redirectTo('http://intern.example/admin'));
    const error = await fetchUrl(`http://127.0.0.1:${port}/weiter`, allowLocal({ 'intern.example': ['192.168.10.10'] })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BlockedUrlError);
    expect(requests).toEqual(['/weiter']);
  });

  it('a redirect between allowed pages is followed', async () => {
    routes.set('/alt', redirectTo('/neu'));
    routes.set('/neu', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('Neue Seite.'));
    const result = await fetchUrl(`http://127.0.0.1:${port}/alt`, allowLocal());
    expect(result.finalUrl).toBe(`http://127.0.0.1:${port}/neu`);
    expect(requests).toEqual(['/alt', '/neu']);
  });
});

describe('SSRF: the allow-list', () => {
  it('blocks the local server without an allow-list, for loadDocument too', async () => {
    const error = await loadDocument(
      { kind: 'url', url: `http://127.0.0.1:${port}/` },
      { maxBytes: 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] },
    ).catch((caught: unknown) => caught);
    expect((error as BelegError).code).toBe('blocked_url');
    expect(requests).toEqual([]);
  });

  it('opens a CIDR range', async () => {
    const result = await fetchUrl(`http://127.0.0.1:${port}/`, options({ urlAllowList: ['127.0.0.0/8'] }));
    expect(result.status).toBe(200);
  });

  it('opens a host name, whatever it resolves to', async () => {
    const result = await fetchUrl(`http://docs.intern:${port}/`, options({ urlAllowList: ['docs.intern'], lookup: resolverOf({ 'docs.intern': ['127.0.0.1'] }) }));
    expect(result.finalUrl).toBe(`http://docs.intern:${port}/`);
  });

  it('opens nothing else', async () => {
    const allowList = parseAllowList(['127.0.0.0/8', 'docs.intern']);
    expect(checkAddress('10.0.0.1', allowList).allowed).toBe(false);
    expect(checkAddress('169.254.169.254', allowList).allowed).toBe(false);
    expect(checkAddress('::1', allowList).allowed).toBe(false);
    expect(checkAddress('::ffff:127.0.0.1', allowList).allowed).toBe(true);
    await expectBlocked(`http://other.intern:${port}/`, options({ urlAllowList: ['docs.intern'], lookup: resolverOf({ 'other.intern': ['127.0.0.1'] }) }));
  });

  it('allows public unicast addresses and rejects malformed allow-list entries', () => {
    const empty = parseAllowList([]);
    expect(checkAddress('93.184.216.34', empty).allowed).toBe(true);
    expect(checkAddress('2a00:1450:4001:80b::200e', empty).allowed).toBe(true);
    expect(() => parseAllowList(['10.0.0.0/99'])).toThrow(/not a valid CIDR/);
  });
});
