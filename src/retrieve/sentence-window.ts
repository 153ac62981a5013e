/**
 * The sentence window of a long chunk: the sentence that shares most with the question (the
 * retrieval hit inside the chunk) and its neighbours, as a shorter chunk of whole sentences whose
 * offsets still point into the stored document. Lean prompts (./build-prompt.ts, `promptTokens`)
 * send windows instead of whole chunks, so a small token budget holds more of the retrieved
 * passages.
 *
 * Overlap uses the light German stemmer of the extractive engine and the retrieval reranker
 * (../engine/extractive/german-terms.ts): each of the question's content stems counts once, with
 * its best similarity to a word of the sentence (1 for the same stem, partial for compound heads
 * and modifiers). Ties go to the earlier sentence.
 */
import { contentStems, stemSimilarity, terms } from '../engine/extractive/german-terms.ts';
import type { StoredChunk } from '../store/chunk-store.ts';
import { sentencesOf } from './chunk-sentences.ts';
import type { TokenCounter } from './count-prompt-tokens.ts';

/** A window of whole sentences of one chunk, `first..last` inclusive (indices into `sentencesOf`). */
export type SentenceWindow = { first: number; last: number };

/** How much of the question (`contentStems`) a text covers: the sum of each stem's best match. */
export function questionOverlap(questionStems: readonly string[], text: string): number {
  if (questionStems.length === 0) return 0;
  const textStems = [...new Set(terms(text).map((term) => term.stem))];
  let total = 0;
  for (const questionStem of questionStems) {
    let best = 0;
    for (const textStem of textStems) {
      best = Math.max(best, stemSimilarity(questionStem, textStem));
      if (best === 1) break;
    }
    total += best;
  }
  return total;
}

/** The question's content stems, for `hitSentence`. */
export function questionStemsOf(question: string): string[] {
  return contentStems(question);
}

/** Index of the chunk's sentence with the best overlap with the question (0 when none overlaps). */
export function hitSentence(chunk: StoredChunk, questionStems: readonly string[]): number {
  let best = 0;
  let bestScore = 0;
  sentencesOf(chunk).forEach((sentence, index) => {
    const score = questionOverlap(questionStems, chunk.text.slice(sentence.start, sentence.end));
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  });
  return best;
}

/**
 * The window around the hit sentence: it grows by one sentence at a time, after and before in
 * turn, while its text stays within `maxTokens` (the hit sentence itself always stays, however long).
 */
export function sentenceWindow(chunk: StoredChunk, questionStems: readonly string[], maxTokens: number, tokenizer: TokenCounter): SentenceWindow {
  const sentences = sentencesOf(chunk);
  const hit = hitSentence(chunk, questionStems);
  const window = { first: hit, last: hit };
  const tokensOf = (first: number, last: number) => tokenizer.count(chunk.text.slice(sentences[first]!.start, sentences[last]!.end));
  let after = true;
  let canGrowAfter = true;
  let canGrowBefore = true;
  while (canGrowAfter || canGrowBefore) {
    if (after && canGrowAfter) {
      if (window.last + 1 < sentences.length && tokensOf(window.first, window.last + 1) <= maxTokens) window.last += 1;
      else canGrowAfter = false;
    } else if (!after && canGrowBefore) {
      if (window.first > 0 && tokensOf(window.first - 1, window.last) <= maxTokens) window.first -= 1;
      else canGrowBefore = false;
    }
    after = !after;
  }
  return window;
}

/**
 * Sentences `first..last` of a chunk as a chunk of their own: text, stored offsets, sentence
 * offsets and flags all cut to the window, so quotes from it map to the same stored offsets.
 */
export function sliceChunk(chunk: StoredChunk, window: SentenceWindow, tokenizer: TokenCounter): StoredChunk {
  const sentences = sentencesOf(chunk).slice(window.first, window.last + 1);
  const start = sentences[0]!.start;
  const end = sentences[sentences.length - 1]!.end;
  const text = chunk.text.slice(start, end);
  return {
    ...chunk,
    text,
    charStart: chunk.charStart + start,
    charEnd: chunk.charStart + end,
    tokenCount: tokenizer.count(text),
    sentenceOffsets: sentences.flatMap((sentence) => [sentence.start - start, sentence.end - start]),
    ...(chunk.sentenceFlags ? { sentenceFlags: chunk.sentenceFlags.slice(window.first, window.last + 1) } : {}),
  };
}
