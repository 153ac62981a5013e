/**
 * How far each MatMulNBits accuracy level lands from transformers on the real AutoGPTQ fixture
 * (tests/fixtures/gptq, reference.json): worst last-position logit difference, per-position
 * argmax agreement (all positions and those with a margin above 0.05) and whether the greedy
 * continuation is identical. Used by bench/engine/run.ts to put a measured accuracy next to
 * each level's speed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { convertCheckpoint } from '../../src/engine/gptq/convert-checkpoint.ts';
import { LlamaSession } from '../../src/engine/gptq/llama-session.ts';

const referenceSchema = z.object({
  prompts: z.array(
    z.object({
      name: z.string(),
      input_ids: z.array(z.number().int()),
      argmax: z.array(z.number().int()),
      argmax_margin: z.array(z.number()),
      last_logits: z.array(z.number()),
      greedy: z.object({ new_tokens: z.array(z.number().int()) }),
    }),
  ),
});

export type AccuracyResult = {
  accuracyLevel: number;
  maxLastLogitDifference: number;
  argmaxAgreement: number;
  argmaxAgreementWhereMarginAbove005: number;
  greedyContinuationsIdentical: string;
};

function argmax(values: Float32Array, start: number, length: number): number {
  let best = 0;
  for (let index = 1; index < length; index++) if (values[start + index] > values[start + best]) best = index;
  return best;
}

/** Compares the engine at `accuracyLevel` with transformers' reference outputs in `fixture`. */
export async function measureAccuracy(
  fixture: string,
  accuracyLevel: number,
  graphOptimizationLevel?: Parameters<typeof LlamaSession.open>[2] extends infer O ? (O extends { graphOptimizationLevel?: infer L } ? L : never) : never,
): Promise<AccuracyResult> {
  const reference = referenceSchema.parse(JSON.parse(readFileSync(path.join(fixture, 'reference.json'), 'utf8')));
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-accuracy-'));
  const converted = await convertCheckpoint(fixture, { cacheDir, accuracyLevel });
  const session = await LlamaSession.open(converted.modelPath, converted.config.shape, { threads: 1, graphOptimizationLevel });
  const vocab = converted.config.shape.vocabSize;
  let worst = 0;
  let agree = 0;
  let positions = 0;
  let clearAgree = 0;
  let clearPositions = 0;
  let identical = 0;
  try {
    for (const prompt of reference.prompts) {
      session.reset();
      const logits = await session.forward(prompt.input_ids, { allPositions: true });
      prompt.argmax.forEach((expected, position) => {
        const same = argmax(logits, position * vocab, vocab) === expected;
        positions++;
        if (same) agree++;
        if (prompt.argmax_margin[position] > 0.05) {
          clearPositions++;
          if (same) clearAgree++;
        }
      });
      const lastStart = (prompt.input_ids.length - 1) * vocab;
      prompt.last_logits.forEach((value, token) => (worst = Math.max(worst, Math.abs(logits[lastStart + token] - value))));
      session.reset();
      let next = await session.forward(prompt.input_ids);
      const generated: number[] = [];
      for (let step = 0; step < prompt.greedy.new_tokens.length; step++) {
        generated.push(argmax(next, 0, vocab));
        next = await session.forward([generated[step]]);
      }
      if (generated.join(',') === prompt.greedy.new_tokens.join(',')) identical++;
    }
  } finally {
    await session.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return {
    accuracyLevel,
    maxLastLogitDifference: worst,
    argmaxAgreement: agree / positions,
    argmaxAgreementWhereMarginAbove005: clearAgree / clearPositions,
    greedyContinuationsIdentical: `${identical} of ${reference.prompts.length}`,
  };
}
