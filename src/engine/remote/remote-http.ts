/**
 * HTTP for remote engines (TGI, OpenAI-compatible servers): JSON POSTs with a timeout, retries
 * with exponential backoff on 429 and 503 (honouring `Retry-After`) and on connection failures,
 * cancellation through an AbortSignal, and errors that say what happened and what to do.
 */
import { CancelledError, EngineUnavailableError, OverloadedError } from '../../errors.ts';
import { userMessage, type UserMessage } from '../../messages/index.ts';

export type RemoteHttpOptions = {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Name used in error messages, e.g. `TGI`. */
  serverName: string;
  /** Time allowed until the response headers arrive, and between streamed chunks. Default 120 s. */
  timeoutMs?: number;
  /** Extra attempts after a 429, a 503 or a failed connection. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt. Default 500 ms. */
  backoffMs?: number;
  /** Longest wait for one retry, also caps `Retry-After`. Default 10 s. */
  maxBackoffMs?: number;
  headers?: Record<string, string>;
};

/** A successful response and the controls of its timeout. */
export type RemoteResponse = {
  response: Response;
  /** Re-arms the idle timeout (call per received chunk). */
  touch(): void;
  /** Clears the timeout (call when the body was read). */
  done(): void;
  /** The error to throw for a failure while reading the body: cancelled, timed out, or `error`. */
  failure(error: unknown): unknown;
};

const RETRY_STATUSES = new Set([429, 503]);

function wait(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The server's own error message from a JSON error body (TGI, OpenAI, vLLM, llama.cpp shapes). */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      if (typeof record.error === 'string') return record.error;
      if (record.error && typeof record.error === 'object' && typeof (record.error as Record<string, unknown>).message === 'string') {
        return (record.error as Record<string, string>).message!;
      }
      if (typeof record.message === 'string') return record.message;
      if (typeof record.detail === 'string') return record.detail;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300).trim() || '(empty body)';
}

/** A client for one remote server. */
export class RemoteHttp {
  readonly #options: Required<Omit<RemoteHttpOptions, 'headers'>> & { headers: Record<string, string> };

  constructor(options: RemoteHttpOptions) {
    this.#options = {
      timeoutMs: 120_000,
      retries: 3,
      backoffMs: 500,
      maxBackoffMs: 10_000,
      headers: {},
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /**
   * Sends a request and returns the response once its headers arrived with a 2xx status. The
   * timeout covers the wait for the headers; while the body streams, `touch()` re-arms it per
   * chunk (an idle timeout) and `done()` clears it. Throws CancelledError when `signal` aborts,
   * OverloadedError when the server stays at 429, EngineUnavailableError for everything else.
   */
  async request(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal }): Promise<RemoteResponse> {
    const { serverName, baseUrl, retries, timeoutMs } = this.#options;
    const url = `${baseUrl}${path}`;
    for (let attempt = 0; ; attempt += 1) {
      if (init.signal?.aborted) throw new CancelledError();
      const timeout = new AbortController();
      let timer = setTimeout(() => timeout.abort(), timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
      const timedOut = () =>
        new EngineUnavailableError(userMessage('engine_unavailable.remote_timeout', { server: serverName, url: baseUrl, timeoutMs }), { details: { url } });
      let response: Response;
      try {
        response = await fetch(url, {
          method: init.method ?? 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...this.#options.headers },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal,
        });
      } catch (error) {
        clearTimeout(timer);
        if (init.signal?.aborted) throw new CancelledError();
        if (timeout.signal.aborted) throw timedOut();
        if (attempt < retries) {
          await wait(this.#backoff(attempt, null), init.signal);
          continue;
        }
        const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
        throw new EngineUnavailableError(userMessage('engine_unavailable.remote_unreachable', { server: serverName, url: baseUrl, reason }), {
          cause: error,
          details: { url },
        });
      }
      if (response.ok) {
        return {
          response,
          touch: () => {
            clearTimeout(timer);
            timer = setTimeout(() => timeout.abort(), timeoutMs);
          },
          done: () => clearTimeout(timer),
          failure: (error: unknown) => (init.signal?.aborted ? new CancelledError() : timeout.signal.aborted ? timedOut() : error),
        };
      }

      const text = await response.text().catch(() => '');
      clearTimeout(timer);
      if (RETRY_STATUSES.has(response.status) && attempt < retries) {
        await wait(this.#backoff(attempt, response.headers.get('retry-after')), init.signal);
        continue;
      }
      const message = serverMessage(text);
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new OverloadedError(
          userMessage('overloaded.remote', { server: serverName, url: baseUrl, reply: message, attempts: retries + 1 }),
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 5,
        );
      }
      throw new EngineUnavailableError(userMessage('engine_unavailable.remote_status', { server: serverName, url: baseUrl, status: response.status, reply: message }), {
        details: { url, status: response.status, serverMessage: message },
      });
    }
  }

  #backoff(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    const asked = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : this.#options.backoffMs * 2 ** attempt;
    return Math.min(asked, this.#options.maxBackoffMs);
  }

  /** Reads a JSON body, turning unreadable replies into EngineUnavailableError. */
  async json(remote: RemoteResponse): Promise<unknown> {
    let text: string;
    try {
      text = await remote.response.text();
    } catch (error) {
      throw remote.failure(error);
    } finally {
      remote.done();
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.garbage(userMessage('fragment.reply.not_json', { text: text.slice(0, 120) }), error);
    }
  }

  /** The error for a reply beleg cannot read; `what` says what came (a `fragment.reply.*` text). */
  garbage(what: UserMessage, cause?: unknown): EngineUnavailableError {
    return new EngineUnavailableError(
      userMessage('engine_unavailable.remote_garbage', { server: this.#options.serverName, url: this.#options.baseUrl, what }),
      { cause },
    );
  }
}
