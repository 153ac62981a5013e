/**
 * The set of valid answers for one prompt, as a byte automaton.
 *
 * A valid answer is, after an optional leading space:
 * - the refusal sentence, then end of sequence; or
 * - `text.slice(sentences[i].start, sentences[j].end)` of ONE source (i <= j) where no sentence of
 *   i..j is a `heading` and none of i+1..j has `blockStart` (a quote stays inside one paragraph,
 *   list item, table row or page section and never holds a heading), then
 *   ` (Quelle: <that source's citation>)`, then end of sequence.
 *
 * Why whole sentences and no sub-sentence spans: a quote cut inside a sentence can say the
 * opposite of its source ("Das Mittel ist nicht sicher" → "Das Mittel ist …"), drop the condition
 * a claim depends on, or shrink to a meaningless fragment; a run of whole sentences keeps each
 * claim as its author made it. It also keeps the automaton small: quotes may only start at
 * sentence starts and stop at sentence ends.
 *
 * Representation: all sources, citation tails and the refusal are laid out in one UTF-8 byte
 * buffer. A "thread" is a position in that buffer (the next byte it expects); a state is the set
 * of live threads. Reading a byte keeps the threads that expect it and moves them one step; when a
 * thread reaches the end of a sentence, a second thread starts on that source's citation tail
 * (so the model may stop quoting there, or read on into the next sentence). Before a block
 * boundary or a heading, reading on is cut off: the position after the sentence is readable to
 * no thread, so only the citation tail goes on. Headings are no sentence starts. Because a thread
 * belongs to one source, a sentence that appears in two sources keeps both alive until the
 * citation decides: the citation is right by construction.
 */
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { GroundedPrompt, QuoteConstraint } from '../language-model.ts';

/** The byte layout and transition tables of one prompt's answers. */
export type QuoteAutomaton = {
  buffer: Uint8Array;
  /**
   * A thread at position `t` may read the byte at `t` only when `t < readableEnd[t]`: the end of
   * the segment (source, tail or refusal) `t` lies in, or `t` itself at the end of a sentence that
   * a block boundary or a heading follows.
   */
  readableEnd: Int32Array;
  /** For every position: the start of the citation tail to fork to (a sentence end), or -1. */
  forkTo: Int32Array;
  /** 1 where a thread has read a complete answer (only end of sequence may follow). */
  accepting: Uint8Array;
  /** Threads at the very beginning (sentence starts and the refusal), closed under forks. */
  startThreads: Int32Array;
};

/** The thread that stands for "before the optional leading space". */
export const LEADING_SPACE = -1;
const SPACE = 0x20;
const encoder = new TextEncoder();

/** Byte offset of every UTF-16 offset of `text` (length + 1 entries). */
function utf8Offsets(text: string): Int32Array {
  const offsets = new Int32Array(text.length + 1);
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    offsets[index] = bytes;
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair is one 4-byte code point; the low half adds nothing.
      bytes += 4;
      index += 1;
      if (index < text.length) offsets[index] = bytes;
    } else if (code >= 0xdc00 && code <= 0xdfff) bytes += 3; // lone low surrogate (encoded as U+FFFD)
    else bytes += 3;
  }
  offsets[text.length] = bytes;
  return offsets;
}

/** Compiles the prompt's sources, their citations and the refusal into one automaton. */
export function compileQuoteAutomaton(prompt: GroundedPrompt, constraint: QuoteConstraint): QuoteAutomaton {
  const parts: Uint8Array[] = [];
  let length = 0;
  // Each segment is followed by one separator byte, so the position just past a segment (where a
  // thread that read all of it waits) is never also the first position of the next segment.
  const separator = Uint8Array.of(0);
  const append = (bytes: Uint8Array) => {
    const start = length;
    parts.push(bytes, separator);
    length += bytes.length + 1;
    return { start, end: start + bytes.length };
  };

  type Layout = { text: { start: number; end: number }; tail: { start: number; end: number }; offsets: Int32Array };
  const layouts: Layout[] = [];
  for (const source of prompt.sources) {
    const text = append(encoder.encode(source.text));
    const tail = append(encoder.encode(` (Quelle: ${source.citation})`));
    layouts.push({ text, tail, offsets: utf8Offsets(source.text) });
  }
  const refusal = append(encoder.encode(constraint.refusal));

  const buffer = new Uint8Array(length);
  let cursor = 0;
  for (const part of parts) {
    buffer.set(part, cursor);
    cursor += part.length;
  }
  const readableEnd = new Int32Array(length + 1).fill(length);
  const forkTo = new Int32Array(length + 1).fill(-1);
  const accepting = new Uint8Array(length + 1);
  const starts: number[] = [];

  const markSegment = (segment: { start: number; end: number }) => readableEnd.fill(segment.end, segment.start, segment.end + 1);
  prompt.sources.forEach((source, index) => {
    const layout = layouts[index]!;
    markSegment(layout.text);
    markSegment(layout.tail);
    accepting[layout.tail.end] = 1;
    source.sentences.forEach((sentence, sentenceIndex) => {
      if (!Number.isInteger(sentence.start) || !Number.isInteger(sentence.end) || sentence.start < 0 || sentence.end > source.text.length) {
        throw new ValidationError(
          userMessage('validation_failed.sentence_offsets', { start: sentence.start, end: sentence.end, sourceIndex: index, length: source.text.length }),
          { sourceIndex: index, start: sentence.start, end: sentence.end },
        );
      }
      const previous = source.sentences[sentenceIndex - 1];
      // No run reads from the previous sentence into this one across a block boundary or into a heading.
      if (previous && (sentence.blockStart || sentence.heading) && previous.end < sentence.start) {
        const stop = layout.text.start + layout.offsets[previous.end]!;
        readableEnd[stop] = stop;
      }
      if (sentence.end <= sentence.start || sentence.heading) return;
      starts.push(layout.text.start + layout.offsets[sentence.start]!);
      forkTo[layout.text.start + layout.offsets[sentence.end]!] = layout.tail.start;
    });
  });
  markSegment(refusal);
  accepting[refusal.end] = 1;
  starts.push(refusal.start);

  const automaton: QuoteAutomaton = { buffer, readableEnd, forkTo, accepting, startThreads: new Int32Array(0) };
  automaton.startThreads = closeThreads(automaton, starts);
  return automaton;
}

