/**
 * `POST /ask`: validates the question, waits for a generation slot, and returns the Answer as
 * JSON or streams its parts as server-sent events. A client that disconnects aborts the
 * generation through the AbortSignal handed to the answerer.
 *
 * The Answer carries `confidence` and, when declined, `candidates` (passages to read); the
 * `declined` event carries the `confidence`, the `finish` event the whole Answer. A request's
 * `minConfidence` goes to the answerer unchanged (it overrides the server's threshold).
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { askRequestSchema, type Answer, type AnswerStreamPart, type Answerer, type AskRequest } from '../../answer/answer-contract.ts';
import type { Config } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { AppEnvironment } from '../app-environment.ts';
import { onlyDefaultCollection, readScope, type CollectionLookup } from '../collection-scope.ts';
import { errorBody } from '../error-response.ts';
import type { GenerationSlots } from '../generation-slots.ts';
import type { Metrics } from '../metrics.ts';
import { negotiateLanguage } from '../negotiate-language.ts';
import { readJsonBody } from '../read-json.ts';
import { addLogFields, answerLogFields, logWhenStreamEnds } from '../request-log.ts';
import { parseOrThrow } from '../schemas.ts';

/** How often an idle event stream gets a keep-alive comment. */
const keepAliveMs = 15_000;

export type AskRoutesOptions = {
  config: Config;
  answerer: Answerer;
  slots: GenerationSlots;
  metrics: Metrics;
  /** Whether a collection exists (default: only `allgemein`). */
  collectionExists?: CollectionLookup;
  /** Where questions are recorded (the audit log): question, collections, cited document ids. */
  audit?: (event: { actor: string; action: 'ask'; question: string; collectionIds: string[]; citedDocumentIds: string[] }) => Promise<void>;
};

function wantsEventStream(accept: string | undefined, stream: boolean | undefined): boolean {
  if (stream !== undefined) return stream;
  return (accept ?? '').toLowerCase().includes('text/event-stream');
}

/** The ask route, mounted at the app root. */
export function askRoutes({ config, answerer, slots, metrics, collectionExists = onlyDefaultCollection, audit }: AskRoutesOptions): Hono<AppEnvironment> {
  const routes = new Hono<AppEnvironment>();

  routes.post('/ask', async (context) => {
    const body = parseOrThrow(askRequestSchema, await readJsonBody(context.req.raw), 'request body');
    // The key decides which collections are searched; the request may only narrow them.
    const caller = context.get('caller');
    const scope = await readScope(caller, body.collectionIds, collectionExists);
    const { collectionIds: _asked, ...rest } = body;
    const request: AskRequest = scope === '*' ? rest : { ...rest, collectionIds: [...scope] };
    const recordAnswer = async (answer: Answer) =>
      audit?.({
        actor: caller.id,
        action: 'ask',
        question: request.question,
        collectionIds: request.collectionIds ?? ['*'],
        citedDocumentIds: [...new Set(answer.citations.map((citation) => citation.documentId))],
      });
    addLogFields(context, { questionChars: request.question.length });
    const maxChars = config.limits.maxQuestionChars;
    if (request.question.length > maxChars) {
      throw new ValidationError(userMessage('validation_failed.question_too_long', { length: request.question.length, limit: maxChars }), {
        field: 'question',
        limit: maxChars,
      });
    }

    // Aborted when the client goes away: the adapter aborts the request's signal, and the
    // SSE stream reports its own abort.
    const cancellation = new AbortController();
    const clientSignal = context.req.raw.signal;
    const onClientGone = () => cancellation.abort(new Error('The client disconnected.'));
    clientSignal.addEventListener('abort', onClientGone, { once: true });
    const signal = cancellation.signal;

    let release: () => void;
    try {
      release = await slots.acquire(signal);
    } catch (error) {
      clientSignal.removeEventListener('abort', onClientGone);
      throw error;
    }
    if (!wantsEventStream(context.req.header('accept'), request.stream)) {
      try {
        const answer = await answerer.answer(request, signal);
        metrics.observeAnswer(answer);
        await recordAnswer(answer);
        addLogFields(context, answerLogFields(answer));
        return context.json(answer);
      } finally {
        release();
        clientSignal.removeEventListener('abort', onClientGone);
      }
    }

    // Pull the first part before answering, so failures that happen up front (engine down,
    // unknown document) still get their proper status code instead of a 200 stream.
    let iterator: AsyncIterator<AnswerStreamPart>;
    let first: IteratorResult<AnswerStreamPart>;
    try {
      iterator = answerer.stream(request, signal)[Symbol.asyncIterator]();
      first = await iterator.next();
    } catch (error) {
      release();
      clientSignal.removeEventListener('abort', onClientGone);
      throw error;
    }

    context.header('X-Accel-Buffering', 'no');
    addLogFields(context, { stream: true });
    const streamEnded = logWhenStreamEnds(context);
    // Error events in the stream speak the reader's language, like error responses.
    const language = negotiateLanguage(context.req.header('accept-language'));
    context.header('Vary', 'Accept-Language', { append: true });
    return streamSSE(context, async (stream) => {
      stream.onAbort(onClientGone);
      // A comment line now and then keeps proxies from closing the stream while a slow engine
      // reads a long prompt.
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => undefined), keepAliveMs);
      let result = first;
      let iteratorSettled = false;
      try {
        while (!result.done) {
          const part = result.value;
          if (part.type === 'finish') {
            metrics.observeAnswer(part.answer);
            await recordAnswer(part.answer);
            addLogFields(context, answerLogFields(part.answer));
          }
          const data = part.type === 'error' ? { type: 'error', error: errorBody(part.error, language).error } : part;
          await stream.writeSSE({ event: part.type, data: JSON.stringify(data) });
          if (signal.aborted) break;
          result = await iterator.next();
        }
        iteratorSettled = result.done === true;
      } catch (error) {
        iteratorSettled = true;
        if (!signal.aborted) {
          const body = errorBody(error, language);
          addLogFields(context, { outcome: 'failed', errorCode: body.error.code });
          if (body.error.code === 'internal_error') context.get('logger').error('answer stream failed', { error });
          await stream.writeSSE({ event: 'error', data: JSON.stringify({ type: 'error', error: body.error }) });
        }
      } finally {
        clearInterval(keepAlive);
        if (!iteratorSettled) await iterator.return?.().catch(() => undefined);
        release();
        clientSignal.removeEventListener('abort', onClientGone);
        if (signal.aborted && context.get('requestLog').fields.outcome === undefined) addLogFields(context, { outcome: 'cancelled' });
        streamEnded();
      }
    });
  });

  return routes;
}
