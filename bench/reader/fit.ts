/**
 * Fits the extractive reader (src/engine/extractive/reader-model.json) on recorded prompts
 * (./dump-prompts.ts) and measures it.
 *
 * - Ranker: a conditional logit over all candidates of a question — softmax of a linear score,
 *   maximising the probability of the candidates that contain a gold answer, where a pair of
 *   sentences that holds it although one of its sentences alone would counts 0.6
 *   (short quotes are better answers) — fitted on the answerable questions of the tuning halves
 *   whose sources hold an answer at all.
 * - Calibrator: logistic regression on the best candidate of every tuning question (answerable
 *   and unanswerable twins): label 1 when it contains a gold answer, else 0.
 * - Threshold: the lowest confidence at which the tuning halves reach the precision target.
 * Tuning halves: cases with split `tune` — even articles of XQuAD-de dev and of the GermanQuAD
 * sample, all of the small beleg-de set (and the tune half of the hand-written training set when it
 * is recorded). Cases with split `test` are never used for fitting; their numbers are reported as
 * held out. The blind set (eval/datasets/beleg-de-blind) is never recorded here.
 *
 * Run: npx tsx bench/reader/fit.ts [--write] [--precision 0.95]
 * Needs the recorded prompts: npx tsx bench/reader/dump-prompts.ts eval/datasets/xquad-de-dev
 * eval/datasets/germanquad-train-sample eval/datasets/beleg-de. Writes bench/results/reader.json and,
 * with --write, the model file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeCandidates, FEATURE_NAMES, type CandidateFeatures, type QuestionContext } from '../../src/engine/extractive/candidate-features.ts';
import {
  applyLinear,
  CONFIDENCE_FEATURE_NAMES,
  confidenceFeatures,
  rankDescribed,
  sigmoid,
  type Linear,
  type ReaderModel,
} from '../../src/engine/extractive/reader-model.ts';
import { containsAnswer } from '../../src/eval/normalize-answer.ts';
import { calibrationError, formatSummary, judge, summarise, thresholdForPrecision, type Reading } from './measure.ts';
import type { RecordedCase } from './recorded-case.ts';

const { values: flags } = parseArgs({
  options: { write: { type: 'boolean' }, precision: { type: 'string' }, l2: { type: 'string' }, labels: { type: 'string' }, without: { type: 'string' }, 'pair-weight': { type: 'string' }, datasets: { type: 'string' } },
});
const labelMode = flags.labels ?? 'weighted';
/** With `--labels weighted`: how much a pair that holds the answer counts when one of its sentences alone would. */
const pairWeight = Number(flags['pair-weight'] ?? 0.6);
/** Ranker features left out (their weight stays 0), e.g. `--without isPair,logWords`. */
const withoutFeatures = new Set((flags.without ?? '').split(',').filter(Boolean));
const precisionTarget = Number(flags.precision ?? 0.95);
const l2 = Number(flags.l2 ?? 1e-3);
const root = path.resolve(import.meta.dirname, '../..');
/** Recorded datasets (bench/.work/reader/<name>.prompts.json) the reader is fitted and measured on. */
const datasets = (flags.datasets ?? 'xquad-de-dev,germanquad-train-sample,beleg-de,beleg-de-train').split(',');

type Prepared = RecordedCase & {
  candidates: CandidateFeatures[];
  context: QuestionContext;
  /** Per candidate: the shortest quote holding a gold answer (what the ranker should pick). */
  labels: boolean[];
  /** Per candidate: holds a gold answer (what the calibrator predicts for the picked one). */
  holds: boolean[];
};

function prepare(dataset: string): Prepared[] {
  const cases = JSON.parse(readFileSync(path.join(root, `bench/.work/reader/${dataset}.prompts.json`), 'utf8')) as RecordedCase[];
  return cases.map((item) => {
    const { candidates, context } = describeCandidates(item.question, item.sources);
    const contains = (text: string) => item.answerable && item.goldAnswers.some((gold) => containsAnswer(text, gold));
    const source = (candidate: CandidateFeatures) => item.sources[candidate.sourceIndex]!;
    const sentenceText = (candidate: CandidateFeatures, index: number) =>
      source(candidate).text.slice(source(candidate).sentences[index]!.start, source(candidate).sentences[index]!.end);
    // The best quote is the shortest that holds the answer: a pair counts only when neither of its
    // sentences holds the answer alone (the answer spans both, or needs the first as its subject).
    const labels = candidates.map(
      (candidate) =>
        contains(candidate.text) &&
        (candidate.firstSentence === candidate.lastSentence ||
          (!contains(sentenceText(candidate, candidate.firstSentence)) && !contains(sentenceText(candidate, candidate.lastSentence)))),
    );
    const holds = candidates.map((candidate) => contains(candidate.text));
    return { ...item, candidates, context, labels, holds };
  });
}

