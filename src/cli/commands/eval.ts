/**
 * `beleg eval`: runs an evaluation dataset through ingestion and the answer service and writes
 * report.json, report.md and report.html; `--gate` fails the run when a metric misses its gate;
 * `--compare a b` prints the differences between two reports; `--from-squad` converts SQuAD JSON.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Answerer } from '../../answer/answer-contract.ts';
import { openAppContext } from '../../app-context.ts';
import { engineNames, loadConfig, type EngineName } from '../../config.ts';
import { createEngines } from '../../engine/create-engine.ts';
import type { LanguageModel } from '../../engine/language-model.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { loadDocument } from '../../ingest/load-document.ts';
import { compareReports, formatComparison } from '../../eval/compare-reports.ts';
import { convertSquad } from '../../eval/convert-squad.ts';
import { checkGates, parseGates, type GateOutcome } from '../../eval/gates.ts';
import { evalSplits, type EvalSplit } from '../../eval/dataset.ts';
import { InvalidDatasetError } from '../../eval/invalid-dataset-error.ts';
import { loadDataset, writeDataset } from '../../eval/load-dataset.ts';
import { casesOfSplit } from '../../eval/select-cases.ts';
import { formatMilliseconds, formatValue, leadingMetrics, metricLabels, splitLabels } from '../../eval/metric-labels.ts';
import type { HeadlineMetricName } from '../../eval/metrics.ts';
import { parseReport, type EvalReport } from '../../eval/report.ts';
import { runEval, type EvalProgress } from '../../eval/run-eval.ts';
import { writeReport } from '../../eval/write-report.ts';
import { createProgress, type Progress } from '../progress.ts';
import { answerServiceSettings, createAnswerService } from '../../create-answerer.ts';

const USAGE = `Usage:
  beleg eval <dataset-dir> [--engine E] [--split tune|test] [--limit N] [--min-confidence X] [--top-k K] [--out DIR] [--gate FILE] [--data-dir DIR]
  beleg eval --compare <a/report.json> <b/report.json> [--gate FILE]
  beleg eval --from-squad <squad.json> --out <dataset-dir> [--no-unanswerable]

Runs the dataset (corpus.jsonl + cases.jsonl, or one SQuAD-format .json; see eval/README.md)
and writes report.json, report.md and report.html to --out (default: a folder under the
system's temp directory). Documents go into --data-dir, by default a separate evaluation data
directory under the temp directory, never your own data.

  --engine E       extractive, gptq, tgi or openai (default: the configured engine)
  --split S        run only the cases of split S: tune (SQuAD: even articles) or test (odd articles)
  --limit N        run N cases, spread evenly over the dataset (or split), answerable and not in proportion
  --min-confidence X   send minConfidence X (0..1) with every question: quotes below it are declined
  --top-k K        sources per answer (default 10)
  --gate FILE      exit with 1 when a metric misses its minimum or maximum (eval/gates.json)
  --seed N         bootstrap seed (default 1, at least 1); --resamples N (default 1000)`;

function parseCount(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new ValidationError(userMessage('validation_failed.cli_at_least_one', { flag: name, value }));
  return number;
}

function parseSplit(value: string | undefined): EvalSplit | undefined {
  if (value === undefined) return undefined;
  if (!(evalSplits as readonly string[]).includes(value)) {
    throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'split', choices: evalSplits.join(', '), value }));
  }
  return value as EvalSplit;
}

function parseConfidence(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new ValidationError(userMessage('validation_failed.cli_min_confidence', { value }));
  }
  return number;
}

async function readText(file: string, what: 'squad' | 'report' | 'gates'): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InvalidDatasetError(userMessage('invalid_dataset.file_unreadable', { what: userMessage(`fragment.eval_file.${what}`), file, reason }));
  }
}

function printGates(outcomes: GateOutcome[]): boolean {
  for (const outcome of outcomes) {
    const relation = outcome.bound === 'min' ? '≥' : '≤';
    const verdict = outcome.passed ? 'pass' : 'FAIL';
    const value = outcome.value !== null && outcome.metric.startsWith('counts.') ? String(outcome.value) : formatValue(outcome.value);
    console.log(`  ${verdict}  ${outcome.metric} = ${value} (gate ${relation} ${outcome.limit})`);
  }
  const failed = outcomes.filter((outcome) => !outcome.passed).length;
  console.log(failed === 0 ? `All ${outcomes.length} gates pass.` : `${failed} of ${outcomes.length} gates fail.`);
  return failed === 0;
}

async function gate(report: EvalReport, gateFile: string | undefined): Promise<number> {
  if (gateFile === undefined) return 0;
  console.log(`\nGates (${gateFile}):`);
  return printGates(checkGates(report.metrics, parseGates(await readText(gateFile, 'gates'), gateFile))) ? 0 : 1;
}

function summary(report: EvalReport): string {
  const lines = [`\n${report.dataset.name}: ${report.dataset.selectedCases} cases with ${report.run.engine} (${report.run.model}) in ${formatMilliseconds(report.run.durationMs)}`];
  for (const name of Object.keys(metricLabels) as HeadlineMetricName[]) {
    const interval = report.confidence[name];
    const range = interval ? `  [${formatValue(interval.low)}, ${formatValue(interval.high)}]` : '';
    lines.push(`  ${metricLabels[name].label.padEnd(20)} ${formatValue(report.metrics[name]).padStart(6)}${range}`);
  }
  for (const split of evalSplits) {
    const summary = report.metrics.bySplit[split];
    if (summary === undefined) continue;
    const rates = leadingMetrics.map((name) => `${metricLabels[name].label.toLowerCase()} ${formatValue(summary[name])}`).join(', ');
    lines.push(`  ${splitLabels[split]}, ${summary.cases} cases: ${rates}`);
  }
  const analysis = report.metrics.confidenceAnalysis;
  if (analysis.scoredCases > 0) {
    const target = analysis.atTarget;
    lines.push(
      `  ${`Precision ≥ ${analysis.precisionTarget}`.padEnd(20)} ${target === null ? `at no threshold (highest ${formatValue(analysis.highestPrecision?.precision)})` : `from threshold ${formatValue(target.threshold)}, recall ${formatValue(target.recall)}`} (${analysis.scoredCases} cases with a confidence)`,
    );
  }
  const latency = report.metrics.latency.totalMs;
  lines.push(`  ${'Latency p50/p95'.padEnd(20)} ${formatMilliseconds(latency.p50)} / ${formatMilliseconds(latency.p95)}`);
  lines.push(`  ${'Failed cases'.padEnd(20)} ${report.metrics.counts.failedCases} of ${report.metrics.counts.cases}`);
  if (report.run.ingestionFailures.length > 0) lines.push(`  ${report.run.ingestionFailures.length} documents failed to ingest (see report.md)`);
  return lines.join('\n');
}

/** Progress bars for ingestion, then for asking. */
function progressReporter(): { onProgress: (event: EvalProgress) => void; stop: () => void } {
  let current: { phase: EvalProgress['phase']; bar: Progress } | null = null;
  return {
    onProgress: (event) => {
      if (current?.phase !== event.phase) {
        current?.bar.stop();
        console.error(event.phase === 'ingest' ? 'Ingesting the corpus …' : 'Asking the cases …');
        current = { phase: event.phase, bar: createProgress(event.total, event.phase === 'ingest' ? 'documents' : 'cases') };
      }
      current.bar.increment();
    },
    stop: () => current?.bar.stop(),
  };
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      engine: { type: 'string' },
      limit: { type: 'string' },
      split: { type: 'string' },
      'min-confidence': { type: 'string' },
      'top-k': { type: 'string' },
      out: { type: 'string' },
      gate: { type: 'string' },
      'data-dir': { type: 'string' },
      compare: { type: 'boolean' },
      'from-squad': { type: 'string' },
      'no-unanswerable': { type: 'boolean' },
      seed: { type: 'string' },
      resamples: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  if (values['from-squad'] !== undefined) {
    if (values.out === undefined) throw new ValidationError(userMessage('validation_failed.cli_squad_needs_out', { usage: USAGE }));
    const file = values['from-squad'];
    let json: unknown;
    try {
      json = JSON.parse(await readText(file, 'squad'));
    } catch (error) {
      if (error instanceof InvalidDatasetError) throw error;
      throw new InvalidDatasetError(userMessage('invalid_dataset.not_json', { file: `'${file}'`, reason: (error as Error).message, hint: '' }));
    }
    const { corpus, cases } = convertSquad(json, { unanswerableVariant: !values['no-unanswerable'] });
    await writeDataset(values.out, corpus, cases);
    console.log(`Wrote ${corpus.length} documents and ${cases.length} cases to ${values.out}.`);
    return 0;
  }

  if (values.compare) {
    if (positionals.length !== 2) throw new ValidationError(userMessage('validation_failed.cli_compare_two', { usage: USAGE }));
    const [first, second] = await Promise.all(positionals.map(async (file) => parseReport(await readText(file, 'report'), file)));
    console.log(formatComparison(compareReports(first!, second!), [`${first!.run.engine} (a)`, `${second!.run.engine} (b)`]));
    return gate(second!, values.gate);
  }

  if (positionals.length !== 1) throw new ValidationError(userMessage('validation_failed.cli_one_dataset', { usage: USAGE }));
  const engine = values.engine;
  if (engine !== undefined && !(engineNames as readonly string[]).includes(engine)) {
    throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'engine', choices: engineNames.join(', '), value: engine }));
  }
  // Parse every flag before opening anything, so a typo fails at once.
  const limit = parseCount(values.limit, 'limit');
  const split = parseSplit(values.split);
  const minConfidence = parseConfidence(values['min-confidence']);
  const topK = parseCount(values['top-k'], 'top-k');
  const bootstrap = { seed: parseCount(values.seed, 'seed') ?? 1, resamples: parseCount(values.resamples, 'resamples') };
  const dataset = await loadDataset(positionals[0]!);
  casesOfSplit(dataset.cases, split); // fail fast when no case is in the split
  const gateFile = values.gate;
  if (gateFile !== undefined) parseGates(await readText(gateFile, 'gates'), gateFile); // fail fast on a bad gates file

  const evalRoot = path.join(os.tmpdir(), 'beleg-eval');
  const config = loadConfig(process.env, {
    dataDir: values['data-dir'] ?? path.join(evalRoot, `data-${dataset.name}`),
    engine,
  });
  const context = await openAppContext(config, { onNotice: (message) => console.error(message) });
  const reporter = progressReporter();
  let report: EvalReport;
  let engines: LanguageModel[] = [];
  try {
    // The same wiring as `beleg ask`: engines from the config, the answer service over the context.
    // A composition root that exposes its own answerer (as `beleg serve` expects) takes precedence.
    const provided = (context as { answerer?: Answerer }).answerer;
    let answerer: Answerer;
    if (provided) {
      answerer = provided;
    } else {
      const created = await createEngines(config, { onProgress: (message) => console.error(message) });
      engines = Object.values(created.engines);
      answerer = createAnswerService(context, created.engines, created.defaultEngine, answerServiceSettings(config));
    }
    report = await runEval({ ingestion: context.ingestion, answerer }, dataset, {
      engine: engine as EngineName | undefined,
      split,
      limit,
      minConfidence,
      topK,
      bootstrap,
      onProgress: reporter.onProgress,
      // Re-load files with beleg's loader to learn PDF page spans, so citation pages can be checked.
      loadPages: (input) =>
        loadDocument(input, {
          maxBytes: config.limits.maxDocumentBytes,
          fetchTimeoutMs: config.limits.fetchTimeoutMs,
          maxRedirects: config.limits.maxRedirects,
          urlAllowList: config.urlAllowList,
        }),
    });
  } finally {
    reporter.stop();
    for (const engine of engines.reverse()) await engine.dispose();
    await context.close();
  }
  const outDirectory = values.out ?? path.join(evalRoot, `${dataset.name}-${report.run.engine}${split !== undefined ? `-${split}` : ''}`);
  const files = await writeReport(outDirectory, report);
  console.log(summary(report));
  console.log(`\nReports: ${files.html}\n         ${files.markdown}\n         ${files.json}`);
  return gate(report, gateFile);
}
