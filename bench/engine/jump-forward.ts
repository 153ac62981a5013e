/**
 * Model runs per answer with and without jump-forward decoding, on xquad-de-dev questions of odd
 * articles (the reporting half), with the tiny GPTQ fixture (random weights: what it picks is
 * meaningless, but forced text is forced for any model). Each question's prompt is the real
 * prompt builder's over the question's paragraph and the next paragraph of its article (two
 * sources). Greedy decoding, and sampling (temperature 1.5, so that the model also quotes; the
 * greedy random model mostly refuses). Writes bench/results/jump-forward.{json,md}.
 *
 *   npx tsx bench/engine/jump-forward.ts [questions=60]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createQuoteMask } from '../../src/engine/constrain/create-quote-mask.ts';
import { GptqLanguageModel } from '../../src/engine/gptq/gptq-language-model.ts';
import { REFUSAL, type SamplingOptions } from '../../src/engine/language-model.ts';
import { splitSentences } from '../../src/ingest/split-sentences.ts';
import { buildGroundedPrompt } from '../../src/retrieve/build-prompt.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const QUESTIONS = Number(process.argv[2] ?? 60);

type Squad = { data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }> };
const dataset = JSON.parse(readFileSync('eval/datasets/xquad-de-dev/xquad.de.dev.json', 'utf8')) as Squad;

const chunkOf = (id: string, text: string) => ({
  chunk: {
    id: `${id}-0`,
    documentId: id,
    ordinal: 0,
    text,
    charStart: 0,
    charEnd: text.length,
    page: null,
    headingPath: null,
    tokenCount: 0,
    sentenceOffsets: splitSentences(text).flatMap((span) => [span.charStart, span.charEnd]),
  },
  document: { id, title: id, url: null, fileName: null },
  score: 1,
});

const cases: Array<{ question: string; chunks: ReturnType<typeof chunkOf>[] }> = [];
dataset.data.forEach((article, articleIndex) => {
  if (articleIndex % 2 === 0) return;
  article.paragraphs.forEach((paragraph, paragraphIndex) => {
    const next = article.paragraphs[(paragraphIndex + 1) % article.paragraphs.length]!;
    for (const qa of paragraph.qas.slice(0, 1)) {
      cases.push({ question: qa.question, chunks: [chunkOf(`${article.title} ${paragraphIndex}`, paragraph.context), chunkOf(`${article.title} ${paragraphIndex + 1}`, next.context)] });
    }
  });
});

const cacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-bench-jump-'));
const model = await GptqLanguageModel.load({ modelDir: FIXTURE, cacheDir, threads: 1, createTokenMask: createQuoteMask });
type Run = { passes: number; forced: number; tokens: number; text: string; quote: boolean; ms: number };
const rows: Array<{ sampling: string; stepwise: Run; jumping: Run }> = [];
for (const [index, item] of cases.slice(0, QUESTIONS).entries()) {
  const prompt = buildGroundedPrompt({ question: item.question, chunks: item.chunks, tokenizer: model.tokenizer, contextTokens: 4096, maxNewTokens: 200 });
  for (const sampling of [{ kind: 'greedy' }, { kind: 'sample', temperature: 1.5, topP: 1, topK: 50, repetitionPenalty: 1, seed: 7000 + index }] as SamplingOptions[]) {
    const run = async (jumpForward: boolean): Promise<Run> => {
      const started = performance.now();
      const result = await model.generateTokens({
        promptIds: model.tokenizer.encode(prompt.text),
        maxNewTokens: 200,
        sampling,
        mask: createQuoteMask(prompt, { kind: 'quote-or-refusal', refusal: REFUSAL }, model.tokenizer),
        jumpForward,
      });
      const text = model.tokenizer.decode(result.tokens).trim();
      return { passes: result.forwardPasses, forced: result.forcedTokens, tokens: result.tokens.length, text, quote: text !== REFUSAL, ms: performance.now() - started };
    };
    rows.push({ sampling: sampling.kind, stepwise: await run(false), jumping: await run(true) });
  }
}
await model.dispose();
rmSync(cacheDir, { recursive: true, force: true });

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const summary = Object.fromEntries(
  ['greedy', 'sample'].map((kind) => {
    const selected = rows.filter((row) => row.sampling === kind);
    const stats = (pick: (row: (typeof rows)[number]) => number) => {
      const values = selected.map(pick);
      return { mean: Number(mean(values).toFixed(2)), p95: quantile(values, 0.95) };
    };
    return [
      kind,
      {
        answers: selected.length,
        quotes: selected.filter((row) => row.jumping.quote).length,
        sameText: selected.filter((row) => row.jumping.text === row.stepwise.text).length,
        // Token by token, the random model often spends the 200 new tokens on a long quote in tiny pieces and is cut off.
        stepwiseCutOff: selected.filter((row) => row.stepwise.tokens >= 200).length,
        sameTextWhereStepwiseFinished: selected.filter((row) => row.stepwise.tokens < 200 && row.jumping.text === row.stepwise.text).length,
        forwardPassesStepwise: stats((row) => row.stepwise.passes),
        forwardPassesJumpForward: stats((row) => row.jumping.passes),
        forcedTokens: stats((row) => row.jumping.forced),
        neverMorePasses: selected.every((row) => row.jumping.passes <= row.stepwise.passes),
      },
    ];
  }),
);
const result = { model: 'tiny-llama-gptq-4bit-32g-actorder (random weights)', dataset: 'xquad-de-dev, odd articles, first question per paragraph', questions: Math.min(QUESTIONS, cases.length), summary };
writeFileSync('bench/results/jump-forward.json', `${JSON.stringify(result, null, 2)}\n`);
const lines = [
  '# Jump-forward decoding: model runs per answer',
  '',
  `${result.questions} questions (${result.dataset}), prompt from the real prompt builder over the question's paragraph and the next one; ${result.model}. Greedy (sampling differs: forced tokens skip the sampler, so seeded runs diverge; only greedy answers are compared as text).`,
  '',
  '| decoding | answers | quotes | same text as token by token (token by token cut off at 200 tokens; same text where it finished) | model runs token by token (mean / p95) | with jump-forward (mean / p95) | forced tokens (mean / p95) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...Object.entries(summary).map(
    ([kind, value]) =>
      `| ${kind} | ${value.answers} | ${value.quotes} | ${kind === 'greedy' ? `${value.sameText} (${value.stepwiseCutOff}; ${value.sameTextWhereStepwiseFinished} of ${value.answers - value.stepwiseCutOff})` : '—'} | ${value.forwardPassesStepwise.mean} / ${value.forwardPassesStepwise.p95} | ${value.forwardPassesJumpForward.mean} / ${value.forwardPassesJumpForward.p95} | ${value.forcedTokens.mean} / ${value.forcedTokens.p95} |`,
  ),
  '',
];
writeFileSync('bench/results/jump-forward.md', lines.join('\n'));
console.log(lines.join('\n'));