const started = performance.now();
const all = datasets.flatMap(prepare);
console.log(`features for ${all.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const tuning = all.filter((item) => item.split === 'tune');

/**
 * The two families of data weigh the same in fitting, however many cases each has: the
 * hand-written sets of short administrative questions (beleg-de, beleg-de-train) count as much as
 * the Wikipedia questions of XQuAD-de and GermanQuAD (which have ten times as many cases).
 * Within a family every case counts the same.
 */
const familyOf = (dataset: string) => (dataset.startsWith('beleg-de') ? 'hand-written' : 'wikipedia');
const familyCounts = new Map<string, number>();
for (const item of tuning) familyCounts.set(familyOf(item.dataset), (familyCounts.get(familyOf(item.dataset)) ?? 0) + 1);
const weightOf = (item: Prepared) => tuning.length / familyCounts.size / familyCounts.get(familyOf(item.dataset))!;

// ---- standardisation
function standardiser(rows: readonly number[][], names: readonly string[]): Pick<Linear, 'names' | 'mean' | 'scale'> {
  const mean = names.map((_, column) => rows.reduce((sum, row) => sum + row[column]!, 0) / rows.length);
  const scale = names.map((_, column) => {
    const variance = rows.reduce((sum, row) => sum + (row[column]! - mean[column]!) ** 2, 0) / rows.length;
    return Math.sqrt(variance) || 1;
  });
  return { names: [...names], mean, scale };
}

function standardise(row: readonly number[], base: Pick<Linear, 'mean' | 'scale'>): number[] {
  return row.map((value, column) => (value - base.mean[column]!) / base.scale[column]!);
}

/**
 * What the ranker learns to pick. `--labels holds` (default): any quote that holds a gold answer;
 * `--labels shortest`: only the shortest such quote (a pair only when neither sentence holds it).
 */
const rankerLabels = (item: Prepared): number[] =>
  item.candidates.map((candidate, index) => {
    if (labelMode === 'shortest') return item.labels[index] ? 1 : 0;
    if (labelMode === 'holds') return item.holds[index] ? 1 : 0;
    // `weighted`: every quote holding an answer counts, a longer one than needed only partly.
    return item.labels[index] ? 1 : item.holds[index] ? pairWeight : 0;
  });

// ---- ranker: conditional logit, full-batch gradient descent (Adam)
function fitRanker(): Linear {
  const groups = tuning.filter((item) => item.answerable && rankerLabels(item).some((weight) => weight > 0));
  const base = standardiser(
    groups.flatMap((item) => item.candidates.map((candidate) => candidate.values)),
    FEATURE_NAMES,
  );
  const data = groups.map((item) => ({ rows: item.candidates.map((candidate) => standardise(candidate.values, base)), labels: rankerLabels(item), weight: weightOf(item) }));
  const totalWeight = data.reduce((sum, group) => sum + group.weight, 0);
  const size = FEATURE_NAMES.length;
  const weights = new Float64Array(size);
  const adam = { m: new Float64Array(size), v: new Float64Array(size) };
  for (let step = 1; step <= 400; step += 1) {
    const gradient = new Float64Array(size);
    let loss = 0;
    for (const group of data) {
      const scores = group.rows.map((row) => row.reduce((sum, value, column) => sum + value * weights[column]!, 0));
      const top = Math.max(...scores);
      const exps = scores.map((score) => Math.exp(score - top));
      const total = exps.reduce((sum, value) => sum + value, 0);
      const positive = exps.reduce((sum, value, index) => sum + group.labels[index]! * value, 0);
      loss -= group.weight * Math.log(positive / total);
      group.rows.forEach((row, index) => {
        const all = exps[index]! / total;
        const correct = (group.labels[index]! * exps[index]!) / positive;
        for (let column = 0; column < size; column += 1) gradient[column]! += group.weight * (all - correct) * row[column]!;
      });
    }
    for (let column = 0; column < size; column += 1) {
      if (withoutFeatures.has(FEATURE_NAMES[column]!)) continue;
      const g = gradient[column]! / totalWeight + l2 * weights[column]!;
      adam.m[column] = 0.9 * adam.m[column]! + 0.1 * g;
      adam.v[column] = 0.999 * adam.v[column]! + 0.001 * g * g;
      const mHat = adam.m[column]! / (1 - 0.9 ** step);
      const vHat = adam.v[column]! / (1 - 0.999 ** step);
      weights[column]! -= (0.05 * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
    if (step % 100 === 0) console.log(`ranker step ${step}: loss ${(loss / totalWeight).toFixed(4)}`);
  }
  return { ...base, weights: [...weights], bias: 0 };
}

// ---- calibrator: logistic regression on the best candidate of each tuning question
function fitLogistic(rows: number[][], labels: boolean[], rowWeights: number[], names: readonly string[]): Linear {
  const totalWeight = rowWeights.reduce((sum, weight) => sum + weight, 0);
  const base = standardiser(rows, names);
  const data = rows.map((row) => standardise(row, base));
  const size = names.length;
  const weights = new Float64Array(size + 1); // last: bias
  const adam = { m: new Float64Array(size + 1), v: new Float64Array(size + 1) };
  for (let step = 1; step <= 1500; step += 1) {
    const gradient = new Float64Array(size + 1);
    data.forEach((row, index) => {
      const z = row.reduce((sum, value, column) => sum + value * weights[column]!, weights[size]!);
      const error = rowWeights[index]! * (sigmoid(z) - (labels[index] ? 1 : 0));
      for (let column = 0; column < size; column += 1) gradient[column]! += error * row[column]!;
      gradient[size]! += error;
    });
    for (let column = 0; column <= size; column += 1) {
      const g = gradient[column]! / totalWeight + (column < size ? l2 * weights[column]! : 0);
      adam.m[column] = 0.9 * adam.m[column]! + 0.1 * g;
      adam.v[column] = 0.999 * adam.v[column]! + 0.001 * g * g;
      const mHat = adam.m[column]! / (1 - 0.9 ** step);
      const vHat = adam.v[column]! / (1 - 0.999 ** step);
      weights[column]! -= (0.05 * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  return { ...base, weights: [...weights.slice(0, size)], bias: weights[size]! };
}

function bestOf(item: Prepared, ranker: Linear) {
  const scored = item.candidates.map((candidate, index) => ({ ...candidate, score: applyLinear(ranker, candidate.values), label: item.holds[index]! }));
  scored.sort((a, b) => Number(a.lacksRequiredType) - Number(b.lacksRequiredType) || b.score - a.score);
  const best = scored[0];
  if (!best) return null;
  const overlaps = (candidate: (typeof scored)[number]) =>
    candidate.sourceIndex === best.sourceIndex && candidate.firstSentence <= best.lastSentence && best.firstSentence <= candidate.lastSentence;
  const rival = scored.find((candidate, index) => index > 0 && !overlaps(candidate))?.score ?? Number.NEGATIVE_INFINITY;
  return { best, rival };
}

const ranker = fitRanker();
const calibrationRows: number[][] = [];
const calibrationLabels: boolean[] = [];
const calibrationWeights: number[] = [];
for (const item of tuning) {
  const found = bestOf(item, ranker);
  // A best quote without the required number is capped by rule (LACKS_TYPE_CONFIDENCE), not estimated.
  if (!found || found.best.lacksRequiredType) continue;
  calibrationRows.push(confidenceFeatures(found.best, found.rival, item.context, FEATURE_NAMES));
  calibrationLabels.push(found.best.label);
  calibrationWeights.push(weightOf(item));
}
const calibrator = fitLogistic(calibrationRows, calibrationLabels, calibrationWeights, CONFIDENCE_FEATURE_NAMES);

const candidateModel: ReaderModel = {
  version: 'reader-v2',
  fittedOn:
    'Even articles of XQuAD-de dev and of the GermanQuAD train sample (answerable questions and their unanswerable twins, top-10 lexical retrieval), bench/reader/fit.ts',
  ranker,
  calibrator,
  minConfidence: 0,
};

// ---- measure
function readingsOf(items: readonly Prepared[], model: ReaderModel): Reading[] {
  return items.map((item) => {
    const best = rankDescribed(item.candidates, item.context, model)[0];
    return best ? { quote: best.text, confidence: best.confidence } : { quote: null, confidence: 0 };
  });
}

const tuningJudged = judge(tuning, readingsOf(tuning, candidateModel));
/** Weighted precision and the number of tuning cases presented at a threshold. */
function weightedPrecision(threshold: number): { precision: number; presented: number } {
  let presentedWeight = 0;
  let correctWeight = 0;
  let presented = 0;
  tuningJudged.forEach((item, index) => {
    if (!item.hasQuote || item.confidence < threshold) return;
    const weight = weightOf(tuning[index]!);
    presented += 1;
    presentedWeight += weight;
    if (item.correct) correctWeight += weight;
  });
  return { precision: presentedWeight === 0 ? 1 : correctWeight / presentedWeight, presented };
}

/** Fewest tuning answers a threshold must present before its precision is trusted (the tail is sparse). */
const MIN_PRESENTED = 30;

/**
 * The lowest threshold at which the weighted tuning halves reach the precision target with at
 * least MIN_PRESENTED answers; when none does, the one with the highest precision among those with
 * enough answers.
 */
function weightedThreshold(): number {
  const thresholds = [...new Set(tuningJudged.filter((item) => item.hasQuote).map((item) => item.confidence))].sort((a, b) => a - b);
  let best = { threshold: 1, precision: 0 };
  for (const threshold of thresholds) {
    const { precision, presented } = weightedPrecision(threshold);
    if (presented < MIN_PRESENTED) break;
    if (precision >= precisionTarget) return threshold;
    if (precision > best.precision) best = { threshold, precision };
  }
  console.log(`no threshold reaches precision ${precisionTarget} with ${MIN_PRESENTED} answers; best ${best.precision.toFixed(3)} at ${best.threshold.toFixed(3)}`);
  return best.threshold;
}
for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9]) {
  const { precision, presented } = weightedPrecision(threshold);
  console.log(`tuning halves at ${threshold}: weighted precision ${precision.toFixed(3)} over ${presented} answers`);
}
candidateModel.minConfidence = Number(weightedThreshold().toFixed(3));
console.log(`threshold for precision ${precisionTarget} on the tuning halves: ${candidateModel.minConfidence}`);

const results: Record<string, unknown> = {};
for (const dataset of datasets) {
  for (const split of ['tune', 'test'] as const) {
    const items = all.filter((item) => item.dataset === dataset && item.split === split);
    if (items.length === 0) continue;
    const readings = readingsOf(items, candidateModel);
    const judged = judge(items, readings);
    const label = `${dataset} ${split === 'tune' ? 'tuned' : 'held out'}`;
    const pairShare = items.filter((item) => {
      const best = rankDescribed(item.candidates, item.context, candidateModel)[0];
      return best !== undefined && best.lastSentence > best.firstSentence;
    }).length / items.length;
    console.log(`${label}: quotes of two sentences ${(100 * pairShare).toFixed(1)} %, mean quote ${Math.round(readings.reduce((sum, reading) => sum + (reading.quote?.length ?? 0), 0) / readings.length)} chars`);
    const atThreshold = summarise(judged, candidateModel.minConfidence);
    const everything = summarise(judged, 0);
    const at95 = thresholdForPrecision(judged, 0.95);
    console.log(formatSummary(`${label} @chosen`, atThreshold));
    console.log(formatSummary(`${label} all`, everything));
    if (at95) console.log(formatSummary(`${label} p>=0.95`, at95));
    console.log(`${label} ECE ${calibrationError(judged).toFixed(3)}`);
    results[`${dataset}-${split}`] = { atThreshold, answerEverything: everything, atPrecision95: at95, expectedCalibrationError: calibrationError(judged) };
  }
}

console.log('ranker weights:', Object.fromEntries(ranker.names.map((name, index) => [name, Number(ranker.weights[index]!.toFixed(3))])));
console.log('calibrator weights:', Object.fromEntries(calibrator.names.map((name, index) => [name, Number(calibrator.weights[index]!.toFixed(3))])), 'bias', calibrator.bias.toFixed(3));

if (flags.write) {
  writeFileSync(path.join(root, 'src/engine/extractive/reader-model.json'), `${JSON.stringify(candidateModel, null, 1)}\n`);
  writeFileSync(path.join(root, 'bench/results/reader.json'), `${JSON.stringify({ model: candidateModel.version, precisionTarget, results }, null, 1)}\n`);
  console.log('wrote src/engine/extractive/reader-model.json and bench/results/reader.json');
}
