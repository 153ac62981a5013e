/**
 * Chunking: whole sentences packed into chunks within a Llama-2 token budget, with a small
 * overlap, as exact offsets into the document text.
 *
 * Why 384 tokens by default: EM German has a 4096-token context. Retrieval puts up to 8 chunks
 * into the prompt: 8 × 384 = 3072 tokens. That leaves 4096 − 3072 = 1024 tokens for the system
 * prompt and the per-source labels (~200), the question (at most 1000 characters ≈ 300 tokens) and
 * the answer (~500 tokens, a quote of a few sentences). Smaller chunks cut sentences' context;
 * larger ones leave no room for the answer.
 *
 * Chunks never cross a section boundary (HTML/Markdown headings), so a chunk's heading path is
 * true for all its text; they may cross PDF pages, and `page` is the page the chunk starts on.
 */
import type { LlamaTokenizer } from '../engine/tokenizer/llama-tokenizer.ts';
import { splitSentences } from './split-sentences.ts';
import type { ChunkDraft, LoadedDocument, SectionSpan, SentenceSpan } from './types.ts';

/** Default chunk budget in Llama-2 tokens; see the arithmetic at the top of this file. */
export const DEFAULT_MAX_CHUNK_TOKENS = 384;
/** Sentences repeated at the start of the next chunk, so a fact split across chunks is found whole. */
export const DEFAULT_OVERLAP_SENTENCES = 1;

export type ChunkOptions = { maxTokens?: number; overlapSentences?: number };

/** Anything that counts Llama-2 tokens; `LlamaTokenizer` is one. */
export type TokenCounter = Pick<LlamaTokenizer, 'count'>;

type MeasuredSentence = SentenceSpan & { tokenCount: number };

/**
 * Splits `document.text` into chunks of whole sentences within `maxTokens` Llama-2 tokens each.
 * A sentence longer than the budget becomes its own chunk(s), cut at whitespace (or, for a single
 * word longer than the budget, anywhere). Every chunk satisfies
 * `document.text.slice(chunk.charStart, chunk.charEnd) === chunk.text`.
 */
export function chunkDocument(document: LoadedDocument, tokenizer: TokenCounter, options: ChunkOptions = {}): ChunkDraft[] {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_CHUNK_TOKENS;
  const overlapSentences = options.overlapSentences ?? DEFAULT_OVERLAP_SENTENCES;
  if (!Number.isInteger(maxTokens) || maxTokens < 8) throw new RangeError(`maxTokens must be an integer >= 8, got ${maxTokens}.`);
  if (!Number.isInteger(overlapSentences) || overlapSentences < 0) {
    throw new RangeError(`overlapSentences must be a non-negative integer, got ${overlapSentences}.`);
  }
  const text = document.text;
  const chunks: ChunkDraft[] = [];
  for (const region of regionsOf(document)) {
    const sentences = splitSentences(text, region).flatMap((sentence) => fitSentence(text, sentence, tokenizer, maxTokens));
    for (const { sentences: group, tokenCount } of packSentences(text, sentences, tokenizer, maxTokens, overlapSentences)) {
      const charStart = group[0]!.charStart;
      const charEnd = group[group.length - 1]!.charEnd;
      const chunkText = text.slice(charStart, charEnd);
      chunks.push({
        ordinal: chunks.length,
        text: chunkText,
        charStart,
        charEnd,
        page: pageAt(document, charStart),
        headingPath: region.headingPath.length > 0 ? region.headingPath.join(' > ') : null,
        tokenCount,
        sentences: group.map(({ charStart: start, charEnd: end }) => ({ charStart: start, charEnd: end })),
      });
    }
  }
  return chunks;
}

type Region = { start: number; end: number; headingPath: string[] };

/** The document cut at section starts; text before the first section has no heading path. */
function regionsOf(document: LoadedDocument): Region[] {
  const sections: SectionSpan[] = [...(document.sections ?? [])].sort((left, right) => left.charStart - right.charStart);
  if (sections.length === 0) return [{ start: 0, end: document.text.length, headingPath: [] }];
  const regions: Region[] = [];
  if (sections[0]!.charStart > 0) regions.push({ start: 0, end: sections[0]!.charStart, headingPath: [] });
  sections.forEach((section, index) => {
    const next = sections[index + 1];
    const end = next ? Math.max(section.charStart, next.charStart) : Math.max(section.charEnd, document.text.length);
    regions.push({ start: section.charStart, end, headingPath: section.headingPath });
  });
  return regions;
}

