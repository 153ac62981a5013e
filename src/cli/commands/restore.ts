/**
 * `beleg restore <file.tar> --data-dir DIR`: restores a backup into a new or empty directory,
 * after checking it whole (see src/backup/restore-backup.ts).
 */
import { parseArgs } from 'node:util';
import { BackupPostgresMetadataError, restoreBackup } from '../../backup/index.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { describeManifest } from '../describe-backup.ts';

const USAGE = `Usage: beleg restore <file.tar> --data-dir DIR [--json]

Restores a backup written by 'beleg backup' into DIR, which must not exist or be empty. The
backup is checked first (manifest, sizes and checksums, database, chunk table); on any problem
nothing is written. Then start it with 'beleg serve --data-dir DIR'.

Options:
  --data-dir DIR   the directory to restore into (required; BELEG_DATA_DIR is not used)
  --json           print the manifest as JSON`;

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
  if (positionals.length !== 1) throw new ValidationError(userMessage('validation_failed.cli_restore_file', { usage: USAGE }));
  const target = values['data-dir'];
  if (!target) throw new ValidationError(userMessage('validation_failed.cli_restore_target', { usage: USAGE }));
  if (loadConfig(process.env, { dataDir: target }).databaseUrl !== undefined) throw new BackupPostgresMetadataError();
  const { dataDir, manifest } = await restoreBackup({ file: positionals[0]!, dataDir: target });
  if (values.json) {
    console.log(JSON.stringify({ dataDir, manifest }, null, 2));
    return 0;
  }
  console.log(`Restored ${positionals[0]} into ${dataDir}:`);
  console.log(describeManifest(manifest));
  const inProgress = manifest.counts.documents.pending + manifest.counts.documents.indexing;
  if (inProgress > 0) console.log(`${inProgress} documents were being indexed when the backup was taken; beleg indexes them again at the first start.`);
  if (manifest.index?.embeddingModelId) {
    console.log(
      `The chunks carry vectors of the embedding model '${manifest.index.embeddingModelId}' (models are not in backups): set BELEG_EMBEDDING_MODEL_DIR to that model, or beleg re-embeds every chunk at the first start.`,
    );
  }
  console.log(`Start it with: beleg serve --data-dir ${dataDir}`);
  return 0;
}
