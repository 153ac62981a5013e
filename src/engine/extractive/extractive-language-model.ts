/**
 * The extractive engine: model-free, deterministic, fast. It reads the prompt's sources with a
 * small fitted model (./reader-model.ts: a linear ranker over candidate quotes and a logistic
 * calibrator), answers with the best quote — one sentence, or two adjacent sentences of one block —
 * cited in EM German's format, and reports its confidence: the estimated probability that the quote
 * answers the question. Below the threshold it answers with the refusal and still reports its best
 * candidates, which the answer layer lists as passages to read.
 *
 * It satisfies the quote constraint by construction: its output is always the refusal or
 * `source.text.slice(sentences[i].start, sentences[j].end) + ' (Quelle: ' + citation + ')'`.
 */
import { REFUSAL, type Assessment, type GenerateOptions, type GenerateResult, type LanguageModel, type QuoteCandidate, type StreamPart } from '../language-model.ts';
import { readSources, shippedReaderModel, type RankedCandidate, type ReaderModel } from './reader-model.ts';

export type ExtractiveOptions = {
  /** The fitted reader; default the one shipped in ./reader-model.json. */
  model?: ReaderModel;
  /**
   * Decline when the best quote's confidence is below this and the request names no threshold.
   * Default: the model's precision-first threshold.
   */
  minConfidence?: number;
  /**
   * Counts tokens for `usage`; defaults to whitespace-separated words, because tokenizing a long
   * prompt with the Llama tokenizer costs more than choosing the answer.
   */
  countTokens?: (text: string) => number;
};

const countWords = (text: string) => text.split(/\s+/).filter((word) => word.length > 0).length;

/** What the extractive engine decided, with the numbers behind it (for benchmarks and debugging). */
export type ExtractiveDecision = {
  text: string;
  declined: boolean;
  /** The best candidate, or null when the sources offer no quotable sentence. */
  best: RankedCandidate | null;
  assessment: Assessment;
};

/** Candidates reported with a decision (the answer's quote first). */
const REPORTED_CANDIDATES = 3;

/** The best candidates, skipping any that shares a sentence with a better one. */
function distinctCandidates(ranked: readonly RankedCandidate[], count: number): RankedCandidate[] {
  const chosen: RankedCandidate[] = [];
  for (const candidate of ranked) {
    if (chosen.length >= count) break;
    const overlaps = chosen.some(
      (other) => other.sourceIndex === candidate.sourceIndex && other.firstSentence <= candidate.lastSentence && candidate.firstSentence <= other.lastSentence,
    );
    if (!overlaps) chosen.push(candidate);
  }
  return chosen;
}

export class ExtractiveLanguageModel implements LanguageModel {
  readonly engine = 'extractive';
  readonly calibrated = true;
  readonly modelId: string;
  readonly #model: ReaderModel;
  readonly #minConfidence: number;
  readonly #countTokens: (text: string) => number;

  constructor(options: ExtractiveOptions = {}) {
    this.#model = options.model ?? shippedReaderModel();
    this.#minConfidence = options.minConfidence ?? this.#model.minConfidence;
    this.#countTokens = options.countTokens ?? countWords;
    this.modelId = `extractive-${this.#model.version}`;
  }

  /** Picks the answer for a question over sources; the engine's whole logic. */
  decide(prompt: GenerateOptions['prompt'], minConfidence: number = this.#minConfidence): ExtractiveDecision {
    const { ranked } = readSources(prompt.question, prompt.sources, this.#model);
    const reported = distinctCandidates(ranked, REPORTED_CANDIDATES);
    const best = reported[0] ?? null;
    const assessment: Assessment = {
      confidence: best?.confidence ?? null,
      candidates: reported.map(
        (candidate): QuoteCandidate => ({
          sourceIndex: candidate.sourceIndex,
          firstSentence: candidate.firstSentence,
          lastSentence: candidate.lastSentence,
          confidence: candidate.confidence,
        }),
      ),
    };
    if (!best || best.confidence < minConfidence) return { text: REFUSAL, declined: true, best, assessment };
    const citation = prompt.sources[best.sourceIndex]!.citation;
    return { text: `${best.text} (Quelle: ${citation})`, declined: false, best, assessment };
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    if (options.signal?.aborted) {
      return { text: '', finishReason: 'cancelled', usage: { promptTokens: this.#countTokens(options.prompt.text), completionTokens: 0 } };
    }
    const started = performance.now();
    const { text, assessment } = this.decide(options.prompt, options.minConfidence ?? this.#minConfidence);
    return {
      text,
      assessment,
      finishReason: 'stop',
      usage: { promptTokens: this.#countTokens(options.prompt.text), completionTokens: this.#countTokens(text) },
      timings: { prefillMs: 0, decodeMs: performance.now() - started },
    };
  }

  /** Streams the chosen answer word by word, so clients see the same parts as from a model. */
  async *doStream(options: GenerateOptions): AsyncIterable<StreamPart> {
    const usagePrompt = this.#countTokens(options.prompt.text);
    if (options.signal?.aborted) {
      yield { type: 'finish', finishReason: 'cancelled', usage: { promptTokens: usagePrompt, completionTokens: 0 }, text: '' };
      return;
    }
    const { text, assessment } = this.decide(options.prompt, options.minConfidence ?? this.#minConfidence);
    let emitted = '';
    for (const piece of text.match(/\s*\S+/g) ?? []) {
      if (options.signal?.aborted) {
        yield { type: 'finish', finishReason: 'cancelled', usage: { promptTokens: usagePrompt, completionTokens: this.#countTokens(emitted) }, text: emitted };
        return;
      }
      emitted += piece;
      yield { type: 'text-delta', text: piece };
    }
    yield { type: 'finish', finishReason: 'stop', usage: { promptTokens: usagePrompt, completionTokens: this.#countTokens(text) }, text, assessment };
  }

  async dispose(): Promise<void> {}
}
