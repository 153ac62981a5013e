/**
 * `beleg ask "<question>"`: answers from the ingested documents with a verified quote and how sure
 * it is, or declines with the reason and the passages worth reading ("Mögliche Fundstellen").
 * The answerer itself is wired in src/create-answerer.ts (re-exported here for older imports).
 */
import { parseArgs } from 'node:util';
import type { Answer, AnswerStreamPart, Answerer, AskRequest, Citation, DeclineReason } from '../../answer/answer-contract.ts';
import { confidencePercent, confidenceWord } from '../../answer/confidence.ts';
import { openAppContext } from '../../app-context.ts';
import { engineNames, loadConfig, type Config, type EngineName } from '../../config.ts';
import { createEngines } from '../../engine/create-engine.ts';
import { createAnswerService } from '../../create-answerer.ts';
import { ValidationError } from '../../errors.ts';

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
  --data-dir DIR      data directory (default: BELEG_DATA_DIR or ./data)`;

// Texts of the printed answer, in one place (to move into the message catalogue).
const declineReasonTexts: Record<DeclineReason, string> = {
  no_sources: 'In den Dokumenten fand sich keine passende Stelle.',
  model_declined: 'Die gefundenen Stellen beantworten die Frage nicht.',
  unverifiable_quote: 'Das Zitat ließ sich im gespeicherten Text nicht nachweisen und wurde verworfen.',
  below_threshold: 'Keine Stelle passt sicher genug zur Frage.',
  focus_not_found: 'Ein Begriff, um den es in der Frage geht, kommt in den gefundenen Stellen nicht vor.',
  off_topic: 'Die beste gefundene Stelle handelt nicht von dem, wonach gefragt ist.',
};
const texts = {
  confidence: (word: string, percent: number) => `Sicherheit: ${word} (${percent} %)`,
  confidenceUnknown: 'Sicherheit: nicht geschätzt (diese Engine schätzt sie nicht)',
  declined: (reasonText: string, reason: string) => `Abgelehnt: ${reasonText} [${reason}]`,
  possibleHeading: 'Mögliche Fundstellen:',
  possibleNote: 'Keine sichere Antwort. Diese Stellen könnten passen – bitte selbst prüfen.',
  candidateConfidence: (percent: number) => `geschätzt ${percent} %`,
};

function describeCitation(citation: Citation): string {
  const name = citation.title ?? citation.fileName ?? citation.url ?? citation.documentId;
  const page = citation.page === null ? '' : `, Seite ${citation.page}`;
  return `${name}${page} (Dokument ${citation.documentId}, Zeichen ${citation.charStart}–${citation.charEnd}${citation.match === 'normalized' ? ', normalisiert' : ''})`;
}

/**
 * The answer as printed lines: the quote (or the refusal), how sure it is in words and number
 * (measured against the server's threshold `minConfidence`, not a request's override), the
 * citations; for a declined answer the reason and the candidates to read.
 */
export function formatAnswer(answer: Answer, options: { printText: boolean; minConfidence?: number }): string[] {
  const lines: string[] = [];
  if (options.printText) lines.push(answer.answer);
  if (answer.declined) {
    const reason = answer.reason ?? 'model_declined';
    lines.push(texts.declined(declineReasonTexts[reason], reason));
    if (answer.candidates.length > 0) {
      lines.push('', texts.possibleHeading, texts.possibleNote);
      answer.candidates.forEach((candidate, index) => {
        lines.push(`[${index + 1}] ${describeCitation(candidate)}, ${texts.candidateConfidence(confidencePercent(candidate.confidence))}`);
        lines.push(`    „${candidate.quote}“`);
      });
      lines.push('');
    }
  } else {
    lines.push(
      answer.confidence === null
        ? texts.confidenceUnknown
        : texts.confidence(confidenceWord(answer.confidence, options.minConfidence), confidencePercent(answer.confidence)),
    );
    answer.citations.forEach((citation, index) => lines.push(`[${index + 1}] ${describeCitation(citation)}`));
  }
  const { retrieveMs, generateMs, totalMs } = answer.timings;
  lines.push(`engine ${answer.engine} (${answer.model}); ${answer.sources.length} sources; retrieve ${retrieveMs.toFixed(0)} ms, generate ${generateMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms`);
  return lines;
}

/** An answerer over the configured data directory and engines, and how to release them. */
export type OpenedAnswerer = { answerer: Answerer; close(): Promise<void> };

/** What `beleg ask` needs from the rest of beleg; tests hand in their own answerer. */
export type AskDependencies = { openAnswerer(config: Config): Promise<OpenedAnswerer> };

async function openAnswerer(config: Config): Promise<OpenedAnswerer> {
  const context = await openAppContext(config, { resume: false, onNotice: (message) => console.error(message) });
  try {
    const { engines, defaultEngine } = await createEngines(config, { onProgress: (message) => console.error(message) });
    return {
      answerer: createAnswerService(context, engines, defaultEngine, { minConfidence: config.minConfidence }),
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
    throw new ValidationError(`--min-confidence must be a number from 0 to 1 (e.g. 0.7), not '${value}'.`);
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
  const minConfidence = parseMinConfidence(values['min-confidence']);

  const config = loadConfig(process.env, { dataDir: values['data-dir'], engine: values.engine as EngineName | undefined });
  const { answerer, close } = await dependencies.openAnswerer(config);
  const printAnswer = (answer: Answer, printText: boolean) => {
    for (const line of formatAnswer(answer, { printText, minConfidence: config.minConfidence })) console.log(line);
  };
  try {
    const request: AskRequest = { question, topK, documentIds: values.document, minConfidence };
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
    await close();
  }
}
