/**
 * `beleg models pull <owner/name> [--revision R] [--all] [--hub-url URL] [--data-dir DIR]`:
 * downloads a model (by default an ONNX sentence-embedding export) into `<dataDir>/models/<repo>`.
 * `beleg models list`: shows the models pulled so far.
 *
 * Recommended German-capable embedding model: intfloat/multilingual-e5-small (384 dimensions,
 * about 470 MB as ONNX); then set BELEG_EMBEDDING_MODEL_DIR=<dataDir>/models/intfloat/multilingual-e5-small.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { pullModel } from '../../engine/models/pull-model.ts';

/** A German-capable default for semantic search. */
export const RECOMMENDED_EMBEDDING_MODEL = 'intfloat/multilingual-e5-small';

const USAGE = `Usage:
  beleg models pull <owner/name> [--revision R] [--all] [--hub-url URL] [--data-dir DIR]
  beleg models list [--data-dir DIR]

Recommended embedding model for German: ${RECOMMENDED_EMBEDDING_MODEL}`;

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

async function pull(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      revision: { type: 'string' },
      all: { type: 'boolean' },
      'hub-url': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const repo = positionals[0];
  if (!repo || positionals.length > 1) throw new ValidationError(userMessage('validation_failed.cli_one_model', { example: RECOMMENDED_EMBEDDING_MODEL }));
  const config = loadConfig(process.env, { dataDir: values['data-dir'] });
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: '{file} [{bar}] {percentage}% {done}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  let started = false;
  const result = await pullModel({
    repo,
    revision: values.revision,
    dataDir: config.dataDir,
    hubUrl: values['hub-url'],
    all: values.all,
    onProgress: (progress) => {
      if (!bar) return;
      const payload = { file: progress.file, done: formatBytes(progress.doneBytes), total: formatBytes(progress.totalBytes) };
      if (!started) {
        bar.start(Math.max(progress.totalBytes, 1), progress.doneBytes, payload);
        started = true;
      } else {
        bar.update(progress.doneBytes, payload);
      }
    },
  });
  bar?.stop();
  console.log(
    `Pulled ${result.repo}@${result.revision} into ${result.directory}: ${result.files.length} files, ${formatBytes(result.downloadedBytes)} downloaded` +
      (result.skippedFiles.length > 0 ? `, ${result.skippedFiles.length} already complete.` : '.'),
  );
  console.log(`Use it for semantic search with BELEG_EMBEDDING_MODEL_DIR=${result.directory}`);
  return 0;
}

function list(args: string[]): number {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const config = loadConfig(process.env, { dataDir: values['data-dir'] });
  const root = path.join(config.dataDir, 'models');
  const found: string[] = [];
  if (existsSync(root)) {
    for (const owner of readdirSync(root)) {
      const ownerDirectory = path.join(root, owner);
      for (const name of existsSync(ownerDirectory) ? readdirSync(ownerDirectory) : []) {
        const record = path.join(ownerDirectory, name, 'beleg-model.json');
        if (!existsSync(record)) continue;
        const { repo, revision } = JSON.parse(readFileSync(record, 'utf8')) as { repo: string; revision: string };
        found.push(`${repo}@${revision}  ${path.join(ownerDirectory, name)}`);
      }
    }
  }
  console.log(found.length > 0 ? found.join('\n') : `No models pulled into ${root}. Try 'beleg models pull ${RECOMMENDED_EMBEDDING_MODEL}'.`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'pull') return pull(rest);
  if (action === 'list') return list(rest);
  console.log(USAGE);
  return action === undefined || action === '--help' || action === '-h' ? 0 : 2;
}
