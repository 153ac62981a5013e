/** `beleg ingest <file|url>...`: indexes files and web pages, with progress; one failure does not stop the rest. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openAppContext } from '../../app-context.ts';
import { loadConfig } from '../../config.ts';
import { BelegError, ValidationError } from '../../errors.ts';
import type { DocumentInput, DocumentRecord } from '../../ingest/types.ts';
import { createProgress } from '../progress.ts';

const USAGE = 'Usage: beleg ingest <file|url>... [--data-dir DIR]\n\nIndexes each file (PDF, HTML, Markdown, text) or http(s) URL. Exits with 1 if any failed.';
/** Inputs read and waiting at once; the queue indexes them one after another. */
const IN_FLIGHT = 2;

/** An argument as an ingestion input: URLs by scheme, everything else a file path. */
async function inputOf(argument: string): Promise<DocumentInput> {
  if (/^https?:\/\//i.test(argument)) return { kind: 'url', url: argument };
  try {
    return { kind: 'file', fileName: path.basename(argument), bytes: new Uint8Array(await readFile(argument)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BelegError('file_unreadable', `Cannot read '${argument}' (${code ?? 'error'}). Check the path and permissions.`);
  }
}

function describe(document: DocumentRecord): string {
  return document.status === 'ready'
    ? `ok      ${document.id}  ${document.chunkCount} chunks  ${document.title ?? ''}`.trimEnd()
    : `failed  ${document.id}  [${document.errorCode}] ${document.errorMessage}`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new ValidationError(`Name at least one file or URL.\n\n${USAGE}`);
  const config = loadConfig(process.env, { dataDir: values['data-dir'] });
  const context = await openAppContext(config);
  const progress = createProgress(positionals.length, 'documents');
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < positionals.length) {
      const argument = positionals[next++]!;
      try {
        const document = await context.ingestion.ingest(await inputOf(argument));
        if (document.status !== 'ready') failures += 1;
        progress.log(`${describe(document)}  ${argument}`);
      } catch (error) {
        failures += 1;
        const reason = error instanceof BelegError ? `[${error.code}] ${error.message}` : String(error);
        progress.log(`failed  ${argument}  ${reason}`);
      }
      progress.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, positionals.length) }, worker));
  } finally {
    progress.stop();
    await context.close();
  }
  if (positionals.length > 1) console.log(`${positionals.length - failures} of ${positionals.length} ingested, ${failures} failed.`);
  return failures > 0 ? 1 : 0;
}
