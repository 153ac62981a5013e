/**
 * `beleg ask "<question>"`: answers from the ingested documents with a verified quote, or declines.
 * The answerer itself is wired in src/create-answerer.ts (re-exported here for older imports).
 */
import { parseArgs } from 'node:util';
import type { Answer, AnswerStreamPart, Citation } from '../../answer/answer-contract.ts';
import { openAppContext } from '../../app-context.ts';
import { engineNames, loadConfig, type EngineName } from '../../config.ts';
import { createEngines } from '../../engine/create-engine.ts';
import { createAnswerService } from '../../create-answerer.ts';
import { ValidationError } from '../../errors.ts';

export { createAnswerService } from '../../create-answerer.ts';

const USAGE = `Usage: beleg ask "<question>" [options]

Answers with a verbatim, verified quote from your documents, or declines.

Options:
  --json              print the whole answer (citations with offsets, sources, timings) as JSON
  --stream            print the answer as it is generated
  --engine NAME       ${engineNames.join(' | ')} (default: BELEG_ENGINE, or gptq with BELEG_MODEL_DIR, else extractive)
  --top-k N           chunks to retrieve (default 6)
  --document ID       only search this document (repeatable)
  --data-dir DIR      data directory (default: BELEG_DATA_DIR or ./data)`;

function describeCitation(citation: Citation): string {
  const name = citation.title ?? citation.fileName ?? citation.url ?? citation.documentId;
  const page = citation.page === null ? '' : `, Seite ${citation.page}`;
  return `${name}${page} (Dokument ${citation.documentId}, Zeichen ${citation.charStart}–${citation.charEnd}${citation.match === 'normalized' ? ', normalisiert' : ''})`;
}

function printAnswer(answer: Answer, printText: boolean): void {
  if (printText) console.log(answer.answer);
  if (answer.declined) {
    console.log(`(abgelehnt: ${answer.reason})`);
  } else {
    answer.citations.forEach((citation, index) => console.log(`[${index + 1}] ${describeCitation(citation)}`));
  }
  const { retrieveMs, generateMs, totalMs } = answer.timings;
  console.log(`engine ${answer.engine} (${answer.model}); ${answer.sources.length} sources; retrieve ${retrieveMs.toFixed(0)} ms, generate ${generateMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms`);
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      stream: { type: 'boolean', default: false },
      engine: { type: 'string' },
      'top-k': { type: 'string' },
      document: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const question = positionals.join(' ').trim();
  if (question.length === 0) throw new ValidationError(`No question given.\n\n${USAGE}`);
  if (values.engine !== undefined && !(engineNames as readonly string[]).includes(values.engine)) {
    throw new ValidationError(`--engine must be one of ${engineNames.join(', ')}, not '${values.engine}'.`);
  }
  const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > 50)) throw new ValidationError('--top-k must be an integer from 1 to 50.');

  const config = loadConfig(process.env, { dataDir: values['data-dir'], engine: values.engine as EngineName | undefined });
  const context = await openAppContext(config, { resume: false, onNotice: (message) => console.error(message) });
  const { engines, defaultEngine } = await createEngines(config, { onProgress: (message) => console.error(message) });
  try {
    const answerer = createAnswerService(context, engines, defaultEngine, { minConfidence: config.minConfidence });
    const request = { question, topK, documentIds: values.document };
    if (!values.stream) {
      const answer = await answerer.answer(request);
      if (values.json) console.log(JSON.stringify(answer, null, 2));
      else printAnswer(answer, true);
      return 0;
    }
    for await (const part of answerer.stream(request) as AsyncIterable<AnswerStreamPart>) {
      if (values.json) {
        console.log(JSON.stringify(part));
      } else if (part.type === 'text-delta') {
        process.stdout.write(part.text);
      } else if (part.type === 'finish') {
        process.stdout.write('\n');
        printAnswer(part.answer, part.answer.declined);
      } else if (part.type === 'error') {
        console.error(`\nerror [${part.error.code}]: ${part.error.message}`);
        return 1;
      }
    }
    return 0;
  } finally {
    for (const engine of Object.values(engines)) await engine.dispose();
    await context.close();
  }
}
