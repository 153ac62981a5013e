/**
 * The extractive engine: model-free, deterministic, fast. It answers with the best-scoring
 * sentence (or two adjacent sentences) of the prompt's sources, cited in EM German's format, or
 * with the refusal when nothing matches the question well enough. It is the default engine when
 * no language model is configured and the baseline in evaluations.
 *
 * It satisfies the quote constraint by construction: its output is always the refusal or
 * `source.text.slice(sentences[i].start, sentences[j].end) + ' (Quelle: ' + citation + ')'`.
 */
import { REFUSAL, type Assessment, type GenerateOptions, type GenerateResult, type LanguageModel, type StreamPart } from '../language-model.ts';
import { DEFAULT_WEIGHTS, rankCandidates, type ScoringWeights } from './score-sentences.ts';

export type ExtractiveOptions = {
  /**
   * Refuse when the best candidate covers less than this share of the question's IDF weight.
   * Calibrated on XQuAD-de dev (bench/extractive): see bench/results/extractive.json.
   */
  minimumCoverage?: number;
  /**
   * Coverage is multiplied by this before the threshold when the question asks for a number, an
   * amount or a date and the best candidate offers none ("Was kostet eine Stunde im Parkhaus?"
   * against "Parkplätze finden Sie im Parkhaus am Markt."). 1 turns the check off.
   */
  missingAnswerFactor?: number;
  weights?: ScoringWeights;
  /**
   * Counts tokens for `usage`; defaults to whitespace-separated words, because tokenizing a long
   * prompt with the Llama tokenizer costs more than choosing the answer.
   */
  countTokens?: (text: string) => number;
};

/**
 * Calibrated on XQuAD-de dev (bench/extractive/run.ts): the threshold that maximises the mean of
 * "answers when the gold paragraph is the source" and "refuses when only sibling paragraphs are".
 */
export const DEFAULT_MINIMUM_COVERAGE = 0.35;

/**
 * Measured with `beleg eval` (600 XQuAD-de dev cases, fresh data directory each run): 1 → refusal
 * recall 0.753, 0.7 and 0.6 → 0.760, answer recall 0.667 and false refusals 0.160 unchanged; on
 * beleg-de only 0.6 refuses "Wie viel kostet eine Stunde im Parkhaus am Markt?".
 */
export const DEFAULT_MISSING_ANSWER_FACTOR = 0.6;

const countWords = (text: string) => text.split(/\s+/).filter((word) => word.length > 0).length;

/** What the extractive engine decided, with the numbers behind it (for benchmarks and debugging). */
export type ExtractiveDecision = {
  text: string;
  declined: boolean;
  score: number;
  coverage: number;
  assessment: Assessment;
};

/** Candidates reported with a decision (the answer's quote first). */
const REPORTED_CANDIDATES = 3;

export class ExtractiveLanguageModel implements LanguageModel {
  readonly engine = 'extractive';
  readonly modelId = 'extractive-v1';
  readonly #minimumCoverage: number;
  readonly #missingAnswerFactor: number;
  readonly #weights: ScoringWeights;
  readonly #countTokens: (text: string) => number;

  constructor(options: ExtractiveOptions = {}) {
    this.#minimumCoverage = options.minimumCoverage ?? DEFAULT_MINIMUM_COVERAGE;
    this.#missingAnswerFactor = options.missingAnswerFactor ?? DEFAULT_MISSING_ANSWER_FACTOR;
    this.#weights = options.weights ?? DEFAULT_WEIGHTS;
    this.#countTokens = options.countTokens ?? countWords;
  }

  /** Picks the answer for a question over sources; the engine's whole logic. */
  decide(prompt: GenerateOptions['prompt']): ExtractiveDecision {
    const ranked = rankCandidates(prompt.question, prompt.sources, this.#weights);
    const adjusted = (candidate: (typeof ranked)[number]) => candidate.coverage * (candidate.lacksAnswerType ? this.#missingAnswerFactor : 1);
    const assessment: Assessment = {
      confidence: ranked[0] ? Math.min(1, adjusted(ranked[0])) : null,
      candidates: ranked.slice(0, REPORTED_CANDIDATES).map((candidate) => ({
        sourceIndex: candidate.sourceIndex,
        firstSentence: candidate.firstSentence,
        lastSentence: candidate.lastSentence,
        confidence: Math.min(1, adjusted(candidate)),
      })),
    };
    const [best] = ranked;
    const coverage = best ? adjusted(best) : 0;
    if (!best || coverage < this.#minimumCoverage) {
      return { text: REFUSAL, declined: true, score: best?.score ?? 0, coverage, assessment };
    }
    const citation = prompt.sources[best.sourceIndex]!.citation;
    return { text: `${best.text} (Quelle: ${citation})`, declined: false, score: best.score, coverage, assessment };
  }

  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    if (options.signal?.aborted) {
      return { text: '', finishReason: 'cancelled', usage: { promptTokens: this.#countTokens(options.prompt.text), completionTokens: 0 } };
    }
    const started = performance.now();
    const { text, assessment } = this.decide(options.prompt);
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
    const { text, assessment } = this.decide(options.prompt);
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
