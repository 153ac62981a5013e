/**
 * Cost of the quote mask per decode step (src/engine/constrain), on realistic prompts: five
 * paragraphs of one XQuAD-de article as sources (one prompt per article, 24 prompts).
 *
 * Two "models" drive the generation:
 * - quoting: feeds the tokenizer's own spelling of a valid answer (the extractive engine's choice),
 *   i.e. what a model that quotes does;
 * - random: picks uniformly among the allowed ids (seeded), exploring unusual paths.
 * Reports the one-time vocabulary trie build, the per-prompt automaton compile, and ms per
 * `allowed()` call (first step, where every sentence start is open, and later steps).
 *
 * Run: npx tsx bench/constrain/run.ts
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { splitSentences } from '../../src/ingest/split-sentences.ts';
import { REFUSAL, type GroundedPrompt, type PromptSource, type QuoteConstraint } from '../../src/engine/language-model.ts';
import { createQuoteMask } from '../../src/engine/constrain/create-quote-mask.ts';
import { compileQuoteAutomaton } from '../../src/engine/constrain/quote-automaton.ts';
import { vocabularyTrie } from '../../src/engine/constrain/vocabulary-trie.ts';
import { ExtractiveLanguageModel } from '../../src/engine/extractive/extractive-language-model.ts';
import { LlamaTokenizer } from '../../src/engine/tokenizer/llama-tokenizer.ts';
import { seededRandom as random } from '../../src/eval/bootstrap.ts';

/**
 * Assumed time of one 13B GPTQ decode step on a GPU (batch 1, 4-bit, a few thousand tokens of
 * context): about 20 ms. On a CPU a step takes seconds, so the share there is far smaller.
 */
const ASSUMED_13B_STEP_MS = 20;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataset = JSON.parse(readFileSync(path.resolve(root, '../shared/datasets/xquad-de-dev/xquad.de.dev.json'), 'utf8')) as {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }>;
};
const tokenizer = LlamaTokenizer.fromDirectory();
const constraint: QuoteConstraint = { kind: 'quote-or-refusal', refusal: REFUSAL };

let started = performance.now();
vocabularyTrie(tokenizer);
const trieBuildMs = performance.now() - started;

const compileMs: number[] = [];
const firstStepMs: number[] = [];
const laterStepMs: number[] = [];
const promptTokens: number[] = [];
const allowedCounts: number[] = [];
const next = random(7);
const extractive = new ExtractiveLanguageModel({ minConfidence: 0 });

for (const article of dataset.data) {
  const sources: PromptSource[] = article.paragraphs.slice(0, 5).map((paragraph, index) => ({
    text: paragraph.context,
    metadata: `Titel: ${article.title} (${index})`,
    citation: `Titel: ${article.title} (${index})`,
    sentences: splitSentences(paragraph.context).map((span) => ({ start: span.charStart, end: span.charEnd })),
  }));
  const question = article.paragraphs[0]!.qas[0]!.question;
  const prompt: GroundedPrompt = { text: sources.map((source) => source.text).join('\n\n') + `\nUSER: ${question} ASSISTANT:`, question, sources };
  promptTokens.push(tokenizer.count(prompt.text));

  started = performance.now();
  compileQuoteAutomaton(prompt, constraint);
  compileMs.push(performance.now() - started);

  // quoting model: the natural tokens of a valid answer
  const answer = extractive.decide(prompt).text;
  const quoting = createQuoteMask(prompt, constraint, tokenizer);
  const ids = tokenizer.encode(answer, { addBos: false }); // Llama prepends `▁`: one leading space
  for (let step = 0; step <= ids.length; step += 1) {
    started = performance.now();
    const allowed = quoting.allowed(ids.slice(0, step));
    const elapsed = performance.now() - started;
    (step === 0 ? firstStepMs : laterStepMs).push(elapsed);
    allowedCounts.push(allowed.length);
    if (step < ids.length && !allowed.includes(ids[step]!)) throw new Error(`The mask refused a valid answer at step ${step}: ${answer}`);
  }

  // random model
  const randomMask = createQuoteMask(prompt, constraint, tokenizer);
  const generated: number[] = [];
  for (let step = 0; step < 400; step += 1) {
    started = performance.now();
    const allowed = randomMask.allowed(generated);
    const elapsed = performance.now() - started;
    (step === 0 ? firstStepMs : laterStepMs).push(elapsed);
    const id = allowed[Math.floor(next() * allowed.length)]!;
    if (id === tokenizer.eosId) break;
    generated.push(id);
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const percentile = (values: number[], p: number) => sorted(values)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const round = (value: number) => Math.round(value * 1000) / 1000;

const result = {
  prompts: dataset.data.length,
  sourcesPerPrompt: 5,
  promptTokensMean: Math.round(mean(promptTokens)),
  trieBuildMs: round(trieBuildMs),
  compileMsMean: round(mean(compileMs)),
  firstStep: { calls: firstStepMs.length, meanMs: round(mean(firstStepMs)), p99Ms: round(percentile(firstStepMs, 99)), maxMs: round(Math.max(...firstStepMs)) },
  laterSteps: {
    calls: laterStepMs.length,
    meanMs: round(mean(laterStepMs)),
    p50Ms: round(percentile(laterStepMs, 50)),
    p99Ms: round(percentile(laterStepMs, 99)),
    maxMs: round(Math.max(...laterStepMs)),
  },
  allowedIdsMean: Math.round(mean(allowedCounts) * 10) / 10,
  assumed13bStepMs: ASSUMED_13B_STEP_MS,
  laterStepsShareOf13bStepPercent: round((100 * mean(laterStepMs)) / ASSUMED_13B_STEP_MS),
  firstStepShareOf13bStepPercent: round((100 * mean(firstStepMs)) / ASSUMED_13B_STEP_MS),
};

console.log(`quote mask over ${result.prompts} prompts of 5 XQuAD paragraphs (~${result.promptTokensMean} tokens)`);
console.log(`trie build (once per tokenizer): ${result.trieBuildMs} ms; automaton compile per prompt: ${result.compileMsMean} ms`);
console.log('step        | calls | mean ms | p50 ms | p99 ms | max ms');
console.log(`first       | ${String(result.firstStep.calls).padStart(5)} | ${String(result.firstStep.meanMs).padStart(7)} |        | ${String(result.firstStep.p99Ms).padStart(6)} | ${result.firstStep.maxMs}`);
console.log(`later       | ${String(result.laterSteps.calls).padStart(5)} | ${String(result.laterSteps.meanMs).padStart(7)} | ${String(result.laterSteps.p50Ms).padStart(6)} | ${String(result.laterSteps.p99Ms).padStart(6)} | ${result.laterSteps.maxMs}`);
console.log(`share of an assumed ${ASSUMED_13B_STEP_MS} ms 13B step: later ${result.laterStepsShareOf13bStepPercent}%, first ${result.firstStepShareOf13bStepPercent}%`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/constrain.json'), JSON.stringify(result, null, 2) + '\n');
