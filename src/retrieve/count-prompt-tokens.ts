/**
 * Fast, exact Llama-2 token counts for prompts that are assembled again and again.
 *
 * Llama-2's tokenizer has no pre-tokenizer: the whole prompt is one "word" to BPE, and counting a
 * 4,000-token prompt takes a noticeable fraction of a second. But its vocabulary has no token that
 * spans a line break (`\n` is the byte token `<0x0A>`), so a text's count is the sum of its lines'
 * counts: the first line as is, every further line counted as `"\n" + line` minus the `▁` the
 * normalizer puts at the start of every text. Line counts are cached, so re-counting a prompt with
 * one more source costs only that source's new lines.
 *
 * The line rule is checked once against a whole-text count; a tokenizer for which it does not hold
 * (another vocabulary) is counted whole every time.
 */
/** Anything that counts Llama-2 tokens without BOS (LlamaTokenizer does). */
export type TokenCounter = { count(text: string): number };

const PROBE = 'Du bist ein Assistent. USER: BEGININPUT\nBEGINCONTEXT\nUrl: https://example.org/ä\nENDCONTEXT\n  Text mit Leerzeichen \n\nENDINPUT\nBEGININSTRUCTION Frage? ENDINSTRUCTION ASSISTANT:';

/** Wraps `tokenizer` with per-line counting and a cache; exact for Llama-2-style vocabularies. */
export function createLineTokenCounter(tokenizer: TokenCounter, cacheLimit = 20_000): TokenCounter {
  const cache = new Map<string, number>();
  const cached = (text: string) => {
    let count = cache.get(text);
    if (count === undefined) {
      count = tokenizer.count(text);
      if (cache.size >= cacheLimit) cache.clear();
      cache.set(text, count);
    }
    return count;
  };
  const newlineExtra = tokenizer.count('\n') - 1; // the `▁` prepended to a text starting with "\n"
  const byLines = (text: string) => {
    const lines = text.split('\n');
    let total = lines[0] === '' ? (lines.length > 1 ? 1 : 0) : cached(lines[0]!);
    for (let index = 1; index < lines.length; index += 1) total += cached(`\n${lines[index]}`) - newlineExtra;
    return total;
  };
  if (newlineExtra !== 1 || byLines(PROBE) !== tokenizer.count(PROBE)) return tokenizer;
  return { count: byLines };
}
