/** `beleg docs [--json]`: lists the documents with their status (in the data directory, or from the server that holds it). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import type { DocumentRecord, DocumentStatus } from '../../ingest/types.ts';
import { documentErrorIn, documentInLanguage } from '../../ingest/document-error.ts';
import { text, userMessage, type Language } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';

const USAGE = 'Usage: beleg docs [--json] [--status pending|indexing|ready|failed] [--collection ID]... [--limit N] [--data-dir DIR] [--server URL]';
const STATUSES: DocumentStatus[] = ['pending', 'indexing', 'ready', 'failed'];

function nameOf(document: DocumentRecord, language: Language): string {
  const name = document.title ?? document.fileName ?? document.url ?? '';
  // An e-mail and its attachments point at each other by id (`beleg rm <mail>` removes both).
  const links = [
    document.parentId ? text(language, 'cli.docs.attachment_of', { id: document.parentId }) : '',
    document.attachmentIds?.length ? text(language, 'cli.docs.attachments', { count: document.attachmentIds.length, ids: document.attachmentIds.join(', ') }) : '',
  ].filter((link) => link.length > 0);
  return [name, ...links].join(' ');
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      status: { type: 'string' },
      collection: { type: 'string', multiple: true },
      limit: { type: 'string' },
      'data-dir': { type: 'string' },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const status = values.status as DocumentStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'status', choices: STATUSES.join(', '), value: status }));
  }
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(userMessage('validation_failed.cli_positive', { flag: 'limit' }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'], serverUrl: values.server });
  const { language } = config;
  const target = await openCommandTarget(config, { resume: false });
  try {
    const { documents, total } = await target.documents.list({ limit, status, ...(values.collection ? { collectionIds: values.collection } : {}) });
    if (values.json) {
      // As the API shows them, so the output is the same with or without a server.
      console.log(JSON.stringify({ documents: documents.map((document) => documentInLanguage(document, language)), total }, null, 2));
      return 0;
    }
    if (documents.length === 0) {
      console.log(text(language, 'cli.docs.none'));
      return 0;
    }
    const rows = documents.map((document) => [
      document.id,
      document.status,
      String(document.chunkCount),
      document.updatedAt.slice(0, 19).replace('T', ' '),
      document.status === 'failed' ? `${nameOf(document, language)} [${document.errorCode}] ${documentErrorIn(document, language) ?? ''}`.trim() : nameOf(document, language),
    ]);
    const header = ['id', 'status', 'chunks', 'updated (UTC)', 'title / file / url'];
    const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => row[column]!.length)));
    const format = (row: string[]) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ');
    console.log(format(header));
    for (const row of rows) console.log(format(row));
    if (total > documents.length) console.log(text(language, 'cli.docs.more', { count: total - documents.length }));
    return 0;
  } finally {
    await target.close();
  }
}
