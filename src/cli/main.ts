/**
 * The `beleg` command line. Each subcommand lives in ./commands/<name>.ts and exports
 * `run(args: string[]): Promise<number>` (the exit code). Argument parsing uses node:util's parseArgs.
 * Errors are printed in the locale's language (German for LANG=de_DE.UTF-8 and the like, see
 * src/config.ts languageOfLocale); help texts are English.
 */
import { languageOfLocale } from '../config.ts';
import { BelegError } from '../errors.ts';
import { text } from '../messages/index.ts';
import { describeError } from './describe-error.ts';

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  generate: { summary: 'generate text with a local GPTQ checkpoint', load: () => import('./commands/generate.ts') },
  serve: { summary: 'start the HTTP service and web page', load: () => import('./commands/serve.ts') },
  worker: { summary: 'take ingestion jobs from the PostgreSQL work queue (beleg serve --role worker)', load: () => import('./commands/worker.ts') },
  ingest: { summary: 'index files and web pages', load: () => import('./commands/ingest.ts') },
  docs: { summary: 'list documents and their status', load: () => import('./commands/docs.ts') },
  rm: { summary: 'delete documents', load: () => import('./commands/rm.ts') },
  collections: { summary: 'list, create and delete collections (with document counts)', load: () => import('./commands/collections.ts') },
  keys: { summary: 'create, list, rotate and revoke API keys scoped to collections', load: () => import('./commands/keys.ts') },
  models: { summary: 'download embedding models (beleg models pull <owner/name>)', load: () => import('./commands/models.ts') },
  eval: { summary: 'evaluate answers and citations on a dataset', load: () => import('./commands/eval.ts') },
  ask: { summary: 'answer a question with a verified quote (or decline)', load: () => import('./commands/ask.ts') },
  backup: { summary: 'write a consistent snapshot of the data directory to a tar file (also while serving)', load: () => import('./commands/backup.ts') },
  restore: { summary: 'restore a backup into a new or empty data directory', load: () => import('./commands/restore.ts') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`);
  return ['Usage: beleg <command> [options]', '', 'Commands:', ...lines, '', "Run 'beleg <command> --help' for its options."].join('\n');
}

/**
 * Lets output end quietly when its reader goes away (`beleg docs | head -3`): a write to the closed
 * pipe fails with EPIPE, which would otherwise crash the process with a stack trace. The command
 * still finishes its work (an ingestion is not cut short) and exits with its own code; what it
 * prints from then on goes nowhere. Other stream errors still fail loudly.
 */
export function endQuietlyOnClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[], environment: Record<string, string | undefined> = process.env): Promise<number> {
  const language = languageOfLocale(environment);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(text(language, 'cli.unknown_command', { name, usage: usage() }));
    return 2;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    if (error instanceof BelegError) {
      console.error(describeError(error, language));
      return 1;
    }
    throw error;
  }
}
