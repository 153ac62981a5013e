import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './helpers/start-app.ts';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function ask(app: RunningApp, question = 'Was steht dort?'): Promise<Response> {
  return fetch(`${app.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
}

function upload(app: RunningApp, bytes: number): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob(['x'.repeat(bytes)], { type: 'text/plain' }), 'gross.txt');
  return fetch(`${app.url}/documents`, { method: 'POST', body: form });
}

async function errorOf(response: Response): Promise<{ code: string; message: string; field?: string }> {
  return ((await response.json()) as { error: { code: string; message: string; field?: string } }).error;
}

describe('limits', () => {
  it('refuses a request body over the limit with 413 before reading it', async () => {
    running = await startApp({ limits: { maxRequestBytes: 2048 } });
    const response = await upload(running, 4096);
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe('request_too_large');
    expect(error.message).toContain('BELEG_MAX_REQUEST_BYTES');
    expect(running.ingestion.submitted).toHaveLength(0);
  });

  it('refuses a file over the per-file limit with 413 even when the request fits', async () => {
    running = await startApp({ limits: { maxDocumentBytes: 1000, maxRequestBytes: 100_000 } });
    const response = await upload(running, 1500);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('document_too_large');
    expect((await upload(running, 900)).status).toBe(202);
  });

  it('refuses a question over the length limit with 400 naming the field', async () => {
    running = await startApp({ limits: { maxQuestionChars: 50 } });
    const response = await ask(running, 'W'.repeat(51));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).field).toBe('question');
    expect((await ask(running, 'W'.repeat(50))).status).toBe(200);
  });

  it('answers 429 with Retry-After when every generation slot and the queue are taken', async () => {
    running = await startApp({ limits: { maxConcurrentGenerations: 1, maxQueuedGenerations: 1, queueTimeoutMs: 60_000 } });
    const hold = running.answerer.hold();
    const first = ask(running);
    await running.answerer.waitForStarted(1);
    const queued = ask(running);
    await expect
      .poll(async () => (await (await fetch(`${running!.url}/metrics`)).text()).includes('beleg_generations_queued 1'), { timeout: 10_000 })
      .toBe(true);
    const refused = await ask(running);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await errorOf(refused)).code).toBe('overloaded');
    hold.release();
    expect((await first).status).toBe(200);
    expect((await queued).status).toBe(200);
  });

  it('answers 503 with Retry-After when a queued question waits longer than the queue timeout', async () => {
    running = await startApp({ limits: { maxConcurrentGenerations: 1, maxQueuedGenerations: 4, queueTimeoutMs: 50 } });
    const hold = running.answerer.hold();
    const first = ask(running);
    await running.answerer.waitForStarted(1);
    const timedOut = await ask(running);
    expect(timedOut.status).toBe(503);
    expect(timedOut.headers.get('retry-after')).not.toBeNull();
    expect((await errorOf(timedOut)).message).toMatch(/waited 50 ms/);
    hold.release();
    expect((await first).status).toBe(200);
  });

  it('rate-limits each key with 429 and Retry-After, other keys unaffected', async () => {
    const keys = [
      { key: 'first-key-0123456789', role: 'read' as const },
      { key: 'second-key-0123456789', role: 'read' as const },
    ];
    running = await startApp({ apiKeys: keys, limits: { rateLimitPerMinute: 2 } });
    const list = (key: string) => fetch(`${running!.url}/documents`, { headers: { authorization: `Bearer ${key}` } });
    expect((await list(keys[0]!.key)).status).toBe(200);
    expect((await list(keys[0]!.key)).status).toBe(200);
    const limited = await list(keys[0]!.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(30);
    expect((await list(keys[1]!.key)).status).toBe(200);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });
});
