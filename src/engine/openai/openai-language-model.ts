/**
 * OpenAI-compatible completion servers (vLLM, llama.cpp server, LM Studio, …) as an engine:
 * `POST /v1/completions` with the raw EM German prompt — never a chat template, which would wrap
 * the prompt in a format EM German was not trained on.
 *
 * The quote constraint is sent as a list of choices: vLLM's `structured_outputs: { choice }`
 * (current) or `guided_choice` (older). With `guidance: 'auto'` the engine tries them in that order
 * and drops what the server rejects; servers that silently ignore unknown fields generate
 * unconstrained, and the answer layer's verification still refuses anything not verbatim.
 */
import { z } from 'zod';
import { CancelledError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { candidateAnswers } from '../constrain/candidate-answers.ts';
import { DEFAULT_SAMPLING, type FinishReason, type GenerateOptions, type GenerateResult, type LanguageModel, type StreamPart } from '../language-model.ts';
import { RemoteHttp, type RemoteHttpOptions, type RemoteResponse } from '../remote/remote-http.ts';
import { readEventData } from '../remote/server-sent-events.ts';

type Guidance = 'structured-outputs' | 'guided-choice' | 'none';

export type OpenAiOptions = Omit<RemoteHttpOptions, 'serverName'> & {
  /** Model name the server expects (`BELEG_ENGINE_MODEL`); servers with one model accept any. */
  model?: string;
  /** API key sent as a Bearer token. */
  apiKey?: string;
  /** `auto` (default) tries structured outputs, then guided_choice, then nothing. */
  guidance?: 'auto' | Guidance;
  /** Longest run of sentences among the choices. Default 3. */
  maxQuoteSentences?: number;
};

const usageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() }).nullish();
const choiceSchema = z.object({ text: z.string(), index: z.number().int().optional(), finish_reason: z.string().nullish() });
const completionSchema = z.object({ choices: z.array(choiceSchema).min(1), usage: usageSchema, model: z.string().optional() });
const chunkSchema = z.object({ choices: z.array(choiceSchema), usage: usageSchema });

function finishReason(reason: string | null | undefined): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

export class OpenAiLanguageModel implements LanguageModel {
  readonly engine = 'openai';
  readonly modelId: string;
  readonly #http: RemoteHttp;
  readonly #options: OpenAiOptions;
  readonly #path: string;
  #guidance: Guidance[];

