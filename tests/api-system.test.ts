import { declineReasons } from '../src/answer/answer-contract.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './helpers/start-app.ts';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('health, metrics, OpenAPI', () => {
  it('reports storage, engines, embedding model and lexical-only mode', async () => {
    running = await startApp();
    const response = await fetch(`${running.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      storage: { ok: true, detail: '0 documents' },
      engines: [{ name: 'extractive', model: 'fake-extractive', ready: true }],
      embeddingModel: { name: null, ready: false },
      lexicalOnly: true,
      ingestionQueueDepth: 0,
      role: 'all',
    });
  });

  it('counts requests by route pattern, refusals and queue depth in Prometheus format', async () => {
    running = await startApp({ ingestionOptions: { autoProcess: false } });
    await fetch(`${running.url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"Ein Satz."}' });
    await fetch(`${running.url}/documents/doc-1`);
    await fetch(`${running.url}/documents/doc-404`);
    await fetch(`${running.url}/ask`, { method: 'POST', body: JSON.stringify({ question: 'Wer gewann?' }) });
    const response = await fetch(`${running.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('beleg_http_requests_total{method="GET",route="/documents/:id",status="200"} 1');
    expect(text).toContain('beleg_http_requests_total{method="GET",route="/documents/:id",status="404"} 1');
    expect(text).toContain('beleg_http_requests_total{method="POST",route="/documents",status="202"} 1');
    expect(text).toMatch(/beleg_http_request_duration_seconds_bucket\{method="POST",route="\/ask",le="\+Inf"\} 1/);
    expect(text).toContain('beleg_ingestion_queue_depth 1');
    expect(text).toContain('beleg_process_role{role="all"} 1');
    expect(text).toContain('beleg_refusals_total{reason="no_sources"} 1');
    expect(text).toContain('beleg_unverifiable_quotes_total 0');
    // Local-engine counters exist from the start (the extractive engine runs no model).
    expect(text).toContain('beleg_model_forward_passes_total 0');
    expect(text).toContain('beleg_forced_tokens_total 0');
    expect(text).toContain('beleg_cached_prompt_tokens_total 0');
    expect(text).toContain('# TYPE beleg_tokens_per_second gauge');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [-+.\deInfNa]+)$/);
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas, and a route list at /docs', async () => {
    running = await startApp();
    const spec = (await (await fetch(`${running.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, { maximum?: number; description?: string }> }> };
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/documents', '/documents/{id}', '/documents/{id}/text', '/ask', '/health', '/metrics']));
    expect(Object.keys(spec.paths['/documents']!)).toEqual(['post', 'get']);
    expect(spec.components.schemas.AskRequest!.properties!.topK!.maximum).toBe(50);
    expect(spec.components.schemas.AskRequest!.properties!.question).toMatchObject({ maxLength: 1000 });
    expect(spec.components.schemas.Answer!.properties).toHaveProperty('citations');
    // The confidence fields and the threshold are described in words, every decline reason too.
    const answer = spec.components.schemas.Answer!.properties!;
    expect(answer.confidence!.description).toMatch(/probability/);
    expect(answer.candidates!.description).toMatch(/not an answer/);
    expect(spec.components.schemas.Candidate!.properties!.confidence!.description).toMatch(/probability/);
    expect(spec.components.schemas.AskRequest!.properties!.minConfidence).toMatchObject({ maximum: 1, description: expect.stringContaining('BELEG_MIN_CONFIDENCE') });
    for (const reason of declineReasons) expect(answer.reason!.description).toContain(`\`${reason}\`:`);
    // Error messages follow Accept-Language, and error responses say their language.
    const upload = spec.paths['/documents']!.post as { parameters: Array<{ name: string; in: string }>; responses: Record<string, { headers?: object }> };
    expect(upload.parameters).toContainEqual(expect.objectContaining({ name: 'Accept-Language', in: 'header' }));
    expect(upload.responses['422']!.headers).toHaveProperty('Content-Language');
    const docs = await (await fetch(`${running.url}/docs`)).text();
    expect(docs).toContain('/documents/{id}/text');
    expect(docs).toContain('href="/openapi.json"');
  });

  it('serves the web page with a strict content security policy and no outside resources', async () => {
    running = await startApp();
    const page = await fetch(`${running.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('lang="de"');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect((await fetch(`${running.url}/assets/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it("writes the confidence bands under the server's threshold into the page, so the page keeps no copy", async () => {
    running = await startApp({ minConfidence: 0.95 });
    const html = await (await fetch(`${running.url}/`)).text();
    const block = /<script id="page-config" type="application\/json">(.*?)<\/script>/.exec(html);
    expect(block, 'the page config block').not.toBeNull();
    const config = JSON.parse(block![1]!) as { confidenceBands: Array<{ level: string; word: string; from: number }> };
    // A threshold above 0.9 lifts "sicher" with it: nothing below the threshold is called sure.
    expect(config.confidenceBands).toEqual([
      { level: 'sure', word: 'sicher', from: 0.95 },
      { level: 'likely', word: 'wahrscheinlich', from: 0.95 },
      { level: 'unsure', word: 'unsicher', from: 0 },
    ]);
  });
});
