/**
 * Records the prompts the answer engine sees for every case of an evaluation dataset, so the
 * extractive reader can be developed and fitted offline in seconds instead of re-running
 * ingestion and retrieval for every change.
 *
 * It runs the product's own path, like `beleg eval`: the dataset's corpus is ingested into a data
 * directory under bench/.work/reader, and every case is asked through the answer service
 * (createAnswerService: lexical search over ready documents restricted to the dataset's documents
 * minus the case's `excludeDocumentIds`, EM German's prompt within the token budget, top 10) with
 * an engine that records the prompt and declines. SQuAD-format datasets get the unanswerable twins
 * and the article-parity split of the converter (src/eval/convert-squad.ts).
 *
 * Output: bench/.work/reader/<dataset folder name>.prompts.json (not committed; rebuilt by this script).
 * Run: npx tsx bench/reader/dump-prompts.ts eval/datasets/xquad-de-dev [more dataset folders]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { REFUSAL, type GenerateOptions, type GenerateResult, type LanguageModel, type StreamPart } from '../../src/engine/language-model.ts';
import { loadDataset } from '../../src/eval/load-dataset.ts';
import type { DocumentInput } from '../../src/ingest/types.ts';
import type { RecordedCase, RecordedSource } from './recorded-case.ts';

/** Declines everything and keeps the last prompt it was given. */
class RecordingEngine implements LanguageModel {
  readonly engine = 'extractive';
  readonly modelId = 'recording';
  /** Like the extractive engine: no focus rule before generation, so every prompt is recorded. */
  readonly calibrated = true;
  last: GenerateOptions['prompt'] | null = null;
  async doGenerate(options: GenerateOptions): Promise<GenerateResult> {
    this.last = options.prompt;
    return { text: REFUSAL, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
  }
  // eslint-disable-next-line require-yield
  async *doStream(): AsyncIterable<StreamPart> {
    throw new Error('not used');
  }
  async dispose() {}
}

const folders = process.argv.slice(2);
if (folders.length === 0) throw new Error('Usage: npx tsx bench/reader/dump-prompts.ts <dataset folder>...');
const workDirectory = path.resolve(import.meta.dirname, '../.work/reader');
mkdirSync(workDirectory, { recursive: true });

for (const folder of folders) {
  const dataset = await loadDataset(folder);
  const started = performance.now();
  const config = loadConfig({}, { dataDir: path.join(workDirectory, `data-${dataset.name}`) });
  const context = await openAppContext(config, { embeddingModel: null });
  const engine = new RecordingEngine();
  const answerer = createAnswerService(context, { extractive: engine }, 'extractive', { minConfidence: 0 });
  const belegIdOf = new Map<string, string>();
  for (const entry of dataset.corpus) {
    const input: DocumentInput =
      entry.text !== undefined
        ? { kind: 'text', title: entry.title, fileName: `${entry.id.replace(/[^\p{L}\p{N}._-]+/gu, '-')}.txt`, text: entry.text }
        : entry.file !== undefined
          ? { kind: 'file', fileName: path.basename(entry.file), bytes: new Uint8Array(await readFile(path.resolve(dataset.directory, entry.file))) }
          : { kind: 'url', url: entry.url! };
    const record = await context.ingestion.ingest(input);
    if (record.status !== 'ready') throw new Error(`${entry.id}: ${record.status} ${record.errorMessage}`);
    belegIdOf.set(entry.id, record.id);
  }
  console.log(`${dataset.name}: ingested ${belegIdOf.size} documents in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const cases: RecordedCase[] = [];
  for (const item of dataset.cases) {
    engine.last = null;
    const excluded = new Set((item.excludeDocumentIds ?? []).map((id) => belegIdOf.get(id)));
    const documentIds = [...new Set(belegIdOf.values())].filter((id) => !excluded.has(id));
    await answerer.answer({ question: item.question, topK: 10, documentIds });
    const prompt = engine.last as GenerateOptions['prompt'] | null;
    const sources: RecordedSource[] = (prompt?.sources ?? []).map((source) => ({
      text: source.text,
      metadata: source.metadata,
      citation: source.citation,
      sentences: source.sentences.map((sentence) => ({ ...sentence })),
      documentId: (source as unknown as { documentId: string }).documentId,
      rank: (source as unknown as { rank: number }).rank,
    }));
    cases.push({
      id: item.id,
      dataset: dataset.name,
      split: item.split ?? 'tune',
      question: item.question,
      answerable: item.answerable,
      goldAnswers: item.goldAnswers ?? [],
      goldDocumentIds: (item.goldDocumentIds ?? []).map((id) => belegIdOf.get(id)!).filter(Boolean),
      sources,
    });
  }
  await context.close();
  const output = path.join(workDirectory, `${dataset.name}.prompts.json`);
  writeFileSync(output, JSON.stringify(cases));
  console.log(`${dataset.name}: ${cases.length} cases → ${output} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
