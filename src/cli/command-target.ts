/**
 * Where `beleg ingest`, `ask`, `docs` and `rm` do their work: in the data directory itself, or
 * through the beleg server that holds it. Only one process opens a data directory; when that is a
 * running server (its lock says where it listens), the command becomes its HTTP client instead of
 * failing with `data_directory_locked`. `--server URL` or BELEG_SERVER_URL names a server
 * explicitly, and then the data directory is not touched at all.
 */
import { openAppContext, type AppContext, type AppContextOptions } from '../app-context.ts';
import type { Config } from '../config.ts';
import { DataDirectoryLockedError } from '../db/index.ts';
import type { Ingestion } from '../ingest/types.ts';
import { ServerClient } from './server-client.ts';

/** What the document commands need, in-process (`Ingestion`) or from a server (`ServerClient`). */
export type DocumentOperations = Pick<Ingestion, 'ingest' | 'list' | 'remove'>;

export type CommandTarget =
  | { kind: 'data-directory'; context: AppContext; documents: DocumentOperations; close(): Promise<void> }
  | { kind: 'server'; client: ServerClient; documents: DocumentOperations; close(): Promise<void> };

function serverTarget(url: string, config: Config): CommandTarget {
  const client = new ServerClient({ url, apiKey: config.serverApiKey, language: config.language });
  return { kind: 'server', client, documents: client, close: async () => undefined };
}

/** Opens the data directory of `config`, or a client of the server named by or holding it; see the file comment. */
export async function openCommandTarget(config: Config, options: AppContextOptions = {}): Promise<CommandTarget> {
  if (config.serverUrl !== undefined) return serverTarget(config.serverUrl, config);
  try {
    const context = await openAppContext(config, options);
    return { kind: 'data-directory', context, documents: context.ingestion, close: () => context.close() };
  } catch (error) {
    const url = error instanceof DataDirectoryLockedError ? error.holder?.url : null;
    if (url) return serverTarget(url, config);
    throw error;
  }
}
