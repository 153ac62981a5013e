/**
 * The hook through which the answer layer restricts a local engine's next token.
 * Before each decode step the engine asks `allowed(generated)`; it returns the token ids
 * allowed next (the engine sets every other logit to -Infinity), or null for no restriction.
 * An empty array means nothing may follow: the engine must stop.
 */
export interface TokenMask {
  allowed(generated: readonly number[]): Int32Array | null;
  /**
   * Tokens the output must continue with after `generated`, whatever the model prefers (e.g. the
   * rest of a quoted sentence), tokenised canonically; empty when the model has a choice. Masks
   * that cannot tell leave it out. Used for jump-forward decoding (generate-tokens.ts).
   */
  forcedTokens?(generated: readonly number[]): number[];
}
