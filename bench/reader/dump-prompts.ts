/**
 * Records the prompts the answer engine sees for every case of a SQuAD-format dataset, so the
 * extractive reader can be developed and fitted offline in seconds instead of re-running
 * ingestion and retrieval for every change.
 *
 * It runs the product's own path: the dataset's paragraphs are ingested (one document each) into a
 * data directory under bench/.work/reader, and every question is asked through the answer service
 * (createAnswerService: hybrid/lexical search over ready documents, EM German's prompt within the
 * token budget, top 10 as in `beleg eval`) with an engine that records the prompt and declines.
 * Every question is asked twice, as `beleg eval` does: with all paragraphs searchable (answerable)
 * and with its own paragraph left out (the unanswerable twin; siblings stay).
 *
 * Output: bench/.work/reader/<name>.prompts.json (not committed; rebuilt by this script).
 * Run: npx tsx bench/reader/dump-prompts.ts <squad.json> <name>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { createAnswerService } from '../../src/create-answerer.ts';
import { REFUSAL, type GenerateOptions, type GenerateResult, type LanguageModel, type StreamPart } from '../../src/engine/language-model.ts';
import type { RecordedCase, RecordedSource } from './recorded-case.ts';

type Squad = {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string; answers: Array<{ text: string }> }> }> }>;
};

/** Declines everything and keeps the last prompt it was given. */
class RecordingEngine implements LanguageModel {
  readonly engine = 'extractive';
  readonly modelId = 'recording';
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

const [datasetPath, name] = process.argv.slice(2);
if (!datasetPath || !name) throw new Error('Usage: npx tsx bench/reader/dump-prompts.ts <squad.json> <name>');
const squad = JSON.parse(readFileSync(datasetPath, 'utf8')) as Squad;
const workDirectory = path.resolve(import.meta.dirname, '../.work/reader');
mkdirSync(workDirectory, { recursive: true });

const config = loadConfig({}, { dataDir: path.join(workDirectory, `data-${name}`) });
const context = await openAppContext(config, { embeddingModel: null });
const engine = new RecordingEngine();
const answerer = createAnswerService(context, { extractive: engine }, 'extractive');

const documentIdOf = new Map<string, string>();
const started = performance.now();
for (const [articleIndex, article] of squad.data.entries()) {
  for (const [paragraphIndex, paragraph] of article.paragraphs.entries()) {
    const record = await context.ingestion.ingest({
      kind: 'text',
      title: `${article.title.replaceAll('_', ' ')} (${paragraphIndex})`,
      fileName: `${articleIndex}-${paragraphIndex}.txt`,
      text: paragraph.context,
    });
    if (record.status !== 'ready') throw new Error(`${article.title}/${paragraphIndex}: ${record.status} ${record.errorMessage}`);
    documentIdOf.set(`${articleIndex}/${paragraphIndex}`, record.id);
  }
}
console.log(`ingested ${documentIdOf.size} paragraphs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const allDocumentIds = [...documentIdOf.values()];
const cases: RecordedCase[] = [];
for (const [articleIndex, article] of squad.data.entries()) {
  for (const [paragraphIndex, paragraph] of article.paragraphs.entries()) {
    const goldDocumentId = documentIdOf.get(`${articleIndex}/${paragraphIndex}`)!;
    for (const qa of paragraph.qas) {
      const goldAnswers = [...new Set(qa.answers.map((answer) => answer.text.trim()).filter((text) => text.length > 0))];
      for (const answerable of [true, false]) {
        engine.last = null;
        const documentIds = answerable ? allDocumentIds : allDocumentIds.filter((id) => id !== goldDocumentId);
        await answerer.answer({ question: qa.question, topK: 10, documentIds });
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
          id: answerable ? qa.id : `${qa.id}/ohne-quelle`,
          article: articleIndex,
          half: articleIndex % 2 === 0 ? 'even' : 'odd',
          question: qa.question,
          answerable,
          goldAnswers,
          goldDocumentId,
          sources,
        });
      }
    }
  }
}
await context.close();
const output = path.join(workDirectory, `${name}.prompts.json`);
writeFileSync(output, JSON.stringify(cases));
console.log(`${cases.length} cases → ${output} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
