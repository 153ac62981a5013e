/**
 * Builds EM German's grounded prompt from retrieved chunks.
 *
 * Input: the question and the retrieved chunks, best first, each with its document's metadata.
 * Output: a `GroundedPrompt` (the rendered text plus its sources) whose sources also remember
 * where every character came from, so `mapToStored` turns a quote's offsets inside a source back
 * into exact offsets of the stored document text.
 *
 * - Chunks of one document that are adjacent (consecutive ordinals) or overlap become one source;
 *   an overlap is written once. Between adjacent chunks that do not touch, one space stands for
 *   the text between them (usually whitespace); it maps to that whole gap.
 * - Every sentence carries the block flags stored with its chunk (`blockStart`, `heading`; see
 *   `sentencesOf`), so engines never run a quote across a paragraph, heading, list item, table
 *   row or page boundary, nor quote a heading.
 * - Sources appear in the order of their best-ranked chunk.
 * - Every marker in a source, its metadata or the question is neutralised (./neutralise-markers.ts).
 * - With a tokenizer, the prompt fits `contextTokens - maxNewTokens - 1` (one for BOS): chunks are
 *   taken best first and a chunk that does not fit is dropped, so lower-ranked chunks always go
 *   first. Sentences are never cut; only when not even the best chunk fits is it shortened to the
 *   whole sentences that do.
 * - Lean prompts (`promptTokens`, for local engines whose time to an answer is mostly prefill): a
 *   smaller budget filled with the best-ranked chunk whole and sentence windows of the next ones
 *   (see `buildGroundedPrompt`).
 */
