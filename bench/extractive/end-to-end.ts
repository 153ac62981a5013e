/**
 * The extractive engine end to end on XQuAD-de dev: retrieval over all 120 paragraphs (LanceDB,
 * German full-text search) → EM German prompt → extractive answer → verification, judged by the
 * evaluation suite (src/eval) with its own copy of the stored texts. Unanswerable cases ask the
 * same question with the gold paragraph left out of the search.
 *
 * Run: npx tsx bench/extractive/end-to-end.ts [--limit N]
 * Writes bench/results/extractive-end-to-end.json (headline metrics of the eval report).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openAppContext } from '../../src/app-context.ts';
import { createAnswerService } from '../../src/cli/commands/ask.ts';
import { loadConfig } from '../../src/config.ts';
import { createEngines } from '../../src/engine/create-engine.ts';
import { loadDataset } from '../../src/eval/load-dataset.ts';
import { runEval } from '../../src/eval/run-eval.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { limit: { type: 'string' } } });
const limit = values.limit === undefined ? undefined : Number(values.limit);

const dataset = await loadDataset(path.join(root, 'eval/datasets/xquad-de-dev'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'beleg-bench-extractive-'));
const config = loadConfig({}, { dataDir, engine: 'extractive' });
const context = await openAppContext(config);
try {
  const { engines, defaultEngine } = await createEngines(config);
  const answerer = createAnswerService(context, engines, defaultEngine);
  const report = await runEval({ ingestion: context.ingestion, answerer }, dataset, { engine: 'extractive', limit, topK: 10 });
  const result = {
    dataset: report.dataset,
    run: { engine: report.run.engine, topK: report.run.topK, limit: report.run.limit, durationMs: Math.round(report.run.durationMs) },
    metrics: report.metrics,
  };
  console.log(JSON.stringify(result.metrics, null, 2).slice(0, 3000));
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/extractive-end-to-end.json'), JSON.stringify(result, null, 2) + '\n');
} finally {
  await context.close();
  rmSync(dataDir, { recursive: true, force: true });
}