/** Adds the citation-tail forks of sentence ends, and removes duplicates (sorted). */
export function closeThreads(automaton: QuoteAutomaton, threads: Iterable<number>): Int32Array {
  const result = new Set<number>();
  for (const thread of threads) {
    result.add(thread);
    if (thread >= 0) {
      const fork = automaton.forkTo[thread]!;
      if (fork >= 0) result.add(fork);
    }
  }
  return Int32Array.from([...result].sort((left, right) => left - right));
}

/** The threads of the state before anything was generated. */
export function initialThreads(automaton: QuoteAutomaton): Int32Array {
  return Int32Array.from([LEADING_SPACE, ...automaton.startThreads]);
}

/**
 * Calls `visit(byte, threadsAfter)` once per byte some thread can read next, with the threads
 * that byte leads to (closed under forks, deduplicated).
 */
export function forEachNextByte(automaton: QuoteAutomaton, threads: Int32Array, visit: (byte: number, next: Int32Array) => void): void {
  const byByte = new Map<number, number[]>();
  for (const thread of threads) {
    if (thread === LEADING_SPACE) {
      const list = byByte.get(SPACE) ?? [];
      for (const start of automaton.startThreads) list.push(start);
      byByte.set(SPACE, list);
      continue;
    }
    if (thread >= automaton.readableEnd[thread]!) continue;
    const byte = automaton.buffer[thread]!;
    const list = byByte.get(byte) ?? [];
    list.push(thread + 1);
    byByte.set(byte, list);
  }
  for (const [byte, list] of byByte) visit(byte, closeThreads(automaton, list));
}

/** The threads after reading `bytes` (empty when they are not a prefix of a valid answer). */
export function readBytes(automaton: QuoteAutomaton, threads: Int32Array, bytes: Uint8Array): Int32Array {
  let current = threads;
  for (const byte of bytes) {
    let next: Int32Array = new Int32Array(0);
    forEachNextByte(automaton, current, (candidate, after) => {
      if (candidate === byte) next = after;
    });
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** True when some thread has read a complete answer. */
export function isAccepting(automaton: QuoteAutomaton, threads: Int32Array): boolean {
  for (const thread of threads) if (thread >= 0 && automaton.accepting[thread] === 1) return true;
  return false;
}

/**
 * The bytes every valid answer reads next from `threads`, up to where a choice is left again (two
 * or more next bytes, or an answer that could end here), at most `limit`; empty at a branch. Once
 * the model has started a sentence, this is the rest of it (and the ` (Quelle: …)` tail once it
 * has chosen to cite): text the model cannot change, so an engine may append it without asking.
 */
export function forcedBytes(automaton: QuoteAutomaton, threads: Int32Array, limit = 1024): Uint8Array {
  const bytes: number[] = [];
  let current = threads;
  while (bytes.length < limit && current.length > 0 && !isAccepting(automaton, current)) {
    let choices = 0;
    let onlyByte = -1;
    let onlyNext: Int32Array = current;
    forEachNextByte(automaton, current, (byte, next) => {
      choices += 1;
      onlyByte = byte;
      onlyNext = next;
    });
    if (choices !== 1) break;
    bytes.push(onlyByte);
    current = onlyNext;
  }
  return Uint8Array.from(bytes);
}
