/**
 * Prompt states of the GPTQ engine kept for later: copies of the KV cache after a prompt, least
 * recently used first out, bounded in bytes.
 *
 * The session itself keeps the state of the last sequence, so a prompt that starts like the
 * previous one runs only what differs (LlamaSession.keepPrefix). That is lost as soon as anybody
 * else asks: two people taking turns over different documents would each pay their whole prompt
 * again. Here the state of a prompt is copied out when the next prompt is about to overwrite it,
 * and copied back when a later prompt shares more of its head with it than with what the session
 * holds: the same question again, or a follow-up whose retrieval gave the same sources (the
 * question comes last in EM German's prompt, so everything before it is shared).
 *
 * Keys and values of a position depend only on the tokens up to it, and a restored state is a
 * bitwise copy of what was computed, so what follows is what the session would have generated had
 * it never been overwritten. Memory is the price: a position costs 2 × layers × kvHeads × headDim
 * float32 values (45 KB on TinyLlama's shape, 1.6 MB on Llama-2-13B's), so a 768-token prompt of
 * the 13B model needs ~1.3 GB; a state larger than the whole budget is not kept.
 */
import type { LlamaSession, SessionState } from './llama-session.ts';

export type PromptStateCacheStats = {
  entries: number;
  bytes: number;
  maxBytes: number;
  /** Prompts that resumed from a kept state. */
  hits: number;
};

export class PromptStateCache {
  readonly maxBytes: number;
  /** Least recently used first. */
  #entries: SessionState[] = [];
  #bytes = 0;
  #hits = 0;
  /** The prompt whose state the session holds after the last prefill. */
  #livePrompt: readonly number[] | undefined;

  constructor(maxBytes: number) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative number, not ${maxBytes}.`);
    this.maxBytes = maxBytes;
  }

  /**
   * Prepares `session` to run `promptIds`: keeps the session's prompt state if it is about to be
   * lost, restores a kept state that shares a longer head with `promptIds` than the session does,
   * then cuts the cache back to the shared head (LlamaSession.keepPrefix). Returns the number of
   * positions kept (at most `promptIds.length - 1`, so the caller still gets logits).
   */
  resume(session: LlamaSession, promptIds: readonly number[], capacity: number): number {
    if (!session.canSnapshot) return session.keepPrefix(promptIds, capacity);
    const cap = promptIds.length - 1;
    const live = Math.min(session.commonPrefixLength(promptIds), cap);
    let best: { state: SessionState; shared: number } | undefined;
    for (const state of this.#entries) {
      const shared = Math.min(commonPrefixLength(state.tokens, promptIds), cap);
      if (shared > live && shared > (best?.shared ?? 0)) best = { state, shared };
    }
    const held = this.#livePrompt;
    if (held && session.commonPrefixLength(held) === held.length && held.length > live) this.#keep(session, held);
    this.#livePrompt = undefined;
    if (best) {
      session.restore(best.state);
      this.#touch(best.state);
      this.#hits += 1;
    }
    return session.keepPrefix(promptIds, capacity);
  }

  /** Records that the session now holds the state of `promptIds` (after its prefill). */
  prefilled(promptIds: readonly number[]): void {
    this.#livePrompt = [...promptIds];
  }

  stats(): PromptStateCacheStats {
    return { entries: this.#entries.length, bytes: this.#bytes, maxBytes: this.maxBytes, hits: this.#hits };
  }

  /** Copies the session's state of `tokens` in, unless it is kept already or cannot fit. */
  #keep(session: LlamaSession, tokens: readonly number[]): void {
    const bytes = session.stateBytes(tokens.length);
    if (bytes > this.maxBytes) return;
    const kept = this.#entries.find((state) => state.tokens.length === tokens.length && commonPrefixLength(state.tokens, tokens) === tokens.length);
    if (kept) {
      this.#touch(kept);
      return;
    }
    while (this.#bytes + bytes > this.maxBytes) this.#bytes -= this.#entries.shift()!.bytes;
    this.#entries.push(session.snapshot(tokens.length));
    this.#bytes += bytes;
  }

  #touch(state: SessionState): void {
    this.#entries.splice(this.#entries.indexOf(state), 1);
    this.#entries.push(state);
  }
}

function commonPrefixLength(first: readonly number[], second: readonly number[]): number {
  const limit = Math.min(first.length, second.length);
  let shared = 0;
  while (shared < limit && first[shared] === second[shared]) shared += 1;
  return shared;
}