import type { GroundedPrompt, PromptSentence, PromptSource } from '../engine/language-model.ts';
import type { StoredChunk } from '../store/chunk-store.ts';
import { ValidationError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';
import { formatGroundedPrompt, formatChatPrompt } from './em-german-format.ts';
import { neutraliseMarkers, neutraliseText } from './neutralise-markers.ts';
import { describeSource, type PromptDocument } from './source-metadata.ts';
import { createLineTokenCounter, type TokenCounter } from './count-prompt-tokens.ts';
import { sentencesOf } from './chunk-sentences.ts';
import { questionStemsOf, sentenceWindow, sliceChunk, type SentenceWindow } from './sentence-window.ts';

export { sentencesOf } from './chunk-sentences.ts';

export type { PromptDocument } from './source-metadata.ts';

/** EM German's (Llama-2's) context length in tokens. */
export const DEFAULT_CONTEXT_TOKENS = 4096;
/** Lean prompts: the longest passage (chunk or sentence window) taken whole, in tokens; tuned on XQuAD-de's even articles (bench/lean-prompt). */
export const DEFAULT_PASSAGE_TOKENS = 96;
/**
 * Lean prompts: the best-ranked chunks that enter whole, however long. The sentence that shares
 * most words with the question is often not the one that answers it; on XQuAD-de most answers lost
 * to windows sat in the best-ranked chunk (bench/results/lean-prompt.md).
 */
export const DEFAULT_WHOLE_PASSAGES = 1;
/** Room left for the answer when the caller does not say. */
export const DEFAULT_MAX_NEW_TOKENS = 512;

/** A retrieved chunk with the metadata of its document. */
export type PromptChunk = { chunk: StoredChunk; document: PromptDocument };

export type { TokenCounter } from './count-prompt-tokens.ts';

export type BuildPromptOptions = {
  question: string;
  /** Retrieved chunks, best first. */
  chunks: readonly PromptChunk[];
  /** Without a tokenizer there is no token budget. */
  tokenizer?: TokenCounter;
  contextTokens?: number;
  maxNewTokens?: number;
  /**
   * Lean prompt: at most this many prompt tokens (without BOS), filled with sentence windows of
   * the best-ranked chunks (see `buildGroundedPrompt`). Without it the prompt may fill the context.
   */
  promptTokens?: number;
  /** Lean prompts: a chunk longer than this enters as its sentence window of at most this many tokens. Default DEFAULT_PASSAGE_TOKENS. */
  passageTokens?: number;
  /** Lean prompts: this many best-ranked chunks enter whole (when they fit). Default DEFAULT_WHOLE_PASSAGES. */
  wholePassages?: number;
};

/** A span of a stored document's text. */
export type StoredSpan = { documentId: string; charStart: number; charEnd: number };

/** A source of the prompt and where it came from. */
export type BuiltSource = PromptSource & {
  documentId: string;
  document: PromptDocument;
  /** The chunks (possibly shortened to whole sentences) that make up this source, in document order. */
  chunks: readonly StoredChunk[];
  /** Stored-text span the source covers. */
  charStart: number;
  charEnd: number;
  /** 0-based rank of the best chunk of this source in the input. */
  rank: number;
};

export type BuiltPrompt = Omit<GroundedPrompt, 'sources'> & {
  sources: readonly BuiltSource[];
  /** Tokens of `text` without BOS, when a tokenizer was given. */
  promptTokens: number | null;
  /** Chunks left out for the token budget, best first. */
  droppedChunkIds: readonly string[];
  /** Chunks that were shortened (at a sentence boundary) to fit. */
  shortenedChunkIds: readonly string[];
  /**
   * Maps `[start, end)` of `sources[sourceIndex].text` to the stored document text.
   * Throws a ValidationError for offsets outside the source.
   */
  mapToStored(sourceIndex: number, start: number, end: number): StoredSpan;
};

/**
 * A chunk in rank order. A sentence window of a chunk (lean prompts) remembers the whole chunk and
 * which of its sentences it holds, so it can grow again and so a window that does not reach the
 * chunk's edge never merges with the neighbouring chunk across the sentences left out.
 */
type RankedChunk = PromptChunk & { rank: number; whole?: StoredChunk; window?: SentenceWindow; sentenceCount?: number };

/** True when text of the chunk is left out before the window. */
function trimmedStart(item: RankedChunk): boolean {
  return item.window !== undefined && item.window.first > 0;
}

/** True when text of the chunk is left out after the window. */
function trimmedEnd(item: RankedChunk): boolean {
  return item.window !== undefined && item.window.last + 1 < item.sentenceCount!;
}

type AssembledSource = BuiltSource & { toStored: Int32Array };

/** First index `i` with `values[i] >= target` (values non-decreasing). */
function lowerBound(values: Int32Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Groups chunks of one document that touch or overlap (or have consecutive ordinals). */
function groupAdjacent(chunks: readonly RankedChunk[]): RankedChunk[][] {
  const byDocument = new Map<string, RankedChunk[]>();
  for (const item of chunks) {
    const list = byDocument.get(item.chunk.documentId) ?? [];
    list.push(item);
    byDocument.set(item.chunk.documentId, list);
  }
  const groups: RankedChunk[][] = [];
  for (const list of byDocument.values()) {
    list.sort((left, right) => left.chunk.charStart - right.chunk.charStart || left.chunk.charEnd - right.chunk.charEnd);
    let current: RankedChunk[] = [];
    let currentEnd = -1;
    let lastOrdinal = Number.NaN;
    let lastTrimmedEnd = false;
    for (const item of list) {
      const nextChunk = item.chunk.ordinal === lastOrdinal + 1 && !lastTrimmedEnd && !trimmedStart(item);
      const adjacent = nextChunk || item.chunk.charStart <= currentEnd;
      if (current.length > 0 && !adjacent) {
        groups.push(current);
        current = [];
      }
      current.push(item);
      if (item.chunk.charEnd >= currentEnd) lastTrimmedEnd = trimmedEnd(item);
      currentEnd = Math.max(currentEnd, item.chunk.charEnd);
      lastOrdinal = item.chunk.ordinal;
    }
    if (current.length > 0) groups.push(current);
  }
  return groups;
}

/** Joins one group into a source: raw text with stored offsets, then neutralised. */
function assembleSource(group: readonly RankedChunk[]): AssembledSource {
  const pieces: string[] = [];
  const rawToStored: number[] = [];
  const storedSentences: PromptSentence[] = [];
  let storedEnd = -1;
  for (const { chunk } of group) {
    if (chunk.charEnd <= storedEnd) continue; // contained in what we already have
    let skip = 0;
    let gap = false;
    if (storedEnd >= 0) {
      if (chunk.charStart > storedEnd) {
        // A gap between adjacent chunks: one space stands for it and maps to all of it.
        pieces.push(' ');
        rawToStored.push(storedEnd);
        gap = true;
      } else {
        skip = storedEnd - chunk.charStart; // 0 when the chunks touch
      }
    }
    const text = chunk.text.slice(skip);
    pieces.push(text);
    for (let index = 0; index < text.length; index += 1) rawToStored.push(chunk.charStart + skip + index);
    for (const sentence of sentencesOf(chunk)) {
      const start = chunk.charStart + sentence.start;
      const end = chunk.charStart + sentence.end;
      const previous = storedSentences[storedSentences.length - 1];
      if (previous && start < previous.end) continue; // the same sentence seen in an overlap
      // Across a gap whose text the chunks do not hold, a chunk without stored flags says nothing: assume a block boundary.
      const unknownGap = gap && chunk.sentenceFlags === undefined && previous !== undefined;
      storedSentences.push({ ...sentence, start, end, ...(unknownGap ? { blockStart: true } : {}) });
      gap = false;
    }
    storedEnd = chunk.charEnd;
  }
  rawToStored.push(storedEnd);
  const neutralised = neutraliseMarkers(pieces.join(''));
  const toStored = new Int32Array(neutralised.toOriginal.length);
  for (let index = 0; index < toStored.length; index += 1) toStored[index] = rawToStored[neutralised.toOriginal[index]!]!;

  const sentences: PromptSentence[] = [];
  let pendingBlockStart = false;
  for (const sentence of storedSentences) {
    const start = lowerBound(toStored, sentence.start);
    const end = Math.max(start, lowerBound(toStored, sentence.end + 1) - 1);
    // A sentence lost to neutralisation hands its block start on to the next one.
    const blockStart: boolean = pendingBlockStart || sentence.blockStart === true;
    if (end <= start) {
      pendingBlockStart = blockStart;
      continue;
    }
    pendingBlockStart = false;
    sentences.push({ start, end, ...(blockStart ? { blockStart: true } : {}), ...(sentence.heading ? { heading: true } : {}) });
  }

  const first = group[0]!;
  const chunks = group.map((item) => item.chunk);
  const description = describeSource(first.document, chunks[0]!.page, chunks[chunks.length - 1]!.page);
  return {
    text: neutralised.text,
    metadata: description.metadata,
    citation: description.citation,
    sentences,
    documentId: first.chunk.documentId,
    document: first.document,
    chunks,
    charStart: chunks[0]!.charStart,
    charEnd: storedEnd,
    rank: Math.min(...group.map((item) => item.rank)),
    toStored,
  };
}

function assembleSources(chunks: readonly RankedChunk[]): AssembledSource[] {
  return groupAdjacent(chunks)
    .map(assembleSource)
    .sort((left, right) => left.rank - right.rank);
}

function render(sources: readonly AssembledSource[], question: string): string {
  return formatGroundedPrompt(sources, question);
}

function finish(
  sources: AssembledSource[],
  question: string,
  neutralQuestion: string,
  promptTokens: number | null,
  droppedChunkIds: string[],
  shortenedChunkIds: string[],
): BuiltPrompt {
  const builtSources: BuiltSource[] = sources.map(({ toStored: _toStored, ...source }) => source);
  return {
    text: render(sources, neutralQuestion),
    question,
    sources: builtSources,
    promptTokens,
    droppedChunkIds,
    shortenedChunkIds,
    mapToStored(sourceIndex, start, end) {
      const source = sources[sourceIndex];
      if (!source) throw new ValidationError(userMessage('validation_failed.prompt_source_missing', { sourceIndex, count: sources.length }), { sourceIndex });
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > source.text.length) {
        throw new ValidationError(userMessage('validation_failed.prompt_offsets', { start, end, sourceIndex, length: source.text.length }), {
          sourceIndex,
          start,
          end,
        });
      }
      return { documentId: source.documentId, charStart: source.toStored[start]!, charEnd: source.toStored[end]! };
    },
  };
}

/** How far a chunk's stored token count may undercount it inside the prompt (start-of-line `▁`). */
const ESTIMATE_SLACK = 8;

const lineCounters = new WeakMap<TokenCounter, TokenCounter>();

/** One caching line counter per tokenizer, kept across prompts (the system text is always the same). */
function lineCounter(tokenizer: TokenCounter): TokenCounter {
  let counter = lineCounters.get(tokenizer);
  if (!counter) {
    counter = createLineTokenCounter(tokenizer);
    lineCounters.set(tokenizer, counter);
  }
  return counter;
}

/** A chunk cut to the sentence window `window` of `whole`; the whole chunk again when the window covers it. */
function withWindow(item: RankedChunk, whole: StoredChunk, window: SentenceWindow, tokenizer: TokenCounter): RankedChunk {
  const sentenceCount = sentencesOf(whole).length;
  const { whole: _whole, window: _window, sentenceCount: _count, ...plain } = item;
  if (window.first === 0 && window.last === sentenceCount - 1) return { ...plain, chunk: whole };
  return { ...plain, chunk: sliceChunk(whole, window, tokenizer), whole, window, sentenceCount };
}

/**
 * Builds the grounded prompt. Throws a ValidationError when the question is empty or, with a
 * tokenizer, when the question alone does not leave room in the context.
 *
 * Lean prompts (`promptTokens` given): the prompt is held to `promptTokens` (or the context's
 * budget when smaller). The `wholePassages` best-ranked chunks enter whole; after them, a chunk
 * longer than `passageTokens` enters as its sentence window
 * (./sentence-window.ts: the sentence sharing most with the question and its neighbours, whole
 * sentences only), windows are taken best-ranked first while they fit, and budget left over then
 * grows the windows again, best-ranked first, one sentence after and before in turn. A window that
 * leaves sentences out at an edge never merges with the neighbouring chunk there, so a quote
 * cannot run across text the prompt does not show.
 */
export function buildGroundedPrompt(options: BuildPromptOptions): BuiltPrompt {
  const question = options.question.trim();
  if (question.length === 0) throw new ValidationError(userMessage('validation_failed.question_empty'));
  // The instruction sits on one line in the trained format.
  const neutralQuestion = neutraliseText(question.replace(/\s+/g, ' '));

  const ranked: RankedChunk[] = [];
  const seen = new Set<string>();
  options.chunks.forEach((item, rank) => {
    if (seen.has(item.chunk.id)) return;
    seen.add(item.chunk.id);
    ranked.push({ ...item, rank });
  });

  if (!options.tokenizer) return finish(assembleSources(ranked), question, neutralQuestion, null, [], []);

  const contextTokens = options.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  const contextBudget = contextTokens - maxNewTokens - 1;
  const tokenizer = lineCounter(options.tokenizer);
  const count = (chunks: readonly RankedChunk[]) => tokenizer.count(render(assembleSources(chunks), neutralQuestion));

  const bare = count([]);
  if (bare > contextBudget) {
    throw new ValidationError(userMessage('validation_failed.question_too_many_tokens', { promptTokens: bare, budget: contextBudget, contextTokens, maxNewTokens }), {
      promptTokens: bare,
      budget: contextBudget,
    });
  }
  const lean = options.promptTokens !== undefined;
  const budget = lean ? Math.max(bare, Math.min(contextBudget, options.promptTokens!)) : contextBudget;
  const passageTokens = options.passageTokens ?? DEFAULT_PASSAGE_TOKENS;
  const stems = lean ? questionStemsOf(question) : [];
  const wholePassages = options.wholePassages ?? DEFAULT_WHOLE_PASSAGES;
  const candidates = lean
    ? ranked.map((item, index) => {
        if (index < wholePassages || sentencesOf(item.chunk).length < 2 || tokenizer.count(item.chunk.text) <= passageTokens) return item;
        return withWindow(item, item.chunk, sentenceWindow(item.chunk, stems, passageTokens, tokenizer), tokenizer);
      })
    : ranked;

  let selected: RankedChunk[] = [];
  let tokens = bare;
  const dropped: string[] = [];
  for (const candidate of candidates) {
    // Cheap pre-check with the token count stored at ingestion: a chunk that would open a source
    // of its own and cannot fit even by that (slightly low) estimate is dropped without tokenizing
    // the prompt again. Chunks of documents already present may merge and save a block: they are
    // always counted exactly.
    const estimate = candidate.chunk.tokenCount;
    const sameDocument = selected.some((item) => item.chunk.documentId === candidate.chunk.documentId);
    if (selected.length > 0 && estimate > 0 && !sameDocument && tokens + estimate - ESTIMATE_SLACK > budget) {
      dropped.push(candidate.chunk.id);
      continue;
    }
    const trial = [...selected, candidate];
    const trialTokens = count(trial);
    if (trialTokens <= budget) {
      selected = trial;
      tokens = trialTokens;
      continue;
    }
    if (selected.length === 0) {
      // Not even the best chunk fits: keep as many of its leading whole sentences as fit.
      const whole = candidate.whole ?? candidate.chunk;
      const first = candidate.window?.first ?? 0;
      const sentenceCount = sentencesOf(candidate.chunk).length;
      let low = 0;
      let high = sentenceCount - 1;
      let bestTokens = tokens;
      while (low < high) {
        const middle = (low + high + 1) >>> 1;
        const middleTokens = count([withWindow(candidate, whole, { first, last: first + middle - 1 }, tokenizer)]);
        if (middleTokens <= budget) {
          low = middle;
          bestTokens = middleTokens;
        } else {
          high = middle - 1;
        }
      }
      if (low > 0) {
        selected = [withWindow(candidate, whole, { first, last: first + low - 1 }, tokenizer)];
        tokens = bestTokens;
        continue;
      }
    }
    dropped.push(candidate.chunk.id);
  }

  if (lean) {
    // Budget left over: grow the windows again, best-ranked first, a sentence after and before in turn.
    for (let index = 0; index < selected.length; index += 1) {
      let after = true;
      const canGrow = { after: true, before: true };
      while (canGrow.after || canGrow.before) {
        const item = selected[index]!;
        const direction = after ? 'after' : 'before';
        after = !after;
        if (!canGrow[direction]) continue;
        const window = item.window;
        if (!window || (direction === 'after' ? !trimmedEnd(item) : !trimmedStart(item))) {
          canGrow[direction] = false;
          continue;
        }
        const grown = direction === 'after' ? { first: window.first, last: window.last + 1 } : { first: window.first - 1, last: window.last };
        const trial = selected.slice();
        trial[index] = withWindow(item, item.whole!, grown, tokenizer);
        const trialTokens = count(trial);
        if (trialTokens <= budget) {
          selected = trial;
          tokens = trialTokens;
        } else {
          canGrow[direction] = false;
        }
      }
    }
  }
  const shortened = selected.filter((item) => item.window !== undefined).map((item) => item.chunk.id);
  return finish(assembleSources(selected), question, neutralQuestion, tokens, dropped, shortened);
}

/** The plain chat prompt (no sources): `Du bist ein hilfreicher Assistent. USER: … ASSISTANT:`. */
export function buildChatPrompt(message: string): GroundedPrompt {
  const trimmed = message.trim();
  if (trimmed.length === 0) throw new ValidationError(userMessage('validation_failed.message_empty'));
  return { text: formatChatPrompt(neutraliseText(trimmed)), question: trimmed, sources: [] };
}
