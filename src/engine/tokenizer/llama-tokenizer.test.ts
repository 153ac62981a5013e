import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LlamaTokenizer } from './llama-tokenizer.ts';

describe('LlamaTokenizer (bundled Llama-2 tokenizer)', () => {
  const tokenizer = LlamaTokenizer.fromDirectory();

  it('encodes German text with BOS and round-trips it', () => {
    const text = 'Hallo Welt! Grüße aus Düsseldorf, Straße 5,6 %.';
    const ids = tokenizer.encode(text);
    expect(ids[0]).toBe(1);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.count(text)).toBe(ids.length - 1);
  });

  it('gives the reference ids (llama-tokenizer-js) for every prompt of the GPTQ fixture', () => {
    const reference = JSON.parse(readFileSync(new URL('../../../tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder/reference.json', import.meta.url), 'utf8')) as {
      prompts: Array<{ name: string; text: string; input_ids: number[] }>;
    };
    expect(reference.prompts.length).toBe(4);
    for (const prompt of reference.prompts) {
      expect(tokenizer.encode(prompt.text), prompt.name).toEqual(prompt.input_ids);
    }
  });

  it('knows BOS and EOS', () => {
    expect(tokenizer.bosId).toBe(1);
    expect(tokenizer.eosId).toBe(2);
    expect(tokenizer.vocabSize).toBe(32000);
  });
});
