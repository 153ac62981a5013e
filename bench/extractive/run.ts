/**
 * Extractive engine on XQuAD-de dev (../shared/datasets/xquad-de-dev).
 *
 * answerable:    each question with its gold paragraph as the only source; a hit is a chosen quote
 *                that contains a gold answer. Refusals count as misses (false refusals).
 * with siblings: the gold paragraph plus the other paragraphs of its article as sources (harder:
 *                the quote must come from the right paragraph and contain the answer).
 * unanswerable:  the question against the sibling paragraphs only; the right behaviour is to refuse.
 *
 * Baselines on the answerable variant: the naive lexical best sentence (most shared lowercase words)
 * and its top-2. The refusal threshold (minimum IDF coverage) is swept and the chosen one reported.
 *
 * Run: npx tsx bench/extractive/run.ts [path/to/xquad.de.dev.json]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { splitSentences } from '../../src/ingest/split-sentences.ts';
import type { GroundedPrompt, PromptSource } from '../../src/engine/language-model.ts';
import { DEFAULT_WEIGHTS, rankCandidates } from '../../src/engine/extractive/score-sentences.ts';
import { DEFAULT_MINIMUM_COVERAGE, ExtractiveLanguageModel } from '../../src/engine/extractive/extractive-language-model.ts';

type Squad = {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string; answers: Array<{ text: string }> }> }> }>;
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const datasetPath = process.argv[2] ?? path.resolve(root, '../shared/datasets/xquad-de-dev/xquad.de.dev.json');
const dataset = JSON.parse(readFileSync(datasetPath, 'utf8')) as Squad;

function sourceOf(context: string, title: string, index: number): PromptSource {
  const sentences = splitSentences(context).map((span) => ({ start: span.charStart, end: span.charEnd }));
  return { text: context, metadata: `Titel: ${title} (${index})`, citation: `Titel: ${title} (${index})`, sentences };
}

function promptOf(question: string, sources: PromptSource[]): GroundedPrompt {
  return { text: sources.map((source) => source.text).join('\n') + '\n' + question, question, sources };
}

type Case = { question: string; answers: string[]; gold: PromptSource; siblings: PromptSource[] };
const cases: Case[] = [];
for (const article of dataset.data) {
  const sources = article.paragraphs.map((paragraph, index) => sourceOf(paragraph.context, article.title, index));
  article.paragraphs.forEach((paragraph, index) => {
    for (const qa of paragraph.qas) {
      cases.push({
        question: qa.question,
        answers: qa.answers.map((answer) => answer.text),
        gold: sources[index]!,
        siblings: sources.filter((_, other) => other !== index),
      });
    }
  });
}

const containsAnswer = (quote: string, answers: string[]) => answers.some((answer) => quote.includes(answer));

// ---- naive baseline: most shared lowercase words, whole sentence
function naiveRanking(question: string, source: PromptSource): string[] {
  const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const questionWords = words(question);
  return source.sentences
    .map((span, order) => {
      const text = source.text.slice(span.start, span.end);
      let overlap = 0;
      for (const word of words(text)) if (questionWords.has(word)) overlap += 1;
      return { text, overlap, order };
    })
    .sort((a, b) => b.overlap - a.overlap || a.order - b.order)
    .map((item) => item.text);
}

let naiveTop1 = 0;
let naiveTop2 = 0;
for (const item of cases) {
  const ranking = naiveRanking(item.question, item.gold);
  if (containsAnswer(ranking[0] ?? '', item.answers)) naiveTop1 += 1;
  if (containsAnswer(ranking.slice(0, 2).join(' '), item.answers)) naiveTop2 += 1;
}

// ---- extractive engine: best candidate per variant, then sweep the refusal threshold
type Outcome = { hit: boolean; coverage: number; words: number; sentences: number };
const answerable: Outcome[] = [];
const withSiblings: Outcome[] = [];
const unanswerable: Outcome[] = [];
const timings: number[] = [];
for (const item of cases) {
  const gold = rankCandidates(item.question, [item.gold])[0]!;
  answerable.push({
    hit: containsAnswer(gold.text, item.answers),
    coverage: gold.coverage,
    words: gold.text.split(/\s+/).length,
    sentences: gold.lastSentence - gold.firstSentence + 1,
  });
  const all = [item.gold, ...item.siblings];
  const started = performance.now();
  const mixed = rankCandidates(item.question, all)[0]!;
  timings.push(performance.now() - started);
  withSiblings.push({ hit: mixed.sourceIndex === 0 && containsAnswer(mixed.text, item.answers), coverage: mixed.coverage, words: 0, sentences: 0 });
  const wrong = rankCandidates(item.question, item.siblings)[0];
  unanswerable.push({ hit: false, coverage: wrong?.coverage ?? 0, words: 0, sentences: 0 });
}

const singleOnly = cases.filter((item) =>
  containsAnswer(rankCandidates(item.question, [item.gold], { ...DEFAULT_WEIGHTS, pairGain: Number.POSITIVE_INFINITY })[0]!.text, item.answers),
).length;

const rate = (count: number) => Math.round((1000 * count) / cases.length) / 10;
const sweep = [0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6].map((threshold) => ({
  threshold,
  answerInQuotePercent: rate(answerable.filter((outcome) => outcome.hit && outcome.coverage >= threshold).length),
  falseRefusalPercent: rate(answerable.filter((outcome) => outcome.coverage < threshold).length),
  withSiblingsAnswerInQuotePercent: rate(withSiblings.filter((outcome) => outcome.hit && outcome.coverage >= threshold).length),
  unanswerableRefusalPercent: rate(unanswerable.filter((outcome) => outcome.coverage < threshold).length),
}));

// Timing with 10 realistic chunks: the gold paragraph and 9 others (cycling through the dataset).
const allSources = cases.map((item) => item.gold);
const engine = new ExtractiveLanguageModel();
const tenChunkTimings: number[] = [];
for (let index = 0; index < 200; index += 1) {
  const item = cases[index % cases.length]!;
  const sources = [item.gold, ...Array.from({ length: 9 }, (_, offset) => allSources[(index * 7 + offset * 31) % allSources.length]!)];
  const started = performance.now();
  await engine.doGenerate({ prompt: promptOf(item.question, sources), maxNewTokens: 256 });
  tenChunkTimings.push(performance.now() - started);
}
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

const result = {
  dataset: 'xquad-de-dev',
  questions: cases.length,
  sentenceSplitter: 'src/ingest/split-sentences.ts',
  baselines: { naiveBestSentencePercent: rate(naiveTop1), naiveTop2SentencesPercent: rate(naiveTop2) },
  extractive: {
    answerInQuotePercentNoThreshold: rate(answerable.filter((outcome) => outcome.hit).length),
    singleSentenceOnlyPercent: rate(singleOnly),
    pairsChosenPercent: rate(answerable.filter((outcome) => outcome.sentences === 2).length),
    meanQuoteWords: Math.round((10 * answerable.reduce((sum, outcome) => sum + outcome.words, 0)) / cases.length) / 10,
    withSiblingsAnswerInQuotePercentNoThreshold: rate(withSiblings.filter((outcome) => outcome.hit).length),
  },
  chosenThreshold: DEFAULT_MINIMUM_COVERAGE,
  atChosenThreshold: sweep.find((row) => row.threshold === DEFAULT_MINIMUM_COVERAGE) ?? null,
  thresholdSweep: sweep,
  timing: {
    rankAllSiblingsMsP50: Math.round(percentile(timings, 50) * 100) / 100,
    tenChunksDoGenerateMsP50: Math.round(percentile(tenChunkTimings, 50) * 100) / 100,
    tenChunksDoGenerateMsP99: Math.round(percentile(tenChunkTimings, 99) * 100) / 100,
  },
};

console.log(`XQuAD-de dev, ${cases.length} questions`);
console.log(`naive best sentence ${result.baselines.naiveBestSentencePercent}%  top-2 ${result.baselines.naiveTop2SentencesPercent}%`);
console.log(`extractive single sentence only ${result.extractive.singleSentenceOnlyPercent}%`);
console.log(`extractive (no refusal) ${result.extractive.answerInQuotePercentNoThreshold}%  pairs ${result.extractive.pairsChosenPercent}%  mean words ${result.extractive.meanQuoteWords}  with siblings ${result.extractive.withSiblingsAnswerInQuotePercentNoThreshold}%`);
console.log('threshold | answer in quote | false refusal | with siblings | refusal on unanswerable');
for (const row of sweep) {
  console.log(
    `${String(row.threshold).padEnd(9)} | ${String(row.answerInQuotePercent).padStart(14)}% | ${String(row.falseRefusalPercent).padStart(12)}% | ${String(row.withSiblingsAnswerInQuotePercent).padStart(12)}% | ${String(row.unanswerableRefusalPercent).padStart(22)}%`,
  );
}
console.log(`10 chunks: p50 ${result.timing.tenChunksDoGenerateMsP50} ms, p99 ${result.timing.tenChunksDoGenerateMsP99} ms`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/extractive.json'), JSON.stringify(result, null, 2) + '\n');
