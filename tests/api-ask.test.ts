import { afterEach, describe, expect, it } from 'vitest';
import { answerSchema, type Answer } from '../src/answer/answer-contract.ts';
import { EngineUnavailableError } from '../src/errors.ts';
import { userMessage } from '../src/messages/index.ts';
import { readServerSentEvents, startApp, type RunningApp } from './helpers/start-app.ts';

const text = 'Die Bibliothek öffnet um neun Uhr. Ausleihen sind vier Wochen lang möglich. Verlängern kann man zweimal.';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startWithDocument(options: Parameters<typeof startApp>[0] = {}): Promise<RunningApp> {
  const app = await startApp(options);
  await app.ingestion.ingest({ kind: 'text', title: 'Benutzungsordnung', text });
  return app;
}

function ask(app: RunningApp, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${app.url}/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

describe('POST /ask', () => {
  it('streams named events with stream: true, ending with finish that carries the whole answer', async () => {
    running = await startWithDocument();
    const response = await ask(running, { question: 'Wie lange sind Ausleihen möglich?', stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readServerSentEvents(response);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe('sources');
    expect(names.at(-1)).toBe('finish');
    expect(names).toContain('text-delta');
    expect(names).toContain('citation');
    const streamed = events.filter((event) => event.event === 'text-delta').map((event) => (JSON.parse(event.data) as { text: string }).text).join('');
    const citation = JSON.parse(events.find((event) => event.event === 'citation')!.data) as { citation: { quote: string; charStart: number; charEnd: number } };
    expect(citation.citation.quote).toBe('Ausleihen sind vier Wochen lang möglich.');
    expect(text.slice(citation.citation.charStart, citation.citation.charEnd)).toBe(citation.citation.quote);
    expect(streamed).toBe(citation.citation.quote);
    const finish = JSON.parse(events.at(-1)!.data) as { answer: { declined: boolean; citations: unknown[] } };
    expect(finish.answer.declined).toBe(false);
  });

  it('streams when the client asks for text/event-stream, and shows a refusal as a declined event', async () => {
    running = await startWithDocument();
    const response = await ask(running, { question: 'Wer gewann die Fußballweltmeisterschaft?' }, { accept: 'text/event-stream' });
    const events = await readServerSentEvents(response);
    expect(events.map((event) => event.event)).toEqual(['sources', 'declined', 'finish']);
    const declined = JSON.parse(events[1]!.data) as { answer: string; reason: string };
    expect(declined.answer).toBe('Mit den gegebenen Informationen ist diese Frage nicht zu beantworten.');
    expect(declined.reason).toBe('no_sources');
  });

  it('returns JSON by default and honours documentIds', async () => {
    running = await startWithDocument();
    const response = await ask(running, { question: 'Wann öffnet die Bibliothek?', documentIds: ['doc-other'] });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { declined: boolean; reason: string };
    expect(answer).toMatchObject({ declined: true, reason: 'no_sources' });
    expect(running.answerer.requests[0]!.documentIds).toEqual(['doc-other']);
  });

  it('returns the confidence with an answer, and a declined answer with its candidates to read', async () => {
    running = await startWithDocument({ minConfidence: 0.5 });
    running.answerer.judgeWith({ confidence: 0.8 });
    const answered = answerSchema.parse(await (await ask(running, { question: 'Wie lange sind Ausleihen möglich?' })).json());
    expect(answered).toMatchObject({ declined: false, confidence: 0.8, candidates: [] });

    // A request may raise the server's threshold: the same quote is then declined and offered.
    const response = await ask(running, { question: 'Wie lange sind Ausleihen möglich?', minConfidence: 0.9 });
    expect(running.answerer.requests.at(-1)!.minConfidence).toBe(0.9);
    const declined = answerSchema.parse(await response.json());
    expect(declined).toMatchObject({ declined: true, reason: 'below_threshold', confidence: 0.8, citations: [] });
    expect(declined.answer).toBe('Mit den gegebenen Informationen ist diese Frage nicht zu beantworten.');
    const [candidate] = declined.candidates;
    expect(candidate).toMatchObject({ quote: 'Ausleihen sind vier Wochen lang möglich.', confidence: 0.8, verified: true });
    expect(text.slice(candidate!.charStart, candidate!.charEnd)).toBe(candidate!.quote);
    expect(declined.sources).toHaveLength(1);
  });

  it('streams a decline with its confidence, and the candidates in the finished answer', async () => {
    running = await startWithDocument({ minConfidence: 0.5 });
    running.answerer.judgeWith({ confidence: 0.3 });
    const events = await readServerSentEvents(await ask(running, { question: 'Wie lange sind Ausleihen möglich?', stream: true }));
    const names = events.map((event) => event.event);
    expect(names).not.toContain('citation');
    expect(names.at(-1)).toBe('finish');
    const declined = JSON.parse(events.find((event) => event.event === 'declined')!.data) as { reason: string; confidence: number };
    expect(declined).toMatchObject({ reason: 'below_threshold', confidence: 0.3 });
    const finish = answerSchema.parse((JSON.parse(events.at(-1)!.data) as { answer: Answer }).answer);
    expect(finish).toMatchObject({ declined: true, confidence: 0.3 });
    expect(finish.candidates.map((candidate) => [candidate.quote, candidate.confidence])).toEqual([['Ausleihen sind vier Wochen lang möglich.', 0.3]]);

    // Lowered by the request, the same quote is the answer, and finish says how sure it is.
    const lowered = await readServerSentEvents(await ask(running, { question: 'Wie lange sind Ausleihen möglich?', stream: true, minConfidence: 0.2 }));
    expect(lowered.map((event) => event.event)).toContain('citation');
    expect((JSON.parse(lowered.at(-1)!.data) as { answer: Answer }).answer).toMatchObject({ declined: false, confidence: 0.3, candidates: [] });
  });

  it('names the offending field in 400s', async () => {
    running = await startWithDocument();
    const cases: Array<[unknown, string]> = [
      [{}, 'question'],
      [{ question: '   ' }, 'question'],
      [{ question: 'Frage?', topK: 500 }, 'topK'],
      [{ question: 'Frage?', engine: 'gpt-9' }, 'engine'],
      [{ question: 'Frage?', documentIds: 'doc-1' }, 'documentIds'],
      [{ question: 'Frage?', minConfidence: 1.5 }, 'minConfidence'],
      [{ question: 'Frage?', minConfidence: 'hoch' }, 'minConfidence'],
    ];
    for (const [body, field] of cases) {
      const response = await ask(running, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; field: string; message: string } }).error;
      expect(error.code).toBe('validation_failed');
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    }
    const notJson = await fetch(`${running.url}/ask`, { method: 'POST', body: '{question:' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { field: string } }).error.field).toBe('body');
  });

  it('turns an unavailable engine into 503 for JSON and for streams', async () => {
    running = await startWithDocument();
    running.answerer.failWith(new EngineUnavailableError(userMessage('engine_unavailable.remote_unreachable', { server: 'TGI', url: 'http://tgi:80', reason: 'ECONNREFUSED' })));
    const json = await ask(running, { question: 'Wann öffnet die Bibliothek?' });
    expect(json.status).toBe(503);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('engine_unavailable');
    const streamed = await ask(running, { question: 'Wann öffnet die Bibliothek?', stream: true });
    expect(streamed.status).toBe(503);
  });

  it('cancels the generation when the client disconnects mid-stream, and frees the slot', async () => {
    running = await startApp({ limits: { maxConcurrentGenerations: 1, maxQueuedGenerations: 0 } });
    await running.ingestion.ingest({ kind: 'text', text });
    const hold = running.answerer.hold();
    const controller = new AbortController();
    const response = await ask(running, { question: 'Wann öffnet die Bibliothek?', stream: true }, {}, controller.signal);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: sources\n/);
    controller.abort();
    await reader.closed.catch(() => undefined);
    // The slot is free again once the aborted generation unwound: the next question gets answered.
    await expect.poll(() => running!.answerer.cancelled, { timeout: 5000 }).toBe(1);
    hold.release();
    const next = await ask(running, { question: 'Wann öffnet die Bibliothek?' });
    expect(next.status).toBe(200);
  });
});
