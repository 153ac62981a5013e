/**
 * Prompt states kept beyond the last answer (src/engine/gptq/prompt-state-cache.ts): people taking
 * turns over different sources each resume their own prompt instead of reading it again, what is
 * generated stays what a fresh session generates, and the memory bound holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { GptqLanguageModel } from '../src/engine/gptq/gptq-language-model.ts';
import { convertCheckpoint } from '../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../src/engine/gptq/llama-session.ts';
import { REFUSAL, type GroundedPrompt } from '../src/engine/language-model.ts';
import { promptOf } from './helpers/quote-prompts.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');

/** The same sources with another question (a follow-up). */
function askedAgain(prompt: GroundedPrompt, question: string): GroundedPrompt {
  return { ...prompt, question, text: prompt.text.replace(`BEGININSTRUCTION ${prompt.question} ENDINSTRUCTION`, `BEGININSTRUCTION ${question} ENDINSTRUCTION`) };
}

describe('prompt states kept by the GPTQ engine', () => {
  let cacheDir: string;
  const models: GptqLanguageModel[] = [];
  const load = async (promptCacheBytes: number) => {
    const model = await GptqLanguageModel.load({ modelDir: FIXTURE, cacheDir, threads: 1, createTokenMask: createQuoteMask, promptCacheBytes });
    models.push(model);
    return model;
  };
  beforeAll(() => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-prompt-states-'));
  });
  afterAll(async () => {
    for (const model of models) await model.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const generate = (model: GptqLanguageModel, prompt: GroundedPrompt, prefixCache = true) =>
    model.generateTokens({
      promptIds: model.tokenizer.encode(prompt.text),
      maxNewTokens: 40,
      sampling: { kind: 'greedy' },
      mask: createQuoteMask(prompt, { kind: 'quote-or-refusal', refusal: REFUSAL }, model.tokenizer),
      prefixCache,
    });

  it('lets people taking turns resume their own sources and generates what a fresh session generates', async () => {
    const kept = await load(64 * 1024 * 1024);
    const plain = await load(0);
    // Four people over four different pairs of sources, each asking twice, taking turns.
    const people = [1, 2, 3, 5].map((index) => promptOf(index));
    const followUps = people.map((prompt) => askedAgain(prompt, 'Und was noch?'));
    let keptReuse = 0;
    let plainReuse = 0;
    for (const prompt of people) {
      await generate(kept, prompt);
      await generate(plain, prompt);
    }
    for (const [index, followUp] of followUps.entries()) {
      const fresh = await generate(plain, followUp, false);
      // Someone else asked in between: the kept state of this person's first prompt is restored.
      await generate(kept, people[(index + 1) % people.length]!);
      await generate(plain, people[(index + 1) % people.length]!);
      const resumed = await generate(kept, followUp);
      const ids = kept.tokenizer.encode(followUp.text);
      const head = kept.tokenizer.encode(people[index]!.text);
      let shared = 0;
      while (ids[shared] === head[shared]) shared += 1;
      expect(resumed.reusedPromptTokens).toBe(shared);
      expect(resumed.tokens).toEqual(fresh.tokens);
      keptReuse += resumed.reusedPromptTokens;
      // Without kept states only the shared system text is reused.
      plainReuse += (await generate(plain, followUp)).reusedPromptTokens;
    }
    expect(keptReuse).toBeGreaterThan(2 * plainReuse);
    expect(kept.promptCacheStats()!.hits).toBeGreaterThanOrEqual(followUps.length);
  }, 300_000);

  it('holds no more than its memory budget and drops the least recently used prompt first', async () => {
    const prompts = [0, 1, 2, 3].map((index) => promptOf(index));
    const probe = await load(0);
    const lengths = prompts.map((prompt) => probe.tokenizer.encode(prompt.text).length);
    const bytesPerToken = 2 * probe.config.shape.layers * probe.config.shape.kvHeads * probe.config.shape.headDim * 4;
    // Room for the two longest prompts' states, not three.
    const sorted = [...lengths].sort((first, second) => second - first);
    const budget = (sorted[0]! + sorted[1]!) * bytesPerToken;
    const model = await load(budget);
    for (const prompt of prompts) await generate(model, prompt);
    // States of prompts 0..2 were copied out as the next one came; at most two fit.
    const stats = model.promptCacheStats()!;
    expect(stats.bytes).toBeLessThanOrEqual(budget);
    expect(stats.entries).toBe(2);
    // Prompt 0's state was dropped first, so asking it again reads it again (only the system text reused) ...
    const ids = prompts.map((prompt) => model.tokenizer.encode(prompt.text));
    const again = await generate(model, prompts[0]!);
    expect(again.reusedPromptTokens).toBeLessThan(ids[0]!.length / 2);
    // ... while prompt 2's state was kept: asked again it reads only its last token.
    const kept = await generate(model, prompts[2]!);
    expect(kept.reusedPromptTokens).toBe(ids[2]!.length - 1);
    expect(model.promptCacheStats()!.bytes).toBeLessThanOrEqual(budget);

    // A budget smaller than one prompt keeps nothing.
    const tiny = await load(bytesPerToken);
    for (const prompt of prompts) await generate(tiny, prompt);
    expect(tiny.promptCacheStats()).toMatchObject({ entries: 0, bytes: 0 });
  }, 300_000);

  it('restores a copied cache bit for bit: the next logits equal those of the session that was never overwritten', async () => {
    const converted = await convertCheckpoint(FIXTURE, { cacheDir });
    const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1 });
    try {
      const tokenizer = models[0]!.tokenizer;
      const head = tokenizer.encode(promptOf(4).text);
      const other = tokenizer.encode(promptOf(7).text);
      const tail = tokenizer.encode(' Und was noch?').slice(1);
      session.reset();
      await session.forward(head);
      const state = session.snapshot(head.length);
      const expected = await session.forward(tail);
      session.reset();
      await session.forward(other);
      session.restore(state);
      expect(session.length).toBe(head.length);
      const restored = await session.forward(tail);
      expect(restored).toEqual(expected);
      // A snapshot is a copy: writing after the restore does not change it.
      session.restore(state);
      expect(await session.forward(tail)).toEqual(expected);
    } finally {
      await session.dispose();
    }
  }, 120_000);
});
