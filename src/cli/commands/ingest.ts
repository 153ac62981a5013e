/**
 * `beleg ingest <file|url>...`: indexes files and web pages, with progress; one failure does not
 * stop the rest. Works in the data directory, or through the server that holds it (../command-target.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { BelegError, ValidationError } from '../../errors.ts';
import type { DocumentInput, DocumentRecord } from '../../ingest/types.ts';
import { documentErrorIn } from '../../ingest/document-error.ts';
import { text, userMessage, type Language } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';
import { createProgress } from '../progress.ts';

const USAGE = `Usage: beleg ingest <file|url>... [--collection ID] [--data-dir DIR] [--server URL]

Indexes each file into the collection --collection names (default: allgemein): each file (PDF, DOCX, ODT, RTF, PPTX, ODP, XLSX, ODS, EML, MSG, EPUB, HTML, Markdown, text; scanned PDFs and PNG/JPEG/TIFF images by OCR) or http(s) URL. Exits with 1 if any failed.
While a beleg server uses the data directory, the files go to it over HTTP (API key: BELEG_API_KEY).`;
/** Inputs read and waiting at once; the queue indexes them one after another. */
const IN_FLIGHT = 2;

/**
 * An argument as an ingestion input: anything with a scheme (`https://…`, also `ftp://…`) is a URL,
 * so a URL beleg will not fetch is refused as `blocked_url`, as by the API; everything else a file path.
 */
async function inputOf(argument: string): Promise<DocumentInput> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(argument)) return { kind: 'url', url: argument };
  try {
    return { kind: 'file', fileName: path.basename(argument), bytes: new Uint8Array(await readFile(argument)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BelegError(userMessage('file_unreadable', { path: argument, reason: code ?? 'error' }), { details: { path: argument } });
  }
}

function describe(document: DocumentRecord, language: Language): string {
  if (document.status === 'ready') return text(language, 'cli.ingest.ready', { id: document.id, chunks: document.chunkCount, title: document.title ?? '' }).trimEnd();
  return text(language, 'cli.ingest.failed', { id: document.id, code: document.errorCode ?? document.status, message: documentErrorIn(document, language) ?? '' });
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { collection: { type: 'string' }, 'data-dir': { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new ValidationError(userMessage('validation_failed.cli_no_inputs', { usage: USAGE }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'], serverUrl: values.server });
  const { language } = config;
  const target = await openCommandTarget(config);
  const progress = createProgress(positionals.length, 'documents');
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < positionals.length) {
      const argument = positionals[next++]!;
      try {
        const name = path.basename(argument);
        const document = await target.documents.ingest(await inputOf(argument), {
          ...(values.collection ? { collectionId: values.collection } : {}),
          onProgress: ({ ocrPagesDone, ocrPagesTotal }) =>
            progress.ocr(argument, ocrPagesDone, ocrPagesTotal, text(language, 'cli.ocr_progress', { name, done: ocrPagesDone, total: ocrPagesTotal })),
        });
        if (document.status !== 'ready') failures += 1;
        progress.log(`${describe(document, language)}  ${argument}`);
      } catch (error) {
        failures += 1;
        const [code, message] = error instanceof BelegError ? [error.code, error.messageIn(language)] : ['internal_error', String(error)];
        progress.log(text(language, 'cli.ingest.failed', { id: argument, code, message }));
      }
      progress.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, positionals.length) }, worker));
  } finally {
    progress.stop();
    await target.close();
  }
  if (positionals.length > 1) {
    console.log(text(language, 'cli.ingest.summary', { succeeded: positionals.length - failures, total: positionals.length, failed: failures }));
  }
  return failures > 0 ? 1 : 0;
}
