/**
 * The answer contract: one zod schema used by the API, the CLI, the web page and the evaluation.
 * `storedText.slice(citation.charStart, citation.charEnd) === citation.quote` always holds for a
 * returned citation; a quote that cannot be verified turns the answer into a refusal with
 * `reason: 'unverifiable_quote'`.
 */
import { z } from 'zod';
import type { BelegError } from '../errors.ts';
import { REFUSAL } from '../engine/language-model.ts';

export { REFUSAL };

export const askRequestSchema = z.object({
  question: z.string().trim().min(1, 'fragment.issue.question_empty'),
  topK: z.number().int().min(1).max(50).optional(),
  documentIds: z.array(z.string().min(1)).max(1000).optional(),
  /**
   * Search only these collections. Over HTTP the server narrows this to the key's collections
   * (and fills it in with them when absent); in-process callers leave it out to search everything.
   */
  collectionIds: z.array(z.string().min(1)).max(100).optional(),
  engine: z.enum(['extractive', 'gptq', 'tgi', 'openai']).optional(),
  stream: z.boolean().optional(),
  /**
   * Present a quote as the answer only when its confidence reaches this (0..1); below it the
   * answer is declined (`below_threshold`) and the quote is listed under `candidates`.
   * Default: the server's BELEG_MIN_CONFIDENCE.
   */
  minConfidence: z.number().min(0).max(1).optional(),
});
export type AskRequest = z.infer<typeof askRequestSchema>;

/**
 * Where a quote stands, for documents whose text has numbered parts: a PDF `page`, a presentation
 * `slide` ("Folie 3"), a spreadsheet `row` with its sheet and cells ("Tabelle Haushalt, Zeile 5,
 * A5:D5"). `page` of a citation is the page or slide number and null for rows.
 */
export const locationSchema = z.object({
  kind: z.enum(['page', 'slide', 'row']),
  number: z.number().int(),
  sheet: z.string().optional(),
  cells: z.string().optional(),
});
export type Location = z.infer<typeof locationSchema>;

export const citationSchema = z.object({
  quote: z.string(),
  documentId: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  fileName: z.string().nullable(),
  page: z.number().int().nullable(),
  /** The slide or spreadsheet row the quote starts in (absent for PDFs, whose `page` says it, for documents without parts, and from older servers). */
  location: locationSchema.optional(),
  charStart: z.number().int().nonnegative(),
  charEnd: z.number().int().nonnegative(),
  chunkId: z.string(),
  verified: z.literal(true),
  /** `exact`, or `normalized` when whitespace/quote marks/dashes differed and offsets were mapped back. */
  match: z.enum(['exact', 'normalized']),
  /**
   * Present (true) when the quote's page was read by OCR from a scan: the quote is verbatim in the
   * stored text, but that text may differ from the paper. Absent for text documents.
   */
  ocr: z.literal(true).optional(),
  /** With `ocr`: the page's mean OCR confidence (0..1). */
  ocrConfidence: z.number().min(0).max(1).optional(),
});
export type Citation = z.infer<typeof citationSchema>;

export const sourceSchema = z.object({
  chunkId: z.string(),
  documentId: z.string(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  fileName: z.string().nullable(),
  page: z.number().int().nullable(),
  headingPath: z.string().nullable(),
  charStart: z.number().int(),
  charEnd: z.number().int(),
  text: z.string(),
  score: z.number(),
  /** Rank in each retriever (1-based), for debugging fusion. */
  ranks: z.record(z.string(), z.number().int()),
});
export type Source = z.infer<typeof sourceSchema>;

/**
 * Why an answer was declined:
 * - `no_sources`: nothing was found for the question;
 * - `model_declined`: the engine answered with the refusal;
 * - `unverifiable_quote`: the quote is not verbatim in the cited document;
 * - `below_threshold`: the best quote's confidence is below the threshold (it is listed under `candidates`);
 * - `focus_not_found`: a term the question is about occurs in none of the found passages;
 * - `off_topic`: the quote shares none of the question's focus terms.
 */
export const declineReasons = ['no_sources', 'model_declined', 'unverifiable_quote', 'below_threshold', 'focus_not_found', 'off_topic'] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** A verified quote the reader considered but did not present as the answer ("Mögliche Fundstelle"). */
export const candidateSchema = citationSchema.extend({
  /** Estimated probability (0..1) that this quote answers the question. */
  confidence: z.number().min(0).max(1),
});
export type Candidate = z.infer<typeof candidateSchema>;

export const answerSchema = z.object({
  question: z.string(),
  declined: z.boolean(),
  /** The quote(s), or the refusal sentence when declined. */
  answer: z.string(),
  /** Why the answer was declined (null when not declined). */
  reason: z.enum(declineReasons).nullable(),
  /**
   * Estimated probability (0..1) that the quote answers the question (the engine's calibrated
   * estimate; see README "Confidence"). For a declined answer, that of the best candidate; null
   * when the engine cannot estimate it or nothing was found.
   */
  confidence: z.number().min(0).max(1).nullable(),
  citations: z.array(citationSchema),
  /**
   * When declined although passages were found: the best quotes, verified, that did not reach the
   * threshold — passages to read, not an answer. Empty when answered.
   */
  candidates: z.array(candidateSchema),
  sources: z.array(sourceSchema),
  engine: z.string(),
  model: z.string(),
  timings: z.object({
    retrieveMs: z.number(),
    generateMs: z.number(),
    totalMs: z.number(),
    /** Local engines (gptq): reading the prompt, and generating after it. */
    prefillMs: z.number().optional(),
    decodeMs: z.number().optional(),
    /** Local engines: runs of the model (the prompt, each decode step, each jump-forward stretch). */
    forwardPasses: z.number().int().optional(),
    /** Local engines: tokens appended by jump-forward without the model choosing them. */
    forcedTokens: z.number().int().optional(),
    /** Local engines: prompt tokens resumed from an earlier prompt's state instead of being read again. */
    cachedPromptTokens: z.number().int().optional(),
  }),
  usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() }),
  /** The engine's raw output, kept for inspection. */
  debug: z.object({ rawOutput: z.string() }),
});
export type Answer = z.infer<typeof answerSchema>;

/**
 * Parts of a streamed answer, noun first; the API turns them into server-sent events. An `error`
 * part carries the BelegError itself, so the API and CLI can say it in the reader's language (as
 * JSON it is `{ code, message }` in English).
 */
export type AnswerStreamPart =
  | { type: 'sources'; sources: Source[] }
  | { type: 'text-delta'; text: string }
  | { type: 'citation'; citation: Citation }
  | { type: 'declined'; answer: string; reason: Answer['reason']; confidence: Answer['confidence'] }
  | { type: 'finish'; answer: Answer }
  | { type: 'error'; error: BelegError };

/** What the API and CLI call to answer questions (implemented in ./answer-service.ts). */
export interface Answerer {
  answer(request: AskRequest, signal?: AbortSignal): Promise<Answer>;
  stream(request: AskRequest, signal?: AbortSignal): AsyncIterable<AnswerStreamPart>;
  /** Engines configured and whether each is ready. */
  engines(): Array<{ name: string; model: string; ready: boolean }>;
}
