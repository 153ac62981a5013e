/**
 * A language model that takes `delayMs` before answering like the extractive engine does: a
 * stand-in for a slow GPU or remote engine in overload tests. The delay ends early when the
 * request is cancelled.
 */
import { ExtractiveLanguageModel } from '../../src/engine/extractive/extractive-language-model.ts';
import type { GenerateOptions, GenerateResult, LanguageModel, StreamPart } from '../../src/engine/language-model.ts';
import { CancelledError } from '../../src/errors.ts';

export class SlowLanguageModel implements LanguageModel {
  readonly engine = 'extractive';
  readonly modelId = 'slow-extractive';
  readonly #inner = new ExtractiveLanguageModel();
  readonly #delayMs: number;
  /** Generations running right now, and the most seen at once. */
  running = 0;
  mostRunning = 0;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    this.running += 1;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    try {
      await delay(this.#delayMs, options.signal);
      return await this.#inner.doGenerate(options);
    } finally {
      this.running -= 1;
    }
  }

  async *doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    const result = await this.doGenerate(options);
    yield { type: 'text-delta', text: result.text };
    yield { type: 'finish', finishReason: result.finishReason, usage: result.usage, text: result.text };
  }

  async dispose(): Promise<void> {}
}

function delay(milliseconds: number, signal?: AbortSignal): Promise<void> {
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
