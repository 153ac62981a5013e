/**
 * `beleg backup <file.tar>`: writes a consistent snapshot of the data directory to a tar file,
 * while `beleg serve` runs on it or while it is idle (see src/backup/create-backup.ts).
 */
import { parseArgs } from 'node:util';
import { BackupPostgresMetadataError, createBackup, type BackupStep } from '../../backup/index.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { describeManifest } from '../describe-backup.ts';

const USAGE = `Usage: beleg backup <file.tar> [--data-dir DIR] [--json]

Writes a consistent snapshot of the data directory to a new tar file: the database (documents,
stored texts, jobs), the chunk table and the saved inputs of documents still being indexed, with
a manifest. Works while 'beleg serve' uses the directory (it reads, never locks or writes) and
while it is idle. Models under <data dir>/models are not included.

Options:
  --data-dir DIR   data directory (default: BELEG_DATA_DIR or ./data)
  --json           print the manifest as JSON`;

const STEP_TEXT: Record<BackupStep, string> = {
  uploads: 'saved inputs linked',
  database: 'database snapshot taken',
  chunks: 'chunk table copied',
  archive: 'archive written',
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new ValidationError(userMessage('validation_failed.cli_backup_file', { usage: USAGE }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'] });
  if (config.databaseUrl !== undefined) throw new BackupPostgresMetadataError();
  const started = performance.now();
  const result = await createBackup({
    dataDir: config.dataDir,
    file: positionals[0]!,
    onStep: (step) => {
      if (!values.json) console.error(`beleg backup: ${STEP_TEXT[step]} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    },
  });
  if (values.json) {
    console.log(JSON.stringify({ file: result.file, bytes: result.bytes, manifest: result.manifest }, null, 2));
    return 0;
  }
  console.log(`Backup of ${config.dataDir} written to ${result.file} (${(result.bytes / 1024 / 1024).toFixed(1)} MiB):`);
  console.log(describeManifest(result.manifest));
  if (result.manifest.counts.missingUploads > 0) {
    console.log(
      `warning: ${result.manifest.counts.missingUploads} documents finished indexing while the backup ran and their inputs were gone; after a restore they are marked failed (ingestion_interrupted) and must be ingested again.`,
    );
  }
  return 0;
}
