/**
 * The extractive engine end to end on every evaluation dataset, as `beleg eval` runs it: ingestion
 * into a fresh data directory, lexical retrieval (top 10), the reader at its default threshold, and
 * the evaluator's own verification of every quote.
 *
 * Writes bench/results/eval-<dataset>-extractive.md (the report) and .json (headline metrics,
 * per split, and the confidence analysis without the per-threshold curve), and the blind set's
 * HTML report (charts, every case).
 *
 * Run: npx tsx bench/reader/evaluate.ts [dataset folder names, default all five]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { createEngines } from '../../src/engine/create-engine.ts';
import { loadDataset } from '../../src/eval/load-dataset.ts';
import { renderHtml } from '../../src/eval/render-html.ts';
import { renderMarkdown } from '../../src/eval/render-markdown.ts';
import { runEval } from '../../src/eval/run-eval.ts';

const root = path.resolve(import.meta.dirname, '../..');
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['beleg-de-blind', 'beleg-de', 'beleg-de-train', 'xquad-de-dev', 'germanquad-train-sample'];

for (const name of names) {
  const dataset = await loadDataset(path.join(root, 'eval/datasets', name));
  const dataDir = mkdtempSync(path.join(tmpdir(), `beleg-bench-eval-${name}-`));
  const config = loadConfig({}, { dataDir, engine: 'extractive' });
  const context = await openAppContext(config, { embeddingModel: null });
  try {
    const { engines, defaultEngine } = await createEngines(config);
    const answerer = createAnswerService(context, engines, defaultEngine);
    const report = await runEval({ ingestion: context.ingestion, answerer }, dataset, { engine: 'extractive', topK: 10 });
    const { curve: _curve, ...confidence } = report.metrics.confidenceAnalysis ?? {};
    const { byTag: _byTag, ...metrics } = report.metrics;
    const compact = {
      dataset: report.dataset,
      run: { engine: report.run.engine, topK: report.run.topK, durationMs: Math.round(report.run.durationMs) },
      metrics: { ...metrics, confidenceAnalysis: confidence },
    };
    const base = path.join(root, 'bench/results', `eval-${name}-extractive`);
    writeFileSync(`${base}.json`, `${JSON.stringify(compact, null, 1)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(report));
    if (name === 'beleg-de-blind') writeFileSync(`${base}.html`, renderHtml(report));
    console.log(`${name}: answer precision ${report.metrics.answerPrecision}, answer recall ${report.metrics.answerRecall}, refusal recall ${report.metrics.refusalRecall}, ECE ${report.metrics.expectedCalibrationError}`);
  } finally {
    await context.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
