import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './helpers/start-app.ts';

const writeKey = 'write-key-0123456789abcdef';
const readKey = 'read-key-0123456789abcdef';

let running: RunningApp;
beforeAll(async () => {
  running = await startApp({ apiKeys: [{ key: writeKey, role: 'write' }, { key: readKey, role: 'read' }] });
});
afterAll(async () => running.close());

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

function upload(headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob(['Ein Satz.'], { type: 'text/plain' }), 'a.txt');
  return fetch(`${running.url}/documents`, { method: 'POST', body: form, headers });
}

describe('API keys', () => {
  it('rejects requests without a key, with a wrong key, or with a key of different case', async () => {
    const none = await fetch(`${running.url}/documents`);
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthenticated');
    expect((await fetch(`${running.url}/documents`, { headers: { authorization: 'Bearer wrong-key-0123456789' } })).status).toBe(401);
    expect((await fetch(`${running.url}/documents`, { headers: { authorization: `Bearer ${readKey.toUpperCase()}` } })).status).toBe(401);
    expect((await fetch(`${running.url}/documents`, { headers: { authorization: `Basic ${readKey}` } })).status).toBe(401);
    expect((await fetch(`${running.url}/ask`, { method: 'POST', body: '{"question":"x"}' })).status).toBe(401);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
  });

  it('does not accept a key in the query string and says why', async () => {
    const response = await fetch(`${running.url}/documents?api_key=${writeKey}`);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toMatch(/not accepted in the URL/);
  });

  it('accepts the Bearer scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await fetch(`${running.url}/documents`, { headers: { authorization: `${scheme} ${readKey}` } });
      expect(response.status, scheme).toBe(200);
    }
  });

  it('lets a read key list and ask but not upload or delete (403)', async () => {
    const read = { authorization: `Bearer ${readKey}` };
    const write = { authorization: `Bearer ${writeKey}` };
    const refused = await upload(read);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe('forbidden');
    expect(running.ingestion.submitted).toHaveLength(0);

    const accepted = await upload(write);
    expect(accepted.status).toBe(202);
    const id = ((await accepted.json()) as { documents: Array<{ id: string }> }).documents[0]!.id;
    expect((await fetch(`${running.url}/documents/${id}`, { method: 'DELETE', headers: read })).status).toBe(403);

    const ask = await fetch(`${running.url}/ask`, {
      method: 'POST',
      headers: { ...read, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Was steht dort?' }),
    });
    expect(ask.status).toBe(200);
    expect((await fetch(`${running.url}/documents/${id}`, { method: 'DELETE', headers: write })).status).toBe(204);
  });

  it('keeps /health, the web page, /openapi.json and /docs open', async () => {
    for (const path of ['/health', '/', '/assets/app.js', '/openapi.json', '/docs']) {
      expect((await fetch(`${running.url}${path}`)).status, path).toBe(200);
    }
  });

  it('answers unknown paths with 401 before 404, so they reveal nothing without a key', async () => {
    expect((await fetch(`${running.url}/nope`)).status).toBe(401);
    const known = await fetch(`${running.url}/nope`, { headers: { authorization: `Bearer ${readKey}` } });
    expect(known.status).toBe(404);
    expect((await errorOf(known)).code).toBe('route_not_found');
  });
});
