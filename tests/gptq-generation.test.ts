/**
 * Text generation with the GPTQ engine on the real fixture checkpoint: the LanguageModel
 * contract (doGenerate/doStream), greedy output equal to transformers' continuation, seeded
 * sampling, stop strings, streaming that never splits a character, cancellation, the token mask.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GptqLanguageModel } from '../src/engine/gptq/gptq-language-model.ts';
import { TextStream } from '../src/engine/gptq/text-stream.ts';
import type { GroundedPrompt, StreamPart } from '../src/engine/language-model.ts';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const reference = JSON.parse(readFileSync(path.join(FIXTURE, 'reference.json'), 'utf8')) as {
  prompts: Array<{ name: string; text: string; input_ids: number[]; greedy: { new_tokens: number[] } }>;
};
const sport = reference.prompts.find((prompt) => prompt.name === 'em_german_sport')!;
const prompt = (text: string): GroundedPrompt => ({ text, question: text, sources: [] });

describe('GptqLanguageModel', () => {
  let cacheDir: string;
  let model: GptqLanguageModel;
  let constraintCalls = 0;

  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-gptq-generation-'));
    model = await GptqLanguageModel.load({
      modelDir: FIXTURE,
      cacheDir,
      threads: 1,
      createTokenMask: (_prompt, _constraint, tokenizer) => {
        constraintCalls++;
        const allowed = Int32Array.from([tokenizer.encode('Ja', { addBos: false })[0], tokenizer.eosId]);
        return { allowed: (generated) => (generated.length >= 3 ? new Int32Array(0) : allowed) };
      },
    });
  });
  afterAll(async () => {
    await model?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('encodes the prompt with BOS and continues greedily exactly like transformers', async () => {
    expect(model.engine).toBe('gptq');
    const result = await model.doGenerate({ prompt: prompt(sport.text), maxNewTokens: 24, sampling: { kind: 'greedy' } });
    const expectedTokens = sport.greedy.new_tokens;
    const eos = expectedTokens.indexOf(2);
    const expected = eos === -1 ? expectedTokens : expectedTokens.slice(0, eos);
    expect(result.usage).toEqual({ promptTokens: sport.input_ids.length, completionTokens: expected.length });
    expect(result.text).toBe(model.tokenizer.decode(expected));
    expect(result.finishReason).toBe(eos === -1 ? 'length' : 'stop');
    expect(result.timings!.prefillMs).toBeGreaterThan(0);
  });

  it('streams deltas that add up to the final text and contain no broken characters', async () => {
    const parts: StreamPart[] = [];
    for await (const part of model.doStream({ prompt: prompt('Grüße aus Köln 🙂'), maxNewTokens: 30, sampling: { kind: 'greedy' } })) parts.push(part);
    const deltas = parts.filter((part) => part.type === 'text-delta').map((part) => part.text);
    const finish = parts.at(-1)!;
    expect(finish.type).toBe('finish');
    if (finish.type !== 'finish') return;
    expect(deltas.join('')).toBe(finish.text);
    for (const delta of deltas) expect(delta).not.toMatch(/\uFFFD|[\uD800-\uDBFF]$/);
  });

  it('reproduces a sampled generation from its seed and changes with the seed', async () => {
    const options = { kind: 'sample' as const, temperature: 0.7, topP: 0.95, topK: 40, repetitionPenalty: 1.1 };
    const run = (seed: number) => model.doGenerate({ prompt: prompt(sport.text), maxNewTokens: 16, sampling: { ...options, seed } });
    const [first, again, other] = [await run(1), await run(1), await run(2)];
    expect(again.text).toBe(first.text);
    expect(other.text).not.toBe(first.text);
  });

  it('stops at a stop string and leaves it out', async () => {
    const full = await model.doGenerate({ prompt: prompt(sport.text), maxNewTokens: 24, sampling: { kind: 'greedy' } });
    const stop = full.text.slice(10, 14);
    const cut = await model.doGenerate({ prompt: prompt(sport.text), maxNewTokens: 24, sampling: { kind: 'greedy' }, stop: [stop] });
    expect(cut.finishReason).toBe('stop');
    expect(cut.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    for await (const part of model.doStream({ prompt: prompt(sport.text), maxNewTokens: 200, sampling: { kind: 'greedy' }, signal: controller.signal })) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    const finish = parts.at(-1)!;
    expect(finish.type === 'finish' && finish.finishReason).toBe('cancelled');
    expect(finish.type === 'finish' && finish.usage.completionTokens).toBeLessThan(10);
  });

  it('stops generating when the reader goes away, and the next request runs normally', async () => {
    // Count decoded steps: the stream decodes once per generated token.
    const decode = model.tokenizer.decode.bind(model.tokenizer);
    let decodedSteps = 0;
    model.tokenizer.decode = (ids, options) => {
      decodedSteps++;
      return decode(ids, options);
    };
    try {
      let seen = 0;
      for await (const part of model.doStream({ prompt: prompt(sport.text), maxNewTokens: 400, sampling: { kind: 'greedy' } })) {
        if (part.type === 'text-delta' && ++seen === 2) break;
      }
      // Generations run one at a time, so this resolves only after the abandoned one has ended.
      const next = await model.generateTokens({ promptIds: sport.input_ids, maxNewTokens: 3 });
      expect(next.tokens).toEqual(sport.greedy.new_tokens.slice(0, 3));
      expect(decodedSteps).toBeLessThan(10);
    } finally {
      model.tokenizer.decode = decode;
    }
  });

  it('restricts tokens with the mask and stops when the mask allows nothing', async () => {
    const allowed = new Set([3869, 5]);
    const result = await model.generateTokens({
      promptIds: sport.input_ids,
      maxNewTokens: 10,
      mask: { allowed: (generated) => (generated.length >= 4 ? new Int32Array(0) : Int32Array.from(allowed)) },
    });
    expect(result.tokens.length).toBe(4);
    expect(result.tokens.every((token) => allowed.has(token))).toBe(true);
    expect(result.finishReason).toBe('stop');
  });

  it("refuses a prompt longer than the model's context with a clear error", async () => {
    const promptIds = [1, ...Array.from({ length: 4096 }, () => 450)];
    await expect(model.generateTokens({ promptIds, maxNewTokens: 1 })).rejects.toThrow(/4097 tokens; this model reads at most 4095/);
  });

  it('compiles a quote constraint through the injected token-mask factory', async () => {
    const result = await model.doGenerate({
      prompt: prompt(sport.text),
      maxNewTokens: 10,
      sampling: { kind: 'greedy' },
      constraint: { kind: 'quote-or-refusal', refusal: 'Nein.' },
    });
    expect(constraintCalls).toBe(1);
    expect(result.text.replaceAll('Ja', '')).toBe('');
    expect(result.usage.completionTokens).toBeLessThanOrEqual(3);
  });
});

describe('TextStream', () => {
  it('never emits half of a multi-byte character', () => {
    const tokenizer = LlamaTokenizer.fromDirectory(FIXTURE);
    const text = 'Straße 🙂 naïve 東京';
    const ids = tokenizer.encode(text, { addBos: false });
    const stream = new TextStream((part) => tokenizer.decode(part));
    const deltas: string[] = [];
    for (let count = 1; count <= ids.length; count++) deltas.push(stream.update(ids.slice(0, count)));
    deltas.push(stream.flush());
    expect(deltas.join('')).toBe(text);
    for (const delta of deltas) expect(delta).not.toMatch(/\uFFFD/);
    expect(deltas.filter((delta) => delta === '').length).toBeGreaterThan(0);
  });
});
