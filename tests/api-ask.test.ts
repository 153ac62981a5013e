import { afterEach, describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../src/errors.ts';
import { readServerSentEvents, startApp, type RunningApp } from './helpers/start-app.ts';

const text = 'Die Bibliothek öffnet um neun Uhr. Ausleihen sind vier Wochen lang möglich. Verlängern kann man zweimal.';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startWithDocument(): Promise<RunningApp> {
  const app = await startApp();
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

  it('names the offending field in 400s', async () => {
    running = await startWithDocument();
    const cases: Array<[unknown, string]> = [
      [{}, 'question'],
      [{ question: '   ' }, 'question'],
      [{ question: 'Frage?', topK: 500 }, 'topK'],
      [{ question: 'Frage?', engine: 'gpt-9' }, 'engine'],
      [{ question: 'Frage?', documentIds: 'doc-1' }, 'documentIds'],
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
    running.answerer.failWith(new EngineUnavailableError('The TGI server at http://tgi:80 does not answer. Start it or choose another engine.'));
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
