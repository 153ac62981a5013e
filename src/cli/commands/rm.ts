/** `beleg rm <id>...`: deletes documents from both stores (in the data directory, or through the server that holds it). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { BelegError, ValidationError } from '../../errors.ts';
import { text, userMessage } from '../../messages/index.ts';
import { openCommandTarget } from '../command-target.ts';
import { describeError } from '../describe-error.ts';

const USAGE = "Usage: beleg rm <id>... [--data-dir DIR] [--server URL]\n\nIds as listed by 'beleg docs'.";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new ValidationError(userMessage('validation_failed.cli_no_document_ids', { usage: USAGE }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'], serverUrl: values.server });
  const target = await openCommandTarget(config, { resume: false });
  let failures = 0;
  try {
    for (const id of positionals) {
      try {
        await target.documents.remove(id);
        console.log(text(config.language, 'cli.rm.removed', { id }));
      } catch (error) {
        if (!(error instanceof BelegError)) throw error;
        failures += 1;
        console.error(describeError(error, config.language));
      }
    }
  } finally {
    await target.close();
  }
  return failures > 0 ? 1 : 0;
}
