/**
 * The request log as an operator reads it: one JSON line per request with request id (also in the
 * response), route pattern, method, status and duration; for /ask the engine and the outcome — and
 * never a credential, a question, a quote or document text.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogLevel } from '../src/logger.ts';
import { readServerSentEvents, startApp, type RunningApp } from './helpers/start-app.ts';

const documentText = 'Die Bibliothek öffnet um neun Uhr. Ausleihen sind vier Wochen lang möglich. Verlängern kann man zweimal.';
const writeKey = 'schreib-schluessel-0123456789abcdef';
const question = 'Wie lange sind Ausleihen möglich?';

type LogLine = Record<string, unknown> & { level: string; msg: string };

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** Starts the app with API keys and one document; its log lines are collected as text and parsed. */
async function startLogged(level: LogLevel = 'info') {
  const written: string[] = [];
  const logger = createLogger({ level, destination: { write: (line) => void written.push(line) } });
  running = await startApp({ apiKeys: [{ key: writeKey, role: 'write' }], logger });
  const document = await running.ingestion.ingest({ kind: 'text', title: 'Benutzungsordnung', text: documentText });
  const lines = () => written.map((line) => JSON.parse(line) as LogLine);
  const requestLine = (requestId: string) => lines().find((line) => line.requestId === requestId && /^[A-Z]+ /.test(line.msg));
  return { app: running, document, written, lines, requestLine };
}

function ask(app: RunningApp, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${app.url}/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}`, ...headers },
    body: JSON.stringify(body),
  });
}

describe('request log', () => {
  it('logs an answered /ask with id, route, status, duration, engine and outcome, but not the key, question or quote', async () => {
    const { app, written, requestLine } = await startLogged();
    const response = await ask(app, { question });
    const answer = (await response.json()) as { answer: string; declined: boolean };
    expect(answer.declined).toBe(false);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    expect(requestLine(requestId!)).toMatchObject({
      level: 'info',
      msg: 'POST /ask 200',
      method: 'POST',
      route: '/ask',
      status: 200,
      engine: 'extractive',
      outcome: 'answered',
      questionChars: question.length,
      citations: 1,
    });
    expect(requestLine(requestId!)!.durationMs).toEqual(expect.any(Number));
    expect(typeof requestLine(requestId!)!.time).toBe('string');

    const log = written.join('');
    expect(log).not.toContain(writeKey);
    expect(log).not.toMatch(/bearer/i);
    expect(log).not.toContain(question);
    expect(log).not.toContain(answer.answer);
    expect(log).not.toContain('Bibliothek');
  });

  it('logs a declined answer with its reason', async () => {
    const { app, requestLine } = await startLogged();
    const response = await ask(app, { question: 'Wer gewann die Fußballweltmeisterschaft?' });
    expect(((await response.json()) as { declined: boolean }).declined).toBe(true);
    expect(requestLine(response.headers.get('x-request-id')!)).toMatchObject({ route: '/ask', status: 200, outcome: 'declined', reason: 'no_sources' });
  });

  it('logs a streamed answer when its stream has ended, with the outcome', async () => {
    const { app, written, requestLine } = await startLogged();
    const response = await ask(app, { question, stream: true });
    const requestId = response.headers.get('x-request-id')!;
    const events = await readServerSentEvents(response);
    expect(events.at(-1)!.event).toBe('finish');
    await vi.waitFor(() => expect(requestLine(requestId)).toMatchObject({ route: '/ask', status: 200, stream: true, outcome: 'answered', engine: 'extractive' }));
    expect(written.join('')).not.toContain(question);
  });

  it('keeps a sane incoming X-Request-Id and replaces one that is not', async () => {
    const { app, requestLine } = await startLogged();
    const kept = await ask(app, { question }, { 'x-request-id': 'proxy-4711_abc=' });
    expect(kept.headers.get('x-request-id')).toBe('proxy-4711_abc=');
    expect(requestLine('proxy-4711_abc=')).toMatchObject({ route: '/ask', status: 200 });

    for (const insane of ['zwei wörter', 'a'.repeat(129), '<script>', 'id\tmit\ttab']) {
      const replaced = await ask(app, { question }, { 'x-request-id': insane });
      const requestId = replaced.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestLine(requestId!)).toMatchObject({ route: '/ask' });
    }
  });

  it('logs the route pattern, not the path with the id, and the error code of a failed request', async () => {
    const { app, written, requestLine } = await startLogged();
    const missing = await fetch(`${app.url}/documents/geheimes-dokument-42`, { headers: { authorization: `Bearer ${writeKey}` } });
    expect(missing.status).toBe(404);
    expect(requestLine(missing.headers.get('x-request-id')!)).toMatchObject({ method: 'GET', route: '/documents/:id', status: 404, errorCode: 'not_found' });

    const unauthenticated = await fetch(`${app.url}/ask`, { method: 'POST', headers: { authorization: 'Bearer falscher-schluessel-0123456789' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLine(unauthenticated.headers.get('x-request-id')!)).toMatchObject({ route: '/ask', status: 401, errorCode: 'unauthenticated' });

    expect(written.join('')).not.toContain('geheimes-dokument-42');
    expect(written.join('')).not.toContain('falscher-schluessel');
  });

  it('logs health checks only at debug level, and nothing below the configured level', async () => {
    const quiet = await startLogged('info');
    const health = await fetch(`${quiet.app.url}/health`);
    expect(health.status).toBe(200);
    expect(quiet.requestLine(health.headers.get('x-request-id')!)).toBeUndefined();
    await quiet.app.close();

    const verbose = await startLogged('debug');
    const checked = await fetch(`${verbose.app.url}/health`);
    expect(verbose.requestLine(checked.headers.get('x-request-id')!)).toMatchObject({ level: 'debug', route: '/health', status: 200 });
  });

  it('writes an unexpected error with its stack at error level, and the client gets only the request id', async () => {
    const { app, requestLine, lines } = await startLogged();
    app.answerer.failWith(new TypeError('Kaputt im Inneren'));
    const response = await ask(app, { question });
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id')!;
    expect(requestLine(requestId)).toMatchObject({ level: 'error', status: 500, errorCode: 'internal_error' });
    const errorLine = lines().find((line) => line.requestId === requestId && line.msg === 'unexpected error while handling a request');
    expect(errorLine).toMatchObject({ level: 'error', error: { type: 'TypeError', message: 'Kaputt im Inneren' } });
    expect((errorLine!.error as { stack: string }).stack).toContain('TypeError');
  });
});
