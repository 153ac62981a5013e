/**
 * Lean prompts: does the extractive engine still find the answer when it reads only what a small
 * prompt token budget holds (sentence windows of the best-ranked passages) instead of the whole
 * retrieved chunks? XQuAD-de dev end to end as `beleg eval` runs it (lexical retrieval, top 10,
 * every quote presented (`minConfidence` 0: at the calibrated default threshold only ~2 % of
 * XQuAD's quotes are presented, bench/results/eval-xquad-de-dev-extractive.md, which would hide
 * any difference), the evaluator's own verification of every quote), once
 * per variant over the same ingested corpus, in one process.
 *
 * - `--split tune` (even articles, answerable cases only): the grid of budgets × passage sizes ×
 *   whole best chunks the defaults were chosen from. Written to bench/results/lean-prompt-tune.{json,md}.
 * - `--split test` (odd articles, answerable and unanswerable): the full prompt against the
 *   chosen settings at 2–3 budgets. Written to bench/results/lean-prompt.{json,md}.
 *
 * Run: npx tsx bench/lean-prompt/run.ts --split tune|test [--budgets 512,768,1024] [--passages 64,96,128] [--whole 0,1]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { createEngines } from '../../src/engine/create-engine.ts';
import { loadDataset } from '../../src/eval/load-dataset.ts';
import { runEval } from '../../src/eval/run-eval.ts';
import { DEFAULT_PASSAGE_TOKENS, DEFAULT_WHOLE_PASSAGES } from '../../src/retrieve/build-prompt.ts';
import { createLineTokenCounter } from '../../src/retrieve/count-prompt-tokens.ts';

const root = path.resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'test' },
    budgets: { type: 'string' },
    passages: { type: 'string' },
    whole: { type: 'string' },
  },
});
const split = values.split === 'tune' ? 'tune' : 'test';
const numbers = (text: string | undefined, fallback: number[]) => (text ? text.split(',').map(Number) : fallback);
const budgets = numbers(values.budgets, split === 'tune' ? [512, 768, 1024] : [512, 768, 1024]);
const passages = numbers(values.passages, split === 'tune' ? [64, 96, 128] : [DEFAULT_PASSAGE_TOKENS]);

const wholes = numbers(values.whole, split === 'tune' ? [0, 1] : [DEFAULT_WHOLE_PASSAGES]);
type Variant = { name: string; promptTokens?: number; passageTokens?: number; wholePassages?: number };
const variants: Variant[] = [{ name: 'full' }];
for (const budget of budgets) {
  for (const passage of passages) {
    for (const whole of wholes) variants.push({ name: `${budget}/${passage}/${whole}`, promptTokens: budget, passageTokens: passage, wholePassages: whole });
  }
}

const loaded = await loadDataset(path.join(root, 'eval/datasets/xquad-de-dev'));
// Tuning looks at answer recall only: the unanswerable twins would double the time and say nothing about it.
const dataset = split === 'tune' ? { ...loaded, cases: loaded.cases.filter((item) => item.answerable) } : loaded;
const dataDir = mkdtempSync(path.join(tmpdir(), 'beleg-bench-lean-prompt-'));
const config = loadConfig({}, { dataDir, engine: 'extractive' });
const context = await openAppContext(config, { embeddingModel: null });

type Row = {
  variant: string;
  promptTokens: number | null;
  passageTokens: number | null;
  wholePassages: number | null;
  cases: number;
  answerRecall: number | null;
  answerRecallInterval: [number, number] | null;
  answerPrecision: number | null;
  refusalRecall: number | null;
  falseRefusalRate: number | null;
  /** Recall at the lowest confidence threshold reaching precision 0.95 (null when none does). */
  recallAtPrecision95: number | null;
  meanPromptTokens: number | null;
  maxPromptTokens: number;
  /** Answerable cases whose gold answer this variant's quote holds and the full prompt's does not, and the reverse. */
  gainedOverFull: number;
  lostAgainstFull: number;
  /** Ids of the cases lost against the full prompt. */
  lostCaseIds: string[];
  durationS: number;
};
let fullContained: Map<string, boolean> | null = null;
const rows: Row[] = [];
// Usage in Llama-2 tokens (the engine counts words otherwise), counted line by line as prompts are.
const { engines, defaultEngine } = await createEngines(config, { tokenizer: createLineTokenCounter(context.tokenizer) });
try {
  for (const variant of variants) {
    const answerer = createAnswerService(context, engines, defaultEngine, {
      promptTokens: variant.promptTokens === undefined ? {} : { extractive: variant.promptTokens },
      passageTokens: variant.passageTokens,
      wholePassages: variant.wholePassages,
    });
    const report = await runEval({ ingestion: context.ingestion, answerer }, dataset, { engine: 'extractive', topK: 10, split, minConfidence: 0 });
    const metrics = report.metrics;
    const interval = report.confidence.answerRecall;
    const contained = new Map(report.cases.filter((item) => item.answerable).map((item) => [item.id, item.answerContained === true]));
    fullContained ??= contained;
    const differing = (from: boolean) => [...contained].filter(([id, value]) => value === !from && fullContained!.get(id) === from).length;
    const row: Row = {
      variant: variant.name,
      promptTokens: variant.promptTokens ?? null,
      passageTokens: variant.passageTokens ?? null,
      wholePassages: variant.wholePassages ?? null,
      cases: report.dataset.selectedCases,
      answerRecall: metrics.answerRecall,
      answerRecallInterval: interval ? [interval.low, interval.high] : null,
      answerPrecision: metrics.answerPrecision,
      refusalRecall: metrics.refusalRecall,
      falseRefusalRate: metrics.falseRefusalRate,
      recallAtPrecision95: metrics.confidenceAnalysis?.atTarget?.recall ?? null,
      meanPromptTokens: metrics.tokens.meanPromptTokens,
      maxPromptTokens: Math.max(0, ...report.cases.map((item) => item.usage?.promptTokens ?? 0)),
      gainedOverFull: differing(false),
      lostAgainstFull: differing(true),
      lostCaseIds: [...contained].filter(([id, value]) => !value && fullContained!.get(id) === true).map(([id]) => id),
      durationS: Math.round(report.run.durationMs / 1000),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  for (const engine of Object.values(engines)) await engine.dispose();
  await context.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const format = (value: number | null) => (value === null ? '—' : value.toFixed(3));
const table = [
  '| variant (budget/passage/whole) | cases | answer recall [95 % CI] | answer precision | recall at precision 0.95 | false refusals | mean prompt tokens | max prompt tokens | answers gained / lost vs full |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.variant} | ${row.cases} | ${format(row.answerRecall)} [${row.answerRecallInterval?.map(format).join(', ') ?? '—'}] | ${format(row.answerPrecision)} | ${format(row.recallAtPrecision95)} | ${format(row.falseRefusalRate)} | ${row.meanPromptTokens?.toFixed(0) ?? '—'} | ${row.maxPromptTokens} | +${row.gainedOverFull} / −${row.lostAgainstFull} |`,
  ),
].join('\n');
console.log(table);
const result = { dataset: 'xquad-de-dev', split, engine: 'extractive', topK: 10, loadAverage: loadavg(), date: new Date().toISOString(), rows };
const name = split === 'tune' ? 'lean-prompt-tune' : 'lean-prompt';
writeFileSync(path.join(root, 'bench/results', `${name}.json`), `${JSON.stringify(result, null, 1)}\n`);
const markdown = [
  `# Lean prompts: answer recall of the extractive engine on reduced sources (bench/lean-prompt/run.ts --split ${split})`,
  '',
  `${result.date}, XQuAD-de dev, ${split === 'tune' ? 'even articles (the tuning half), answerable cases only' : 'odd articles (held out), answerable and unanswerable cases'}; lexical retrieval, top 10, every quote presented (minConfidence 0), ` +
    'the evaluator verifying every quote against the stored text. A variant `B/P/W` holds the prompt to B tokens (Llama-2 tokenizer, without BOS), ' +
    'takes the W best-ranked chunks whole and every other chunk longer than P tokens as its sentence window (the sentence sharing most words with the question and its neighbours, whole sentences only), best-ranked first; ' +
    '`full` is the prompt as before (up to the context: 4,096 minus 384 for the answer). Answer recall: answerable cases whose gold answer lies inside the verified quote; ' +
    'recall at precision 0.95: at the lowest confidence threshold reaching it (unstable here: few quotes reach it). ' +
    `Gained / lost: answerable cases this variant answers correctly and the full prompt does not, and the reverse. Load average ${result.loadAverage.map((value) => value.toFixed(1)).join(' / ')}.`,
  '',
  table,
  '',
].join('\n');
writeFileSync(path.join(root, 'bench/results', `${name}.md`), markdown);
