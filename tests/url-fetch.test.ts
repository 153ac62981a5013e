/**
 * URL ingestion against a real local HTTP server (allowed through the allow-list): charsets,
 * redirects, HTTP errors, timeouts, size caps, compression, PDFs, cancellation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BelegError, CancelledError, DocumentTooLargeError, FetchFailedError } from '../src/errors.ts';
import { fetchUrl, type FetchUrlOptions } from '../src/ingest/fetch/fetch-url.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let base: string;
const routes = new Map<string, Handler>();
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const handler = routes.get(request.url ?? '');
    if (handler) handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('Nicht gefunden');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => routes.clear());

const allowLocal: Pick<LoadOptions, 'urlAllowList'> = { urlAllowList: ['127.0.0.1/32'] };
const loadOptions: LoadOptions = { maxBytes: 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, ...allowLocal };
const fetchOptions = (overrides: Partial<FetchUrlOptions> = {}): FetchUrlOptions => ({ ...loadOptions, ...overrides });

async function failure(promise: Promise<unknown>): Promise<BelegError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

const html = (body: string) => `<!doctype html><html lang="de"><head><title>Testseite</title></head><body><nav>Menü</nav><main>${body}</main></body></html>`;

describe('URL loading', () => {
  it('loads a UTF-8 page with title, final URL and main content', async () => {
    routes.set('/seite', (_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html('<h1>Grüße</h1><p>Die Straße ist schön.</p>')));
    const document = await loadDocument({ kind: 'url', url: `${base}/seite` }, loadOptions);
    expect(document.text).toBe('Grüße\n\nDie Straße ist schön.');
    expect(document.title).toBe('Testseite');
    expect(document.finalUrl).toBe(`${base}/seite`);
    expect(document.sections?.[0]?.headingPath).toEqual(['Grüße']);
  });

  it('decodes an ISO-8859-1 page by its Content-Type header', async () => {
    const latin1 = Buffer.from(html('<p>Bürgermeister Müller grüßt die Gäste.</p>'), 'latin1');
    routes.set('/alt', (_request, response) => response.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' }).end(latin1));
    const document = await loadDocument({ kind: 'url', url: `${base}/alt` }, loadOptions);
    expect(document.text).toBe('Bürgermeister Müller grüßt die Gäste.');
  });

  it('follows redirects within the limit and reports the final URL', async () => {
    routes.set('/a', (_request, response) => response.writeHead(301, { location: '/b' }).end());
    routes.set('/b', (_request, response) => response.writeHead(307, { location: `${base}/c` }).end());
    routes.set('/c', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Angekommen.'));
    const document = await loadDocument({ kind: 'url', url: `${base}/a` }, loadOptions);
    expect(document.text).toBe('Angekommen.');
    expect(document.finalUrl).toBe(`${base}/c`);
  });

  it('refuses more redirects than allowed, and redirect loops', async () => {
    for (let index = 0; index < 5; index++) routes.set(`/r${index}`, (_request, response) => response.writeHead(302, { location: `/r${index + 1}` }).end());
    const tooMany = await failure(fetchUrl(`${base}/r0`, fetchOptions({ maxRedirects: 3 })));
    expect(tooMany).toBeInstanceOf(FetchFailedError);
    expect(tooMany.code).toBe('too_many_redirects');
    routes.set('/loop', (_request, response) => response.writeHead(302, { location: '/loop' }).end());
    expect((await failure(fetchUrl(`${base}/loop`, fetchOptions()))).code).toBe('too_many_redirects');
  });

  it.each([404, 410, 500, 503])('turns HTTP %i into http_error with the status', async (status) => {
    routes.set('/fehler', (_request, response) => response.writeHead(status, { 'content-type': 'text/plain' }).end('Fehler'));
    const error = await failure(loadDocument({ kind: 'url', url: `${base}/fehler` }, loadOptions));
    expect(error.code).toBe('http_error');
    expect(error.details?.status).toBe(status);
    expect(error.message).toContain(String(status));
  });

  it('times out when the server never answers', async () => {
    routes.set('/still', (_request, response) => hanging.push(response));
    const error = await failure(fetchUrl(`${base}/still`, fetchOptions({ fetchTimeoutMs: 300 })));
    expect(error.code).toBe('fetch_timeout');
  });

  it('times out when the body stalls', async () => {
    routes.set('/langsam', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('Anfang …');
      hanging.push(response);
    });
    const error = await failure(fetchUrl(`${base}/langsam`, fetchOptions({ fetchTimeoutMs: 300 })));
    expect(error.code).toBe('fetch_timeout');
  });

  it('refuses a body over the size cap by its Content-Length before reading it', async () => {
    routes.set('/gross', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(5000) }).end('x'.repeat(5000)));
    const error = await failure(fetchUrl(`${base}/gross`, fetchOptions({ maxBytes: 1000 })));
    expect(error).toBeInstanceOf(DocumentTooLargeError);
  });

  it('stops reading a streamed body without length once it exceeds the cap', async () => {
    routes.set('/strom', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'y'.repeat(64 * 1024);
      for (let index = 0; index < 32; index++) response.write(chunk);
      response.end();
    });
    const error = await failure(fetchUrl(`${base}/strom`, fetchOptions({ maxBytes: 256 * 1024 })));
    expect(error).toBeInstanceOf(DocumentTooLargeError);
  });

  it('decompresses gzip bodies and caps what a compression bomb unpacks to', async () => {
    routes.set('/gz', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' }).end(gzipSync('Komprimierter Text über Öl.')));
    const result = await fetchUrl(`${base}/gz`, fetchOptions());
    expect(new TextDecoder().decode(result.bytes)).toBe('Komprimierter Text über Öl.');
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    routes.set('/bombe', (_request, response) => response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(bomb));
    expect(await failure(fetchUrl(`${base}/bombe`, fetchOptions({ maxBytes: 1024 * 1024 })))).toBeInstanceOf(DocumentTooLargeError);
  });

  it('loads a PDF served over HTTP', async () => {
    const pdf = readFileSync(new URL('./fixtures/documents/strassenbahn-libreoffice.pdf', import.meta.url));
    routes.set('/bericht', (_request, response) => response.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf));
    const document = await loadDocument({ kind: 'url', url: `${base}/bericht` }, loadOptions);
    expect(document.mimeType).toBe('application/pdf');
    expect(document.pages).toHaveLength(3);
  });

  it('stops when the caller aborts', async () => {
    routes.set('/warten', (_request, response) => hanging.push(response));
    const controller = new AbortController();
    const pending = fetchUrl(`${base}/warten`, fetchOptions({ signal: controller.signal }));
    controller.abort();
    expect(await failure(pending)).toBeInstanceOf(CancelledError);
  });

  it('reports a refused connection and an unknown host', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await failure(fetchUrl(`http://127.0.0.1:${closedPort}/`, fetchOptions()))).code).toBe('fetch_failed');
    const unknown = await failure(
      fetchUrl('http://gibt-es-nicht.example/', fetchOptions({ lookup: async () => Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })) })),
    );
    expect(unknown.code).toBe('dns_failed');
  });
});
