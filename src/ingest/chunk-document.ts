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
 *
 * Every sentence carries its block flags (./text-blocks.ts): `blockStart` (a block boundary lies
 * between it and the sentence before it in the document, in this chunk or the previous one) and
 * `heading`. Documents with sections (HTML, Markdown) mark their blocks with blank lines and name
 * their headings: there a heading is the title at a section's start, never a guess from a line's
 * shape; plain text and PDFs are guessed.
 */
import type { LlamaTokenizer } from '../engine/tokenizer/llama-tokenizer.ts';
import { splitSentences } from './split-sentences.ts';
import type { ChunkDraft, LoadedDocument, SectionSpan, SentenceSpan } from './types.ts';

/**
 * Names how `chunkDocument` cuts a text into chunks and sentences. The chunk store records it
 * (beleg-index.json) and rebuilds stored chunks cut another way at start-up: change it whenever
 * sentence splitting, block flags or chunking change what is stored.
 */
export const CHUNKING = 'text-blocks-v1';

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
  const counter = new RunCounter(text, tokenizer);
  const marking = document.sections === undefined ? 'guess' : 'marked';
  for (const region of regionsOf(document)) {
    const sentences = markSectionTitle(text, region, splitSentences(text, { start: region.start, end: region.end, marking })).flatMap((sentence) =>
      fitSentence(text, sentence, counter, tokenizer, maxTokens),
    );
    for (const { sentences: group, tokenCount } of packSentences(sentences, counter, maxTokens, overlapSentences)) {
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
        sentences: group.map(({ tokenCount: _tokenCount, ...sentence }) => sentence),
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

/**
 * Marks the sentences of a section's title (the text at the region's start, as the loader wrote
 * it) as headings: a title with a period inside ("Was ist neu? Alles.") is more than one sentence.
 */
function markSectionTitle(text: string, region: Region, sentences: SentenceSpan[]): SentenceSpan[] {
  const title = region.headingPath[region.headingPath.length - 1];
  if (title === undefined || !text.startsWith(title, region.start)) return sentences;
  const titleEnd = region.start + title.length;
  return sentences.map((sentence) => (sentence.charEnd <= titleEnd ? { ...sentence, heading: true } : sentence));
}

/**
 * Exact Llama-2 token counts without tokenizing whole chunks. The tokenizer's BPE runs over the
 * whole string (long strings cost more than their parts), but in Llama-2's vocabulary no piece has
 * `▁` (a space) after another character and none holds a line break. So tokenization never merges
 * across a space that follows a non-space, nor across a line break: a span's count is the sum of
 * its words' counts, each word measured as it stands — the first as `count(word)` (with the
 * tokenizer's dummy `▁`), a word after one space also as `count(word)`, a word after other
 * whitespace as `count("\n" + gap + word) - 2` (minus the dummy `▁` and the line break). Words
 * repeat a lot, so their counts are cached. `verify` checks the rule on the document's opening
 * text; should a tokenizer break it, every span is counted directly.
 */
class RunCounter {
  readonly #text: string;
  readonly #tokenizer: TokenCounter;
  readonly #cache = new Map<string, number>();
  #additive = true;

  constructor(text: string, tokenizer: TokenCounter) {
    this.#text = text;
    this.#tokenizer = tokenizer;
    this.#verify();
  }

  /** Compares word sums with a direct count on up to ~3000 characters of the document. */
  #verify(): void {
    const cut = this.#text.length <= 3000 ? this.#text.length : this.#text.lastIndexOf(' ', 3000);
    const probe = this.#text.slice(0, cut > 0 ? cut : Math.min(this.#text.length, 3000)).trimEnd();
    const start = probe.length - probe.trimStart().length;
    if (probe.trim().length > 0 && this.span(start, probe.length) !== this.#tokenizer.count(probe.slice(start))) this.#additive = false;
  }

  #count(key: string, measure: () => number): number {
    let cached = this.#cache.get(key);
    if (cached === undefined) {
      cached = measure();
      if (this.#cache.size < 200_000) this.#cache.set(key, cached);
    }
    return cached;
  }

  /** Tokens of the word at `[start, end)` after `gap` (null: the first word of a string). */
  #word(gap: string | null, start: number, end: number): number {
    const word = this.#text.slice(start, end);
    if (gap === null || gap === ' ') return this.#count(word, () => this.#tokenizer.count(word));
    return this.#count(`${gap}\u0000${word}`, () => this.#tokenizer.count(`\n${gap}${word}`) - 2);
  }

  /** Tokens of `text.slice(start, end)` on its own (start and end on non-whitespace). */
  span(start: number, end: number): number {
    if (!this.#additive) return this.#tokenizer.count(this.#text.slice(start, end));
    return this.#sumWords(null, start, end);
  }

  /** Tokens `sentence` adds after `previous` (its neighbour in the text); NaN when they touch. */
  follow(previous: SentenceSpan, sentence: SentenceSpan): number {
    if (!this.#additive || previous.charEnd >= sentence.charStart) return Number.NaN;
    return this.#sumWords(previous.charEnd, sentence.charStart, sentence.charEnd);
  }

  #sumWords(gapStart: number | null, start: number, end: number): number {
    let total = 0;
    let previousEnd = gapStart;
    const words = /\S+/gu;
    words.lastIndex = start;
    let match: RegExpExecArray | null;
    while ((match = words.exec(this.#text)) !== null && match.index < end) {
      const wordEnd = Math.min(end, match.index + match[0].length);
      total += this.#word(previousEnd === null ? null : this.#text.slice(previousEnd, match.index), match.index, wordEnd);
      previousEnd = wordEnd;
      if (wordEnd >= end) break;
    }
    return total;
  }

  /** Exact tokens of the text from the first to the last of `run` (neighbouring sentences). */
  count(run: MeasuredSentence[]): number {
    if (run.length === 1) return run[0]!.tokenCount;
    let total = run[0]!.tokenCount;
    for (let index = 1; index < run.length; index++) total += this.follow(run[index - 1]!, run[index]!);
    if (Number.isNaN(total)) return this.#tokenizer.count(this.#text.slice(run[0]!.charStart, run[run.length - 1]!.charEnd));
    return total;
  }
}

/** Packs sentences greedily, repeating the last `overlap` sentences of a chunk at the next one's start. */
function packSentences(
  sentences: MeasuredSentence[],
  counter: RunCounter,
  maxTokens: number,
  overlap: number,
): Array<{ sentences: MeasuredSentence[]; tokenCount: number }> {
  const groups: Array<{ sentences: MeasuredSentence[]; tokenCount: number }> = [];
  let index = 0;
  while (index < sentences.length) {
    let group: MeasuredSentence[] = [];
    // Overlap: the previous chunk's last sentences, if the next new sentence still fits after them.
    if (groups.length > 0 && overlap > 0) {
      const carried = groups[groups.length - 1]!.sentences.slice(-overlap).filter((sentence) => sentence.charEnd <= sentences[index]!.charStart);
      if (carried.length > 0 && counter.count([...carried, sentences[index]!]) <= maxTokens) group = carried;
    }
    const firstNew = group.length;
    let tokens = group.length > 0 ? counter.count(group) : 0;
    while (index < sentences.length) {
      const next = sentences[index]!;
      const cost = group.length === 0 ? next.tokenCount : counter.follow(group[group.length - 1]!, next);
      // Always take one new sentence; more only while they fit (NaN: pieces of one word, checked below).
      if (group.length > firstNew && !(tokens + cost <= maxTokens)) break;
      tokens += Number.isNaN(cost) ? 0 : cost;
      group.push(next);
      index++;
    }
    // The running sum is exact for the Llama-2 tokenizer; the exact count decides (pieces of one
    // cut word, other tokenizers): give back sentences, never the only new one, then the overlap.
    let exact = counter.count(group);
    while (exact > maxTokens && group.length - firstNew > 1) {
      group.pop();
      index--;
      exact = counter.count(group);
    }
    if (exact > maxTokens && firstNew > 0) {
      group = group.slice(firstNew);
      exact = counter.count(group);
    }
    groups.push({ sentences: group, tokenCount: exact });
  }
  return groups;
}

/** A sentence within the budget as it is; a longer one cut into pieces that fit. */
function fitSentence(text: string, sentence: SentenceSpan, counter: RunCounter, tokenizer: TokenCounter, maxTokens: number): MeasuredSentence[] {
  const tokenCount = counter.span(sentence.charStart, sentence.charEnd);
  if (tokenCount <= maxTokens) return [{ ...sentence, tokenCount }];
  // The pieces keep the sentence's flags: the first its block start, all of them its heading.
  return splitLongSpan(text, sentence, tokenizer, maxTokens).map((piece, index) => ({
    ...piece,
    ...(index === 0 && sentence.blockStart ? { blockStart: true } : {}),
    ...(sentence.heading ? { heading: true } : {}),
  }));
}

/** A word that ends a clause: a piece of an over-long sentence best ends after one. */
const CLAUSE_END = /[,;:)\u2013\u2014]$|^[\u2013\u2014-]$/u;

/**
 * Cuts an over-long sentence into pieces of at most `maxTokens` tokens, preferably after a clause
 * (comma, semicolon, colon, dash), else at whitespace; a single word longer than the budget is cut
 * between characters (never inside a surrogate pair). Offsets stay exact either way.
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
    // Unless the rest fits, end the piece after a clause (",", ";", ":", dash) in its last half.
    let end = low;
    if (low < words.length) {
      for (let candidate = low; candidate > index + Math.max(1, Math.floor((low - index) / 2)); candidate--) {
        if (CLAUSE_END.test(text.slice(words[candidate - 1]!.charStart, words[candidate - 1]!.charEnd))) {
          end = candidate;
          break;
        }
      }
    }
    const charStart = words[index]!.charStart;
    const charEnd = words[end - 1]!.charEnd;
    pieces.push({ charStart, charEnd, tokenCount: tokenizer.count(text.slice(charStart, charEnd)) });
    index = end;
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

/** The 1-based page (or slide) containing `offset`, or null for documents without pages (spreadsheet rows are no pages). */
function pageAt(document: LoadedDocument, offset: number): number | null {
  const pages = document.pages;
  if (!pages || pages.length === 0 || pages[0]!.kind === 'row') return null;
  let found = pages[0]!.number;
  for (const page of pages) {
    if (page.charStart <= offset) found = page.number;
    else break;
  }
  return found;
}
