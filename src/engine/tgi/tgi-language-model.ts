/**
 * Hugging Face Text Generation Inference as an engine: `POST /generate` and `POST /generate_stream`
 * (server-sent events) with the raw EM German prompt. The quote constraint becomes TGI's
 * `grammar: { type: 'regex' }` (TGI >= 1.4.3): an alternation of the candidate sentence runs and
 * the refusal. When the server refuses grammars (`--disable-grammar-support`, older versions),
 * the engine asks again without one and remembers; the answer layer still verifies every quote.
 *
 * Sampling follows the EM German model card (temperature 0.7, top_p 0.95, top_k 40,
 * repetition_penalty 1.1; the default when options name none, as for every engine); greedy is
 * `do_sample: false`. A cancelled request resolves with finishReason `cancelled`.
 */
import { z } from 'zod';
import { CancelledError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { answerRegex } from '../constrain/candidate-answers.ts';
import { DEFAULT_SAMPLING, type FinishReason, type GenerateOptions, type GenerateResult, type LanguageModel, type StreamPart } from '../language-model.ts';
import { RemoteHttp, type RemoteHttpOptions, type RemoteResponse } from '../remote/remote-http.ts';
import { readEventData } from '../remote/server-sent-events.ts';

export type TgiOptions = Omit<RemoteHttpOptions, 'serverName'> & {
  /** Model name reported in answers (TGI serves one model). Default `tgi`. */
  modelId?: string;
  /** `auto` (default): send a grammar, drop it if the server refuses; `never`: do not send one. */
  grammar?: 'auto' | 'never';
  /** Longest run of sentences in the grammar. Default 3. */
  maxQuoteSentences?: number;
};

const tokenSchema = z.object({ id: z.number(), text: z.string(), special: z.boolean() });
const finishSchema = z.enum(['length', 'eos_token', 'stop_sequence']);

const generateResponseSchema = z.object({
  generated_text: z.string(),
  details: z
    .object({
      finish_reason: finishSchema,
      generated_tokens: z.number().int(),
      prefill: z.array(z.unknown()).optional(),
    })
    .nullish(),
});

const streamEventSchema = z.union([
  z.object({ error: z.string(), error_type: z.string().optional() }),
  z.object({
    token: tokenSchema,
    generated_text: z.string().nullish(),
    details: z
      .object({ finish_reason: finishSchema, generated_tokens: z.number().int(), input_length: z.number().int().optional() })
      .nullish(),
  }),
]);

function finishReason(reason: z.infer<typeof finishSchema> | undefined): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

export class TgiLanguageModel implements LanguageModel {
  readonly engine = 'tgi';
  readonly modelId: string;
  readonly #http: RemoteHttp;
  readonly #options: TgiOptions;
  #grammarSupported: boolean;

  constructor(options: TgiOptions) {
    this.#options = options;
    this.#http = new RemoteHttp({ ...options, serverName: 'TGI' });
    this.modelId = options.modelId ?? 'tgi';
    this.#grammarSupported = options.grammar !== 'never';
  }

  #body(options: GenerateOptions, stream: boolean, withGrammar: boolean) {
    const sampling = options.sampling ?? DEFAULT_SAMPLING;
    const parameters: Record<string, unknown> = {
      max_new_tokens: options.maxNewTokens,
      details: true,
      // The prompt's token count comes back as `prefill` (only allowed without streaming).
      decoder_input_details: !stream,
      return_full_text: false,
      ...(options.stop && options.stop.length > 0 ? { stop: [...options.stop] } : {}),
      ...(sampling.kind === 'greedy'
        ? { do_sample: false }
        : {
            do_sample: true,
            temperature: sampling.temperature,
            top_p: sampling.topP,
            top_k: sampling.topK,
            repetition_penalty: sampling.repetitionPenalty,
            seed: sampling.seed,
          }),
    };
    if (withGrammar && options.constraint) {
      parameters.grammar = { type: 'regex', value: answerRegex(options.prompt, options.constraint, { maxSentences: this.#options.maxQuoteSentences }) };
    }
    return { inputs: options.prompt.text, parameters };
  }

  /** Posts, and when the server refuses the grammar, posts once more without it. */
  async #post(path: string, options: GenerateOptions, stream: boolean): Promise<RemoteResponse> {
    const withGrammar = this.#grammarSupported && options.constraint !== undefined;
    try {
      return await this.#http.request(path, { body: this.#body(options, stream, withGrammar), signal: options.signal });
    } catch (error) {
      const status = (error as { details?: { status?: number; serverMessage?: string } }).details;
      if (withGrammar && status?.status !== undefined && status.status >= 400 && status.status < 500 && /grammar/i.test(status.serverMessage ?? '')) {
        this.#grammarSupported = false;
        return this.#http.request(path, { body: this.#body(options, stream, false), signal: options.signal });
      }
      throw error;
    }
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    const started = performance.now();
    let body: unknown;
    try {
      body = await this.#http.json(await this.#post('/generate', options, false));
    } catch (error) {
      if (error instanceof CancelledError) return { text: '', finishReason: 'cancelled', usage: { promptTokens: 0, completionTokens: 0 } };
      throw error;
    }
    const parsed = generateResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw this.#http.garbage(userMessage('fragment.reply.missing_field', { what: '/generate reply', field: 'generated_text', problem: parsed.error.issues[0]!.message }));
    }
    const { generated_text: text, details } = parsed.data;
    return {
      text,
      finishReason: finishReason(details?.finish_reason),
      usage: { promptTokens: details?.prefill?.length ?? 0, completionTokens: details?.generated_tokens ?? 0 },
      timings: { prefillMs: 0, decodeMs: performance.now() - started },
    };
  }

  async *doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    let text = '';
    let completionTokens = 0;
    let promptTokens = 0;
    let remote: RemoteResponse;
    try {
      remote = await this.#post('/generate_stream', options, true);
    } catch (error) {
      if (error instanceof CancelledError) {
        yield { type: 'finish', finishReason: 'cancelled', usage: { promptTokens, completionTokens }, text };
        return;
      }
      throw error;
    }
    if (!remote.response.body) throw this.#http.garbage(userMessage('fragment.reply.empty_stream'));
    try {
      for await (const data of readEventData(remote.response.body, remote.touch)) {
        let event: z.infer<typeof streamEventSchema>;
        try {
          const parsed = streamEventSchema.safeParse(JSON.parse(data));
          if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
          event = parsed.data;
        } catch (error) {
          yield { type: 'error', error: this.#http.garbage(userMessage('fragment.reply.unreadable_part', { part: 'stream event', text: data.slice(0, 120) }), error) };
          return;
        }
        if ('error' in event) {
          yield { type: 'error', error: this.#http.garbage(userMessage('fragment.reply.generation_error', { reason: event.error })) };
          return;
        }
        completionTokens += 1;
        if (!event.token.special && event.token.text.length > 0) {
          text += event.token.text;
          yield { type: 'text-delta', text: event.token.text };
        }
        if (event.details) {
          promptTokens = event.details.input_length ?? 0;
          yield {
            type: 'finish',
            finishReason: finishReason(event.details.finish_reason),
            usage: { promptTokens, completionTokens: event.details.generated_tokens },
            text: event.generated_text ?? text,
          };
          return;
        }
      }
      yield { type: 'error', error: this.#http.garbage(userMessage('fragment.reply.stream_unfinished', { how: userMessage('fragment.reply.before_final_event') })) };
    } catch (error) {
      const failure = remote.failure(error);
      if (failure instanceof CancelledError) {
        yield { type: 'finish', finishReason: 'cancelled', usage: { promptTokens, completionTokens }, text };
        return;
      }
      yield { type: 'error', error: failure instanceof Error ? failure : new Error(String(failure)) };
    } finally {
      remote.done();
    }
  }

  async dispose(): Promise<void> {}
}