  constructor(options: OpenAiOptions) {
    this.#options = options;
    const headers = { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
    this.#http = new RemoteHttp({ ...options, headers, serverName: 'OpenAI-compatible' });
    // Accept both `http://host:8000` and `http://host:8000/v1` as the base URL.
    this.#path = /\/v1\/?$/.test(options.baseUrl) ? '/completions' : '/v1/completions';
    this.modelId = options.model ?? 'openai-compatible';
    const guidance = options.guidance ?? 'auto';
    this.#guidance = guidance === 'auto' ? ['structured-outputs', 'guided-choice', 'none'] : [guidance];
  }

  #body(options: GenerateOptions, stream: boolean, guidance: Guidance) {
    const sampling = options.sampling ?? DEFAULT_SAMPLING;
    const body: Record<string, unknown> = {
      ...(this.#options.model ? { model: this.#options.model } : {}),
      prompt: options.prompt.text,
      max_tokens: options.maxNewTokens,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      ...(options.stop && options.stop.length > 0 ? { stop: [...options.stop] } : {}),
      ...(sampling.kind === 'greedy'
        ? { temperature: 0 }
        : {
            temperature: sampling.temperature,
            top_p: sampling.topP,
            top_k: sampling.topK,
            repetition_penalty: sampling.repetitionPenalty,
            seed: sampling.seed,
          }),
    };
    if (options.constraint && guidance !== 'none') {
      const choices = candidateAnswers(options.prompt, options.constraint, { maxSentences: this.#options.maxQuoteSentences });
      if (guidance === 'structured-outputs') body.structured_outputs = { choice: choices };
      else body.guided_choice = choices;
    }
    return body;
  }

  /** Posts with the first guidance the server accepts; remembers what it rejected. */
  async #post(options: GenerateOptions, stream: boolean): Promise<RemoteResponse> {
    while (true) {
      const guidance = options.constraint ? this.#guidance[0]! : 'none';
      try {
        return await this.#http.request(this.#path, { body: this.#body(options, stream, guidance), signal: options.signal });
      } catch (error) {
        const details = (error as { details?: { status?: number; serverMessage?: string } }).details;
        const rejected =
          guidance !== 'none' &&
          this.#guidance.length > 1 &&
          details?.status !== undefined &&
          details.status >= 400 &&
          details.status < 500 &&
          /structured_outputs|guided|extra (?:fields|inputs)|not permitted|unrecognized|unknown/i.test(details.serverMessage ?? '');
        if (!rejected) throw error;
        this.#guidance = this.#guidance.slice(1);
      }
    }
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    const started = performance.now();
    let body: unknown;
    try {
      body = await this.#http.json(await this.#post(options, false));
    } catch (error) {
      if (error instanceof CancelledError) return { text: '', finishReason: 'cancelled', usage: { promptTokens: 0, completionTokens: 0 } };
      throw error;
    }
    const parsed = completionSchema.safeParse(body);
    if (!parsed.success) {
      throw this.#http.garbage(userMessage('fragment.reply.missing_field', { what: 'completion', field: 'choices', problem: parsed.error.issues[0]!.message }));
    }
    const choice = parsed.data.choices[0]!;
    return {
      text: choice.text,
      finishReason: finishReason(choice.finish_reason),
      usage: { promptTokens: parsed.data.usage?.prompt_tokens ?? 0, completionTokens: parsed.data.usage?.completion_tokens ?? 0 },
      timings: { prefillMs: 0, decodeMs: performance.now() - started },
    };
  }

  async *doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    let text = '';
    let usage = { promptTokens: 0, completionTokens: 0 };
    let reason: string | null | undefined;
    let deltas = 0;
    let remote: RemoteResponse;
    try {
      remote = await this.#post(options, true);
    } catch (error) {
      if (error instanceof CancelledError) {
        yield { type: 'finish', finishReason: 'cancelled', usage, text };
        return;
      }
      throw error;
    }
    if (!remote.response.body) throw this.#http.garbage(userMessage('fragment.reply.empty_stream'));
    try {
      for await (const data of readEventData(remote.response.body, remote.touch)) {
        if (data.trim() === '[DONE]') {
          // Servers without usage reporting: count streamed pieces as a lower bound.
          if (usage.completionTokens === 0) usage = { ...usage, completionTokens: deltas };
          yield { type: 'finish', finishReason: finishReason(reason), usage, text };
          return;
        }
        let chunk: z.infer<typeof chunkSchema>;
        try {
          const json = JSON.parse(data) as unknown;
          const parsed = chunkSchema.safeParse(json);
          if (!parsed.success) {
            const message = (json as { error?: { message?: string }; message?: string })?.error?.message ?? (json as { message?: string })?.message;
            const what = message
              ? userMessage('fragment.reply.generation_error', { reason: message })
              : userMessage('fragment.reply.unreadable_part', { part: 'chunk', text: data.slice(0, 120) });
            yield { type: 'error', error: this.#http.garbage(what) };
            return;
          }
          chunk = parsed.data;
        } catch (error) {
          yield { type: 'error', error: this.#http.garbage(userMessage('fragment.reply.part_not_json', { part: 'chunk', text: data.slice(0, 120) }), error) };
          return;
        }
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        for (const choice of chunk.choices) {
          if (choice.text.length > 0) {
            text += choice.text;
            deltas += 1;
            yield { type: 'text-delta', text: choice.text };
          }
          if (choice.finish_reason) reason = choice.finish_reason;
        }
      }
      yield { type: 'error', error: this.#http.garbage(userMessage('fragment.reply.stream_unfinished', { how: userMessage('fragment.reply.without_done') })) };
    } catch (error) {
      const failure = remote.failure(error);
      if (failure instanceof CancelledError) {
        yield { type: 'finish', finishReason: 'cancelled', usage, text };
        return;
      }
      yield { type: 'error', error: failure instanceof Error ? failure : new Error(String(failure)) };
    } finally {
      remote.done();
    }
  }

  async dispose(): Promise<void> {}
}
