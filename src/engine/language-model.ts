/**
 * The engine contract. Every engine (extractive, gptq, tgi, openai) implements `LanguageModel`,
 * and one shared contract test (tests/engine-contract.test.ts) runs against all of them.
 *
 * Engines know nothing of HTTP, documents or storage. They receive the rendered EM German prompt
 * together with its structured parts (question and sources) and return text in EM German's answer
 * format: `<verbatim quote> (Quelle: <metadata>)` or the refusal sentence. The answer layer parses
 * and verifies that text; an engine never decides whether a quote is "verified".
 */

/** EM German's trained refusal sentence. */
export const REFUSAL = 'Mit den gegebenen Informationen ist diese Frage nicht zu beantworten.';

/** One source as it appears in the prompt. */
export type PromptSource = {
  /** Text of the source exactly as placed in the prompt (after marker neutralisation). */
  text: string;
  /** The metadata written between BEGINCONTEXT and ENDCONTEXT, e.g. `Url: https://…` lines. */
  metadata: string;
  /** What the model should write after `(Quelle: ` when citing this source. */
  citation: string;
  /**
   * Sentences of `text`, in order: a quote is a run of whole consecutive sentences that crosses no
   * `blockStart` and holds no `heading`.
   */
  sentences: ReadonlyArray<PromptSentence>;
};

/** One sentence of a source. Absent flags mean nothing is known: then any run of sentences is allowed. */
export type PromptSentence = {
  start: number;
  end: number;
  /**
   * A block boundary (paragraph, heading, list item, table row, page) lies between the previous
   * sentence and this one: a quote never runs from the previous sentence into this one.
   */
  blockStart?: boolean;
  /** The sentence is a heading: it names a topic and is never quoted, alone or in a run. */
  heading?: boolean;
};

/** The prompt an engine receives: rendered text plus its structured parts. */
export type GroundedPrompt = {
  /** The complete prompt string in EM German's format (without BOS; the engine adds it). */
  text: string;
  question: string;
  sources: readonly PromptSource[];
};

/**
 * Restricts output to the refusal or a run of whole sentences of ONE source (within one block,
 * without headings: see `PromptSentence`) followed by ` (Quelle: <that source's citation>)` and
 * end of sequence. Engines compile this into what
 * they support: a token mask (gptq), a regex grammar (tgi), guided choices (openai).
 * The extractive engine satisfies it by construction.
 */
export type QuoteConstraint = {
  kind: 'quote-or-refusal';
  refusal: string;
};

export type SamplingOptions =
  | { kind: 'greedy' }
  | {
      kind: 'sample';
      temperature: number;
      topP: number;
      topK: number;
      repetitionPenalty: number;
      seed: number;
    };

/** EM German's recommended sampling parameters (model card). */
export const DEFAULT_SAMPLING: SamplingOptions = {
  kind: 'sample',
  temperature: 0.7,
  topP: 0.95,
  topK: 40,
  repetitionPenalty: 1.1,
  seed: 0,
};

export type GenerateOptions = {
  prompt: GroundedPrompt;
  maxNewTokens: number;
  sampling?: SamplingOptions;
  /** Extra stop strings; generation also stops at the model's EOS. */
  stop?: readonly string[];
  /** When set, the engine must only produce outputs the constraint allows. */
  constraint?: QuoteConstraint;
  /**
   * Answers below this confidence (0..1) will not be presented: an engine that estimates its
   * confidence may decline by itself below it (and still report its candidates).
   */
  minConfidence?: number;
  signal?: AbortSignal;
};

/** A quote an engine considered: a run of whole sentences of one source. */
export type QuoteCandidate = {
  sourceIndex: number;
  /** Index of the first and last sentence in `sources[sourceIndex].sentences`. */
  firstSentence: number;
  lastSentence: number;
  /** Estimated probability (0..1) that this quote answers the question. */
  confidence: number;
};

/** How sure an engine is of its answer, and which other quotes it considered. */
export type Assessment = {
  /**
   * Estimated probability (0..1) that the answer's quote answers the question; for a refusal,
   * that of the best candidate the engine declined. Null when the engine cannot estimate it.
   */
  confidence: number | null;
  /** The best quotes considered, best first; when the engine answered, its quote comes first. */
  candidates: readonly QuoteCandidate[];
};

export type Usage = { promptTokens: number; completionTokens: number };

export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error';

export type GenerateResult = {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  /**
   * Time spent reading the prompt and generating, in milliseconds; local engines also count
   * their model runs and the tokens jump-forward appended without a choice.
   */
  timings?: { prefillMs: number; decodeMs: number; forwardPasses?: number; forcedTokens?: number; cachedPromptTokens?: number };
  /** How sure the engine is; engines that cannot say leave it out. */
  assessment?: Assessment;
};

/** Parts of a generation stream, noun first. */
export type StreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage; text: string; assessment?: Assessment; timings?: GenerateResult['timings'] }
  | { type: 'error'; error: Error };

export interface LanguageModel {
  /** `extractive`, `gptq`, `tgi` or `openai`. */
  readonly engine: string;
  /** The model behind it, e.g. `em_german_13b_v01-GPTQ@gptq-4bit-32g-actorder_True`. */
  readonly modelId: string;
  /**
   * True when every result carries a calibrated `assessment.confidence` (the extractive reader).
   * The answer layer then leaves the decision to the confidence threshold; for other engines it
   * also declines by rule when a focus term of the question is in no source (before generating).
   */
  readonly calibrated?: boolean;
  doGenerate(options: GenerateOptions): Promise<GenerateResult>;
  doStream(options: GenerateOptions): AsyncIterable<StreamPart>;
  /** Releases native resources (sessions, file handles). */
  dispose(): Promise<void>;
}
