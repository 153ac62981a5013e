import { afterEach, describe, expect, it } from 'vitest';
import { fixture, sendEventStream, sendJson, startFakeServer, type FakeServer } from '../../../tests/fixtures/remote-engines/fake-servers.ts';
import { REFUSAL, type GenerateOptions, type GroundedPrompt, type StreamPart } from '../language-model.ts';
import { OpenAiLanguageModel } from './openai-language-model.ts';
import { collect } from '../../../tests/helpers/collect.ts';

const prompt: GroundedPrompt = {
  text: 'Du bist ein hilfreicher Assistent. … USER: Wie lang ist der Rhein? ASSISTANT:',
  question: 'Wie lang ist der Rhein?',
  sources: [
    {
      text: 'Der Rhein ist 1233 Kilometer lang. Er mündet in die Nordsee.',
      metadata: 'Titel: Rhein',
      citation: 'Titel: Rhein',
      sentences: [
        { start: 0, end: 34 },
        { start: 35, end: 60 },
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


describe('OpenAiLanguageModel against a server speaking the OpenAI completions API', () => {
  it('posts the raw prompt to /v1/completions with the valid answers as structured-output choices', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, fixture('openai-completion.json')));
    const engine = new OpenAiLanguageModel({ baseUrl: server.url, model: 'em_german_13b_v01', apiKey: 'secret-key' });
    const result = await engine.doGenerate(options);
    expect(result).toMatchObject({
      text: ' Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
      finishReason: 'stop',
      usage: { promptTokens: 231, completionTokens: 17 },
    });
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/completions');
    expect(request!.body).toMatchObject({ model: 'em_german_13b_v01', prompt: prompt.text, max_tokens: 64, temperature: 0, stream: false });
    expect(request!.body.messages).toBeUndefined();
    expect(request!.body.structured_outputs.choice).toEqual([
      'Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
      'Der Rhein ist 1233 Kilometer lang. Er mündet in die Nordsee. (Quelle: Titel: Rhein)',
      'Er mündet in die Nordsee. (Quelle: Titel: Rhein)',
      REFUSAL,
    ]);
  });

  it('accepts a base URL that already ends in /v1', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 200, fixture('openai-completion.json')));
    await new OpenAiLanguageModel({ baseUrl: `${server.url}/v1` }).doGenerate(options);
    expect(server.requests[0]!.path).toBe('/v1/completions');
  });

  it('streams chunks until [DONE], taking usage from the usage chunk', async () => {
    server = await startFakeServer((_request, response) => sendEventStream(response, fixture('openai-completion-stream.txt')));
    const parts = await collect(new OpenAiLanguageModel({ baseUrl: server.url }).doStream(options));
    expect(parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : []))).toEqual([' Der', ' Rhein ist 1233 Kilometer lang.', ' (Quelle: Titel: Rhein)']);
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 231, completionTokens: 17 },
      text: ' Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
    });
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('falls back from structured_outputs to guided_choice when vLLM rejects the field, and remembers', async () => {
    server = await startFakeServer((request, response) => {
      if (request.body.structured_outputs) return sendJson(response, 400, fixture('vllm-error-extra-field.json'));
      sendJson(response, 200, fixture('openai-completion.json'));
    });
    const engine = new OpenAiLanguageModel({ baseUrl: server.url });
    await engine.doGenerate(options);
    await engine.doGenerate(options);
    const kinds = server.requests.map((request) => (request.body.structured_outputs ? 'structured' : request.body.guided_choice ? 'guided' : 'none'));
    expect(kinds).toEqual(['structured', 'guided', 'guided']);
  });

  it('passes the server’s error message on', async () => {
    server = await startFakeServer((_request, response) => sendJson(response, 404, fixture('openai-error.json')));
    await expect(new OpenAiLanguageModel({ baseUrl: server.url, model: 'gpt-5' }).doGenerate(options)).rejects.toMatchObject({
      code: 'engine_unavailable',
      message: expect.stringMatching(/404: The model `gpt-5` does not exist/),
    });
  });

  it('ends the stream with an error part for an error chunk or a chunk that is not JSON', async () => {
    server = await startFakeServer((request, response) =>
      sendEventStream(
        response,
        request.body.max_tokens === 1
          ? 'data: {"error":{"message":"out of memory","type":"server_error"}}\n\n'
          : 'data: {"choices":[{"text":" Der","index":0,"finish_reason":null}]}\n\ndata: <html>\n\n',
      ),
    );
    const engine = new OpenAiLanguageModel({ baseUrl: server.url });
    const errorParts = await collect(engine.doStream({ ...options, maxNewTokens: 1 }));
    expect(errorParts.at(-1)).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/out of memory/) } });
    const garbageParts = await collect(engine.doStream(options));
    expect(garbageParts.map((part) => part.type)).toEqual(['text-delta', 'error']);
  });

  it('retries a 503 and then succeeds', async () => {
    let calls = 0;
    server = await startFakeServer((_request, response) => {
      calls += 1;
      if (calls === 1) return sendJson(response, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
      sendJson(response, 200, fixture('openai-completion.json'));
    });
    const result = await new OpenAiLanguageModel({ baseUrl: server.url, backoffMs: 1 }).doGenerate(options);
    expect(result.finishReason).toBe('stop');
    expect(server.requests).toHaveLength(2);
  });
});
