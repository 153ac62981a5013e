/**
 * `beleg keys create|list|rotate|revoke`: API keys scoped to collections, in the data directory or
 * through the server that holds it (then with an admin key in BELEG_API_KEY). A secret is printed
 * once, when it is created or rotated; only its SHA-256 is stored.
 */
import { parseArgs } from 'node:util';
import type { AccessService } from '../../access/access-service.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';

const USAGE = `Usage: beleg keys <command> [--data-dir DIR] [--server URL]

Commands:
  create --name NAME --role read|write|admin --collection ID...   (--collection '*' for every collection)
  list                                                            keys without their secrets
  rotate <id>                                                     a new secret; the old one stops working
  revoke <id>                                                     the key stops working

A secret is printed once. Keys from BELEG_API_KEYS are admin keys for every collection and are not listed.`;

const ROLES = ['read', 'write', 'admin'] as const;

/** The key operations, in-process or over HTTP. */
type KeyOperations = {
  create(options: { name: string; role: (typeof ROLES)[number]; collections: string[] }): Promise<unknown>;
  list(): Promise<unknown>;
  rotate(id: string): Promise<unknown>;
  revoke(id: string): Promise<unknown>;
};

function inProcess(access: AccessService): KeyOperations {
  return {
    create: async (options) => access.createKey(options),
    list: async () => ({ keys: await access.listKeys() }),
    rotate: async (id) => access.rotateKey(id),
    revoke: async (id) => access.revokeKey(id),
  };
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      collection: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, id] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['create', 'list', 'rotate', 'revoke'].includes(command)) throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'command', choices: 'create, list, rotate, revoke', value: command }));
  if ((command === 'rotate' || command === 'revoke') && !id) throw new ValidationError(userMessage('validation_failed.cli_no_id', { usage: USAGE }));
  const role = values.role as (typeof ROLES)[number] | undefined;
  if (command === 'create') {
    if (!role || !ROLES.includes(role)) throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'role', choices: ROLES.join(', '), value: values.role ?? '' }));
    if (!values.collection?.length) throw new ValidationError(userMessage('validation_failed.cli_choice', { flag: 'collection', choices: "a collection id, or '*'", value: '' }));
  }
  const config = loadConfig(process.env, { dataDir: values['data-dir'], serverUrl: values.server });
  const target = await openCommandTarget(config, { resume: false });
  try {
    const keys: KeyOperations =
      target.kind === 'data-directory'
        ? inProcess(target.context.access)
        : {
            create: (options) => target.client.admin('POST', '/keys', options),
            list: () => target.client.admin('GET', '/keys'),
            rotate: (keyId) => target.client.admin('POST', `/keys/${encodeURIComponent(keyId)}/rotate`),
            revoke: (keyId) => target.client.admin('DELETE', `/keys/${encodeURIComponent(keyId)}`),
          };
    let result: unknown;
    if (command === 'create') result = await keys.create({ name: values.name ?? `${role}-key`, role: role!, collections: values.collection! });
    else if (command === 'list') result = await keys.list();
    else if (command === 'rotate') result = await keys.rotate(id!);
    else result = await keys.revoke(id!);
    if (result !== undefined && result !== null) console.log(JSON.stringify(result, null, 2));
    return 0;
  } finally {
    await target.close();
  }
}
