import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LlamaTokenizer } from '../engine/tokenizer/llama-tokenizer.ts';
import { createLineTokenCounter } from './count-prompt-tokens.ts';

describe('createLineTokenCounter', () => {
  const tokenizer = LlamaTokenizer.fromDirectory();
  const counter = createLineTokenCounter(tokenizer);

  it('counts exactly what the Llama-2 tokenizer counts for whole texts', () => {
    const reference = JSON.parse(
      readFileSync(new URL('../../tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder/reference.json', import.meta.url), 'utf8'),
    ) as { prompts: Array<{ text: string; input_ids: number[] }> };
    const texts = [
      ...reference.prompts.map((prompt) => prompt.text),
      'a\n b',
      'a\n\nb',
      'a \nb',
      '\n\n',
      'x\n  \n y ',
      '\nAnfang mit Umbruch',
      'Straße\nÄrger\n\t Tab\n😀 Emoji\n',
      '',
    ];
    for (const text of texts) expect(counter.count(text), JSON.stringify(text)).toBe(tokenizer.count(text));
    expect(counter.count(reference.prompts[0]!.text)).toBe(reference.prompts[0]!.input_ids.length - 1); // without BOS
  });

  it('falls back to whole-text counting when lines do not add up', () => {
    // A made-up vocabulary in which a blank line is one token.
    const merging = { count: (text: string) => text.replaceAll('\n\n', '¶').length };
    const fallback = createLineTokenCounter(merging);
    expect(fallback).toBe(merging);
  });
});
