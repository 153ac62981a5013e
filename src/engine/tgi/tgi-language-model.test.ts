import { afterEach, describe, expect, it } from 'vitest';
import { fixture, sendEventStream, sendJson, startFakeServer, type FakeServer } from '../../../tests/fixtures/remote-engines/fake-servers.ts';
import { REFUSAL, type GenerateOptions, type GroundedPrompt, type StreamPart } from '../language-model.ts';
import { TgiLanguageModel } from './tgi-language-model.ts';
import { collect } from '../../../tests/helpers/collect.ts';

const prompt: GroundedPrompt = {
  text: 'Du bist ein hilfreicher Assistent. … USER: Wie lang ist der Rhein? ASSISTANT:',
  question: 'Wie lang ist der Rhein?',
  sources: [
    {
      text: 'Der Rhein ist 1233 Kilometer lang. Er mündet (bei Rotterdam) in die Nordsee.',
      metadata: 'Titel: Rhein',
      citation: 'Titel: Rhein',
      sentences: [
        { start: 0, end: 34 },
        { start: 35, end: 77 },
      ],
    },
  ],
};
const options: GenerateOptions = { prompt, maxNewTokens: 64, sampling: { kind: 'greedy' }, constraint: { kind: 'quote-or-refusal', refusal: REFUSAL } };

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});


describe('TgiLanguageModel against a server speaking TGI', () => {
  it('reads /generate, sends the raw prompt, greedy parameters and a regex grammar of the valid answers', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, fixture('tgi-generate.json')));
    const engine = new TgiLanguageModel({ baseUrl: server.url });
    const result = await engine.doGenerate(options);
    expect(result).toMatchObject({
      text: ' Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 5 },
    });
    const [request] = server.requests;
    expect(request!.path).toBe('/generate');
    expect(request!.body.inputs).toBe(prompt.text);
    expect(request!.body.parameters).toMatchObject({ do_sample: false, max_new_tokens: 64, details: true, decoder_input_details: true });
    const grammar = request!.body.parameters.grammar;
    expect(grammar.type).toBe('regex');
    const regex = new RegExp(`^(?:${grammar.value})$`);
    expect(regex.test(' Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)')).toBe(true);
    expect(regex.test('Der Rhein ist 1233 Kilometer lang. Er mündet (bei Rotterdam) in die Nordsee. (Quelle: Titel: Rhein)')).toBe(true);
    expect(regex.test(REFUSAL)).toBe(true);
    expect(regex.test('Der Rhein ist 1233 Kilometer (Quelle: Titel: Rhein)')).toBe(false);
    expect(regex.test('Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Donau)')).toBe(false);
  });

  it('sends the model card’s sampling parameters when asked to sample', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, fixture('tgi-generate.json')));
    await new TgiLanguageModel({ baseUrl: server.url }).doGenerate({
      ...options,
      sampling: { kind: 'sample', temperature: 0.7, topP: 0.95, topK: 40, repetitionPenalty: 1.1, seed: 7 },
    });
    expect(server.requests[0]!.body.parameters).toMatchObject({ do_sample: true, temperature: 0.7, top_p: 0.95, top_k: 40, repetition_penalty: 1.1, seed: 7 });
  });

  it('streams /generate_stream events as text deltas, skipping special tokens, then finish with usage', async () => {
    server = await startFakeServer((_request, response) => sendEventStream(response, fixture('tgi-generate-stream.txt')));
    const parts = await collect(new TgiLanguageModel({ baseUrl: server.url }).doStream(options));
    const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []));
    expect(deltas).toEqual([' Der', ' Rhein ist 1233', ' Kilometer lang.', ' (Quelle: Titel: Rhein)']);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 5 },
      text: ' Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
    });
    expect(server.requests[0]!.path).toBe('/generate_stream');
    expect(server.requests[0]!.body.parameters.decoder_input_details).toBe(false);
  });

  it('ends the stream with an error part when TGI reports an error mid-stream', async () => {
    server = await startFakeServer((_request, response) => sendEventStream(response, fixture('tgi-stream-error.txt')));
    const parts = await collect(new TgiLanguageModel({ baseUrl: server.url }).doStream(options));
    const last = parts.at(-1)!;
    expect(last.type).toBe('error');
    expect(last.type === 'error' && last.error.message).toMatch(/CUDA out of memory/);
  });

  it('asks again without a grammar when the server does not support grammars, and remembers', async () => {
    server = await startFakeServer((request, response) => {
      if (request.body.parameters.grammar) return sendJson(response, 422, fixture('tgi-error-grammar.json'));
      sendJson(response, 200, fixture('tgi-generate.json'));
    });
    const engine = new TgiLanguageModel({ baseUrl: server.url });
    await engine.doGenerate(options);
    await engine.doGenerate(options);
    expect(server.requests.map((request) => request.body.parameters.grammar !== undefined)).toEqual([true, false, false]);
  });

  it('retries 503 and 429 with backoff, then succeeds', async () => {
    let calls = 0;
    server = await startFakeServer((_request, response) => {
      calls += 1;
      if (calls === 1) return sendJson(response, 503, { error: 'unhealthy', error_type: 'healthcheck' });
      if (calls === 2) return sendJson(response, 429, fixture('tgi-error-overloaded.json'), { 'retry-after': '0' });
      sendJson(response, 200, fixture('tgi-generate.json'));
    });
    const result = await new TgiLanguageModel({ baseUrl: server.url, backoffMs: 1 }).doGenerate(options);
    expect(result.text).toContain('Der Rhein');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up with OverloadedError when the server stays overloaded', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 429, fixture('tgi-error-overloaded.json')));
    const engine = new TgiLanguageModel({ baseUrl: server.url, backoffMs: 1, retries: 2 });
    await expect(engine.doGenerate(options)).rejects.toMatchObject({ code: 'overloaded', message: expect.stringMatching(/Model is overloaded/) });
    expect(server.requests).toHaveLength(3);
  });

  it('says clearly when the server is down, returns garbage, or does not answer in time', async () => {
    // A port that was free a moment ago: nothing listens there.
    const gone = await startFakeServer(() => undefined);
    await gone.close();
    const down = new TgiLanguageModel({ baseUrl: gone.url, backoffMs: 1, retries: 1 });
    await expect(down.doGenerate(options)).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringContaining(`Cannot reach the TGI server at ${gone.url}`) });

    server = await startFakeServer((request, response) => {
      if (request.path === '/generate') return sendJson(response, 200, '<html>Bad gateway</html>');
      // /generate_stream: headers never come
    });
    await expect(new TgiLanguageModel({ baseUrl: server.url }).doGenerate(options)).rejects.toMatchObject({
      code: 'engine_unavailable',
      message: expect.stringMatching(/not JSON/),
    });
    const slow = new TgiLanguageModel({ baseUrl: server.url, timeoutMs: 100, retries: 0 });
    await expect(collect(slow.doStream(options))).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringMatching(/did not answer within 100 ms/) });
  });

  it('passes a 422 validation error on with the server’s message', async () => {
    server = await startFakeServer((_request, response) =>
      sendJson(response, 422, { error: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096', error_type: 'validation' }),
    );
    await expect(new TgiLanguageModel({ baseUrl: server.url, grammar: 'never' }).doGenerate(options)).rejects.toMatchObject({
      code: 'engine_unavailable',
      message: expect.stringMatching(/422: Input validation error/),
    });
  });
});
