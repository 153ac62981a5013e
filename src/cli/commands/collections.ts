/**
 * `beleg collections [list] | create <id> [--name NAME] | delete <id> | move <document-id> <id>`:
 * the collections with their document counts, in the data directory or through the server that holds it.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';

const USAGE = `Usage: beleg collections [list | create <id> [--name NAME] | delete <id> | move <document-id> <id>] [--json] [--data-dir DIR] [--server URL]

Collection ids are 1-64 lower-case letters, digits and dashes. A collection is deleted only when empty.
move takes a document out of its collections (those your key may use) into <id>; a mail's attachments move with it.`;

type Collection = { id: string; name: string; documentCount: number };

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command = 'list', first] = positionals;
  if (!['list', 'create', 'delete', 'move'].includes(command)) {
    throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'command', choices: 'list, create, delete, move', value: command }));
  }
  if (command !== 'list' && !first) throw new ValidationError(userMessage('validation_failed.cli_no_id', { usage: USAGE }));
  // `move <document-id> <collection>`; the others take the collection id first.
  const documentId = command === 'move' ? first : undefined;
  const id = command === 'move' ? positionals[2] : first;
  if (command === 'move' && !id) throw new ValidationError(userMessage('validation_failed.cli_no_id', { usage: USAGE }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'], serverUrl: values.server });
  const target = await openCommandTarget(config, { resume: false });
  try {
    if (target.kind === 'data-directory') {
      const access = target.context.access;
      if (command === 'create') await access.createCollection(id!, values.name ?? id!);
      if (command === 'delete') await access.deleteCollection(id!);
      if (command === 'move') await target.context.ingestion.move(documentId!, id!);
    } else {
      if (command === 'create') await target.client.admin('POST', '/collections', { id, name: values.name ?? id });
      if (command === 'delete') await target.client.admin('DELETE', `/collections/${encodeURIComponent(id!)}`);
      if (command === 'move') await target.client.admin('POST', `/documents/${encodeURIComponent(documentId!)}/move`, { collection: id });
    }
    const collections: Collection[] =
      target.kind === 'data-directory' ? await target.context.access.listCollections() : ((await target.client.admin('GET', '/collections')) as { collections: Collection[] }).collections;
    if (values.json) console.log(JSON.stringify({ collections }, null, 2));
    else for (const collection of collections) console.log(`${collection.id.padEnd(24)} ${String(collection.documentCount).padStart(6)}  ${collection.name}`);
    return 0;
  } finally {
    await target.close();
  }
}
