/**
 * Latency of the extractive answer path at 10,000 chunks: retrieval (German full text, compound
 * parts, lexical reranker) + prompt + the fitted reader + verification, through the same
 * createAnswerService the API uses.
 *
 * Corpus: the 621 real German paragraphs of XQuAD-de dev and the GermanQuAD sample, each stored
 * `copies` times with a numbered heading so every copy is its own document (beleg stores identical
 * content once) — about 10,000 chunks of real German prose. Questions: the datasets' questions,
 * asked against the whole corpus (top 10 as in `beleg eval`).
 *
 * Run: npx tsx bench/reader/latency.ts [--copies 16] [--questions 300]
 * Writes bench/results/reader-latency.json.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { ExtractiveLanguageModel } from '../../src/engine/extractive/extractive-language-model.ts';

type Squad = { data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }> };

const { values } = parseArgs({ options: { copies: { type: 'string' }, questions: { type: 'string' } } });
const copies = Number(values.copies ?? 16);
const questionCount = Number(values.questions ?? 300);
const root = path.resolve(import.meta.dirname, '../..');
const squads = ['eval/datasets/xquad-de-dev/xquad.de.dev.json', 'eval/datasets/germanquad-train-sample/germanquad.train.sample.json'].map(
  (file) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Squad,
);
const paragraphs = squads.flatMap((squad) => squad.data.flatMap((article) => article.paragraphs.map((paragraph) => ({ title: article.title, text: paragraph.context }))));
const allQuestions = squads.flatMap((squad) => squad.data.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas.map((qa) => qa.question))));
const step = Math.max(1, Math.floor(allQuestions.length / questionCount));
const questions = allQuestions.filter((_, index) => index % step === 0).slice(0, questionCount);

const dataDir = mkdtempSync(path.join(tmpdir(), 'beleg-reader-latency-'));
const config = loadConfig({}, { dataDir });
const context = await openAppContext(config, { embeddingModel: null });
const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
try {
  const started = performance.now();
  let pending: Array<Promise<unknown>> = [];
  for (let copy = 0; copy < copies; copy += 1) {
    for (const [index, paragraph] of paragraphs.entries()) {
      // Submitted in waves of 200 (the queue indexes them in batches) and awaited until settled.
      const record = await context.ingestion.submit({
        kind: 'text',
        title: `${paragraph.title} – Ausgabe ${copy + 1}`,
        fileName: `p${index}-c${copy}.txt`,
        text: `Ausgabe ${copy + 1}\n\n${paragraph.text}`,
      });
      pending.push(context.ingestion.settled(record.id));
      if (pending.length >= 200) {
        await Promise.all(pending);
        pending = [];
      }
    }
  }
  await Promise.all(pending);
  const chunks = await context.store.countChunks();
  console.log(`ingested ${copies * paragraphs.length} documents, ${chunks} chunks in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const answerer = createAnswerService(context, { extractive: new ExtractiveLanguageModel() }, 'extractive');
  for (const question of questions.slice(0, 20)) await answerer.answer({ question, topK: 10 }); // warm-up
  const total: number[] = [];
  const retrieve: number[] = [];
  const generate: number[] = [];
  for (const question of questions) {
    const answer = await answerer.answer({ question, topK: 10 });
    total.push(answer.timings.totalMs);
    retrieve.push(answer.timings.retrieveMs);
    generate.push(answer.timings.generateMs);
  }
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: Number(percentile(sorted, 0.5).toFixed(1)), p95: Number(percentile(sorted, 0.95).toFixed(1)), max: Number(sorted.at(-1)!.toFixed(1)) };
  };
  const result = {
    measuredAt: new Date().toISOString(),
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    chunks,
    questions: questions.length,
    topK: 10,
    totalMs: summary(total),
    retrieveMs: summary(retrieve),
    readerMs: summary(generate),
    target: 'total p95 < 100 ms at 10,000 chunks',
  };
  console.log(JSON.stringify(result, null, 1));
  writeFileSync(path.join(root, 'bench/results/reader-latency.json'), `${JSON.stringify(result, null, 1)}\n`);
} finally {
  await context.close();
  rmSync(dataDir, { recursive: true, force: true });
}
