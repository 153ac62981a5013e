/**
 * `beleg ask "<question>"`: answers from the ingested documents with a verified quote and how sure
 * it is, or declines with the reason and the passages worth reading ("Mögliche Fundstellen").
 * The answerer itself is wired in src/create-answerer.ts (re-exported here for older imports).
 */
import { parseArgs } from 'node:util';
import type { Answer, AnswerStreamPart, Answerer, AskRequest, Citation } from '../../answer/answer-contract.ts';
import { confidenceBand, confidencePercent } from '../../answer/confidence.ts';
import { engineNames, loadConfig, type Config, type EngineName } from '../../config.ts';
import { createEngines } from '../../engine/create-engine.ts';
import { answerServiceSettings, createAnswerService } from '../../create-answerer.ts';
import { ValidationError } from '../../errors.ts';
import { text, userMessage, type Language } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';
import { describeError } from '../describe-error.ts';

export { createAnswerService } from '../../create-answerer.ts';

const USAGE = `Usage: beleg ask "<question>" [options]

Answers with a verbatim, verified quote from your documents, or declines.

Options:
  --json              print the whole answer (confidence, citations with offsets, candidates, sources, timings) as JSON
  --stream            print the answer as it is generated
  --engine NAME       ${engineNames.join(' | ')} (default: BELEG_ENGINE, or gptq with BELEG_MODEL_DIR, else extractive)
  --min-confidence X  present a quote as the answer only from this confidence (0..1) on; below it, decline
                      and list it under "Mögliche Fundstellen" (default: BELEG_MIN_CONFIDENCE)
  --top-k N           chunks to retrieve (default 6)
  --document ID       only search this document (repeatable)
  --collection ID     only search this collection (repeatable; a server narrows to the API key's own)
  --data-dir DIR      data directory (default: BELEG_DATA_DIR or ./data)
  --server URL        ask this beleg server (default: BELEG_SERVER_URL, or the server using the data
                      directory, if one runs); its API key comes from BELEG_API_KEY`;

/** ", Seite 3", ", Folie 3" or ", Tabelle Haushalt, Zeile 5 (A5:D5)"; '' when the citation names no part. */
function locationMessage(citation: Citation) {
  const location = citation.location;
  if (location?.kind === 'slide') return userMessage('cli.ask.slide', { number: location.number });
  if (location?.kind === 'row') return userMessage('cli.ask.row', { sheet: location.sheet ?? '', number: location.number, cells: location.cells ?? '' });
  return citation.page === null ? '' : userMessage('cli.ask.page', { page: citation.page });
}

function describeCitation(citation: Citation, language: Language): string {
  // A quote from a page read by OCR says so: the scan may differ from the stored text.
  const ocr = citation.ocr
    ? ` ${text(language, 'cli.ocr_quote', { percent: citation.ocrConfidence === undefined ? '–' : Math.floor(citation.ocrConfidence * 100 + 1e-9) })}`
    : '';
  return `${text(language, 'cli.ask.citation', {
    name: citation.title ?? citation.fileName ?? citation.url ?? citation.documentId,
    page: locationMessage(citation),
    id: citation.documentId,
    start: citation.charStart,
    end: citation.charEnd,
    normalized: citation.match === 'normalized' ? userMessage('cli.ask.normalized') : '',
  })}${ocr}`;
}

/**
 * The answer as printed lines, in the locale's language (texts from the message catalogue): the
 * quote (or the refusal), how sure it is in words and number (measured against the server's
 * threshold `minConfidence`, not a request's override), the citations; for a declined answer the
 * reason and the candidates to read.
 */