/** Packs sentences greedily, repeating the last `overlap` sentences of a chunk at the next one's start. */
function packSentences(
  text: string,
  sentences: MeasuredSentence[],
  tokenizer: TokenCounter,
  maxTokens: number,
  overlap: number,
): Array<{ sentences: MeasuredSentence[]; tokenCount: number }> {
  const groups: Array<{ sentences: MeasuredSentence[]; tokenCount: number }> = [];
  let index = 0;
  while (index < sentences.length) {
    const group: MeasuredSentence[] = [];
    // Overlap: earlier sentences, only if at least the next new sentence still fits after them.
    if (groups.length > 0 && overlap > 0) {
      const previous = groups[groups.length - 1]!.sentences;
      const carried = previous.slice(-overlap).filter((sentence) => sentence.charEnd <= sentences[index]!.charStart);
      const carriedTokens = carried.reduce((sum, sentence) => sum + sentence.tokenCount, 0);
      if (carried.length > 0 && carriedTokens + sentences[index]!.tokenCount <= maxTokens) group.push(...carried);
    }
    const firstNew = group.length;
    let tokens = group.reduce((sum, sentence) => sum + sentence.tokenCount, 0);
    while (index < sentences.length && (group.length === firstNew || tokens + sentences[index]!.tokenCount <= maxTokens)) {
      tokens += sentences[index]!.tokenCount;
      group.push(sentences[index]!);
      index++;
    }
    // Sentence counts are an estimate of the joined text's count: verify, and give back sentences
    // (never the only new one), then the overlap, until the exact count fits.
    let exact = countSpan(text, group, tokenizer);
    while (exact > maxTokens && group.length - firstNew > 1) {
      group.pop();
      index--;
      exact = countSpan(text, group, tokenizer);
    }
    if (exact > maxTokens && firstNew > 0) {
      group.splice(0, firstNew);
      exact = countSpan(text, group, tokenizer);
    }
    groups.push({ sentences: group, tokenCount: exact });
  }
  return groups;
}

function countSpan(text: string, group: SentenceSpan[], tokenizer: TokenCounter): number {
  return tokenizer.count(text.slice(group[0]!.charStart, group[group.length - 1]!.charEnd));
}

/** A sentence within the budget as it is; a longer one cut into pieces that fit. */
function fitSentence(text: string, sentence: SentenceSpan, tokenizer: TokenCounter, maxTokens: number): MeasuredSentence[] {
  const tokenCount = tokenizer.count(text.slice(sentence.charStart, sentence.charEnd));
  if (tokenCount <= maxTokens) return [{ ...sentence, tokenCount }];
  return splitLongSpan(text, sentence, tokenizer, maxTokens);
}

/**
 * Cuts an over-long sentence at whitespace into pieces of at most `maxTokens` tokens; a single
 * word longer than that is cut between characters (never inside a surrogate pair).
 */
function splitLongSpan(text: string, span: SentenceSpan, tokenizer: TokenCounter, maxTokens: number): MeasuredSentence[] {
  const words: SentenceSpan[] = [];
  for (const match of text.slice(span.charStart, span.charEnd).matchAll(/\S+/gu)) {
    const wordStart = span.charStart + match.index!;
    words.push(...cutWord(text, { charStart: wordStart, charEnd: wordStart + match[0].length }, tokenizer, maxTokens));
  }
  const pieces: MeasuredSentence[] = [];
  let index = 0;
  while (index < words.length) {
    // Grow the piece word by word while the exact count of the slice fits (binary search on length).
    let low = index + 1;
    let high = words.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (tokenizer.count(text.slice(words[index]!.charStart, words[middle - 1]!.charEnd)) <= maxTokens) low = middle;
      else high = middle - 1;
    }
    const charStart = words[index]!.charStart;
    const charEnd = words[low - 1]!.charEnd;
    pieces.push({ charStart, charEnd, tokenCount: tokenizer.count(text.slice(charStart, charEnd)) });
    index = low;
  }
  return pieces;
}

/** A word within the budget as it is, else cut into character runs that fit. */
function cutWord(text: string, word: SentenceSpan, tokenizer: TokenCounter, maxTokens: number): SentenceSpan[] {
  if (tokenizer.count(text.slice(word.charStart, word.charEnd)) <= maxTokens) return [word];
  const pieces: SentenceSpan[] = [];
  let start = word.charStart;
  while (start < word.charEnd) {
    let low = start + 1;
    let high = word.charEnd;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (tokenizer.count(text.slice(start, middle)) <= maxTokens) low = middle;
      else high = middle - 1;
    }
    let end = low;
    // Never end between the halves of a surrogate pair.
    if (end < word.charEnd && isHighSurrogate(text.charCodeAt(end - 1)) && end - 1 > start) end--;
    pieces.push({ charStart: start, charEnd: end });
    start = end;
  }
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The 1-based page containing `offset`, or null for documents without pages. */
function pageAt(document: LoadedDocument, offset: number): number | null {
  const pages = document.pages;
  if (!pages || pages.length === 0) return null;
  let found = pages[0]!.number;
  for (const page of pages) {
    if (page.charStart <= offset) found = page.number;
    else break;
  }
  return found;
}
