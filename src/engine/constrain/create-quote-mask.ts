/**
 * The token mask that makes a local engine quote verbatim: before every decode step it returns the
 * token ids that keep the output a prefix of a valid answer (see ./quote-automaton.ts), and EOS
 * once an answer is complete.
 *
 * Cost per step: the automaton state is advanced by the last token's bytes only (the mask keeps
 * the state of the previous call), then the vocabulary trie is walked along the bytes the live
 * threads can read. Once the model has committed to a quote, one thread is usually left and the
 * walk follows a single path of at most ~16 bytes; only the first step, where every sentence start
 * is open, visits more (bench/constrain measures both).
 */
import type { GroundedPrompt, QuoteConstraint } from '../language-model.ts';
import type { TokenMask } from '../token-mask.ts';
import { compileQuoteAutomaton, forcedBytes, forEachNextByte, initialThreads, isAccepting, readBytes, type QuoteAutomaton } from './quote-automaton.ts';
import { childOf, vocabularyTrie, type VocabularySource, type VocabularyTrie } from './vocabulary-trie.ts';

/** Token ids allowed from a state: every token whose bytes the threads can read, plus EOS when accepting. */
function allowedTokens(automaton: QuoteAutomaton, trie: VocabularyTrie, threads: Int32Array): Int32Array {
  const allowed: number[] = [];
  const walk = (node: number, current: Int32Array) => {
    forEachNextByte(automaton, current, (byte, next) => {
      const child = childOf(trie, node, byte);
      if (child < 0) return;
      const start = trie.tokenStart[child]!;
      for (let index = 0; index < trie.tokenCount[child]!; index += 1) allowed.push(trie.nodeTokens[start + index]!);
      if (trie.childCount[child]! > 0) walk(child, next);
    });
  };
  walk(0, threads);
  if (isAccepting(automaton, threads)) allowed.push(trie.eosId);
  // A token can be reached on one path only (its bytes are fixed), so there are no duplicates.
  return Int32Array.from(allowed).sort();
}

/** A TokenMask that always restricts (never returns null); assignable to TokenMask. */
export type QuoteMask = { allowed(generated: readonly number[]): Int32Array; forcedTokens(generated: readonly number[]): number[] };

/** What the mask needs of a tokenizer: its vocabulary, and `encode` for jump-forward (without it, nothing is forced). */
export type QuoteMaskTokenizer = VocabularySource & { encode?(text: string, options?: { addBos?: boolean }): number[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Compile-time check that a QuoteMask is a TokenMask.
const _isTokenMask: (mask: QuoteMask) => TokenMask = (mask) => mask;
void _isTokenMask;

/**
 * Creates the mask for one generation. `tokenizer` supplies the vocabulary (cached per tokenizer).
 * `allowed(generated)` accepts the ids generated so far (without the prompt); an empty result means
 * the output can no longer become a valid answer, or is complete and ended with EOS: stop.
 */
export function createQuoteMask(prompt: GroundedPrompt, constraint: QuoteConstraint, tokenizer: QuoteMaskTokenizer): QuoteMask {
  const automaton = compileQuoteAutomaton(prompt, constraint);
  const trie = vocabularyTrie(tokenizer);
  const start = initialThreads(automaton);
  let seen: number[] = [];
  let threads = start;

  const advance = (state: Int32Array, id: number): Int32Array => {
    if (id === trie.eosId || id < 0 || id >= trie.tokenBytes.length) return new Int32Array(0);
    const bytes = trie.tokenBytes[id]!;
    if (bytes.length === 0) return new Int32Array(0);
    return readBytes(automaton, state, bytes);
  };

  const stateAfter = (generated: readonly number[]): Int32Array => {
    const extendsSeen = generated.length >= seen.length && seen.every((id, index) => generated[index] === id);
    let state = extendsSeen ? threads : start;
    for (let index = extendsSeen ? seen.length : 0; index < generated.length; index += 1) state = advance(state, generated[index]!);
    seen = [...generated];
    threads = state;
    return state;
  };

  return {
    allowed(generated: readonly number[]): Int32Array {
      const state = stateAfter(generated);
      if (state.length === 0) return new Int32Array(0);
      return allowedTokens(automaton, trie, state);
    },

    /**
     * The forced continuation as canonical tokens. Only text that starts with a space is forced
     * (SentencePiece puts its word-start marker `▁` on the space, so the text after it encodes to
     * exactly these bytes); a word already begun is finished by normal steps first. A trailing
     * space is left to the model, and a tokenisation whose bytes differ from the text is not used.
     */
    forcedTokens(generated: readonly number[]): number[] {
      if (!tokenizer.encode) return [];
      const state = stateAfter(generated);
      let bytes = forcedBytes(automaton, state);
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0x20) end -= 1;
      bytes = bytes.subarray(0, end);
      if (bytes.length < 2 || bytes[0] !== 0x20) return [];
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        return [];
      }
      const ids = tokenizer.encode(text.slice(1), { addBos: false });
      let offset = 0;
      for (const id of ids) {
        const tokenBytes = trie.tokenBytes[id];
        if (!tokenBytes || tokenBytes.length === 0 || offset + tokenBytes.length > bytes.length) return [];
        for (let index = 0; index < tokenBytes.length; index += 1) if (tokenBytes[index] !== bytes[offset + index]) return [];
        offset += tokenBytes.length;
      }
      return offset === bytes.length ? ids : [];
    },
  };
}