export function formatAnswer(answer: Answer, options: { printText: boolean; minConfidence?: number; language: Language }): string[] {
  const { language } = options;
  const lines: string[] = [];
  if (options.printText) lines.push(answer.answer);
  if (answer.declined) {
    const reason = answer.reason ?? 'model_declined';
    lines.push(text(language, 'cli.ask.declined', { explanation: userMessage(`declined.${reason}`), reason }));
    if (answer.candidates.length > 0) {
      lines.push('', text(language, 'cli.ask.candidates_heading'), text(language, 'cli.ask.candidates_note'));
      answer.candidates.forEach((candidate, index) => {
        const estimate = text(language, 'cli.ask.candidate_confidence', { percent: confidencePercent(candidate.confidence) });
        lines.push(`[${index + 1}] ${describeCitation(candidate, language)}, ${estimate}`);
        lines.push(`    „${candidate.quote}“`);
      });
      lines.push('');
    }
  } else {
    lines.push(
      answer.confidence === null
        ? text(language, 'cli.ask.confidence_unknown')
        : text(language, 'cli.ask.confidence', {
            word: userMessage(`fragment.confidence.${confidenceBand(answer.confidence, options.minConfidence).level}`),
            percent: confidencePercent(answer.confidence),
          }),
    );
    answer.citations.forEach((citation, index) => lines.push(`[${index + 1}] ${describeCitation(citation, language)}`));
  }
  const { retrieveMs, generateMs, totalMs } = answer.timings;
  lines.push(
    text(language, 'cli.ask.summary', {
      engine: answer.engine,
      model: answer.model,
      sources: answer.sources.length,
      retrieveMs: retrieveMs.toFixed(0),
      generateMs: generateMs.toFixed(0),
      totalMs: totalMs.toFixed(0),
    }),
  );
  return lines;
}

/** An answerer over the configured data directory and engines, and how to release them. */
export type OpenedAnswerer = { answerer: Pick<Answerer, 'answer' | 'stream'>; close(): Promise<void> };

/** What `beleg ask` needs from the rest of beleg; tests hand in their own answerer. */
export type AskDependencies = { openAnswerer(config: Config): Promise<OpenedAnswerer> };

async function openAnswerer(config: Config): Promise<OpenedAnswerer> {
  const target = await openCommandTarget(config, { resume: false, onNotice: (message) => console.error(message) });
  if (target.kind === 'server') {
    // The server answers with its own engines; the engine and threshold configured here go along.
    const client = target.client;
    const withSettings = (request: AskRequest): AskRequest => ({
      ...request,
      engine: request.engine ?? config.engine,
      minConfidence: request.minConfidence ?? config.minConfidence,
    });
    return {
      answerer: { answer: (request) => client.answer(withSettings(request)), stream: (request) => client.stream(withSettings(request)) },
      close: () => target.close(),
    };
  }
  const context = target.context;
  try {
    const { engines, defaultEngine } = await createEngines(config, { onProgress: (message) => console.error(message) });
    return {
      answerer: createAnswerService(context, engines, defaultEngine, answerServiceSettings(config)),
      close: async () => {
        for (const engine of Object.values(engines)) await engine.dispose();
        await context.close();
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}

function parseMinConfidence(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw new ValidationError(userMessage('validation_failed.cli_min_confidence', { value }));
  }
  return number;
}

export async function run(args: string[], dependencies: AskDependencies = { openAnswerer }): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      stream: { type: 'boolean', default: false },
      engine: { type: 'string' },
      'min-confidence': { type: 'string' },
      'top-k': { type: 'string' },
      document: { type: 'string', multiple: true },
      collection: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const question = positionals.join(' ').trim();
  if (question.length === 0) throw new ValidationError(userMessage('validation_failed.cli_no_question', { usage: USAGE }));
  if (values.engine !== undefined && !(engineNames as readonly string[]).includes(values.engine)) {
    throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'engine', choices: engineNames.join(', '), value: values.engine }));
  }
  const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > 50)) throw new ValidationError(userMessage('validation_failed.cli_top_k'));
  const minConfidence = parseMinConfidence(values['min-confidence']);

  const config = loadConfig(process.env, { dataDir: values['data-dir'], engine: values.engine as EngineName | undefined, serverUrl: values.server });
  const { answerer, close } = await dependencies.openAnswerer(config);
  const printAnswer = (answer: Answer, printText: boolean) => {
    for (const line of formatAnswer(answer, { printText, minConfidence: config.minConfidence, language: config.language })) console.log(line);
  };
  try {
    const request: AskRequest = { question, topK, documentIds: values.document, minConfidence, ...(values.collection ? { collectionIds: values.collection } : {}) };
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
        console.error(`\n${describeError(part.error, config.language)}`);
        return 1;
      }
    }
    return 0;
  } finally {
    await close();
  }
}
