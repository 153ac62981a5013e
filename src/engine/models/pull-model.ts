/**
 * Downloads a model repository from the Hugging Face hub into `<dataDir>/models/<owner>/<name>`
 * with @huggingface/hub (the only file that imports it).
 *
 * - By default only what an ONNX sentence-embedding export needs is fetched: JSON configs,
 *   tokenizer files, `1_Pooling/`, and one ONNX graph (`model.onnx`, else `onnx/model.onnx`, else
 *   the first `onnx/model*.onnx`) with its external data. `all: true` fetches every file.
 * - Resume: a file already complete with the right checksum is skipped; a partial download
 *   (`<file>.partial`) continues with an HTTP range request.
 * - Checksums: LFS files are checked against their SHA-256, small files against their git blob id.
 * - `beleg-model.json` records repo, revision and files; the embedding model reads its id from it.
 *
 * Without network (as on beleg's build machines) listing fails at once with a ModelNotFoundError
 * that says the hub cannot be reached and how to install a model by hand.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { downloadFile, HubApiError, listFiles, type ListFileEntry } from '@huggingface/hub';
import { ModelNotFoundError, ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

export type PullModelOptions = {
  /** `owner/name` on the hub. */
  repo: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** beleg's data directory; the model goes to `<dataDir>/models/<repo>`. */
  dataDir: string;
  /** Another hub endpoint (a mirror); default: the library's. */
  hubUrl?: string;
  /** Fetch every file, not only an ONNX embedding export. */
  all?: boolean;
  /** Called as bytes arrive. */
  onProgress?: (progress: { file: string; fileBytes: number; fileSize: number; doneBytes: number; totalBytes: number }) => void;
  /** Used by tests; default: global fetch. */
  fetch?: typeof fetch;
};

export type PulledModel = { directory: string; repo: string; revision: string; files: string[]; downloadedBytes: number; skippedFiles: string[] };

const REPO_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Where `repo` lives inside `dataDir`. */
export function modelDirectory(dataDir: string, repo: string): string {
  if (!REPO_PATTERN.test(repo) || repo.includes('..')) {
    throw new ValidationError(userMessage('validation_failed.model_repository', { repo }), { repo });
  }
  return path.join(dataDir, 'models', ...repo.split('/'));
}

/** The files of an ONNX sentence-embedding export among `paths`. */
export function selectEmbeddingFiles(paths: readonly string[]): string[] {
  const onnxGraphs = paths.filter((file) => /^(onnx\/)?model[^/]*\.onnx$/.test(file));
  const preferred = ['model.onnx', 'onnx/model.onnx'].find((file) => onnxGraphs.includes(file)) ?? onnxGraphs.sort()[0];
  return paths.filter((file) => {
    if (file === preferred) return true;
    if (preferred && (file === `${preferred}_data` || file === `${preferred}.data`)) return true;
    if (file.endsWith('.onnx') || file.endsWith('.onnx_data')) return false;
    if (file.startsWith('1_Pooling/')) return true;
    if (file.includes('/')) return false;
    return file.endsWith('.json') || file.endsWith('.txt') || file === 'sentencepiece.bpe.model' || file.endsWith('.model') || file === 'README.md';
  });
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function listRepository(options: PullModelOptions, revision: string): Promise<ListFileEntry[]> {
  const entries: ListFileEntry[] = [];
  try {
    for await (const entry of listFiles({ repo: options.repo, revision, recursive: true, hubUrl: options.hubUrl, fetch: options.fetch })) {
      if (entry.type === 'file') entries.push(entry);
    }
  } catch (error) {
    if (error instanceof HubApiError) {
      if (error.statusCode === 404) {
        throw new ModelNotFoundError(userMessage('model_not_found.hub_no_model', { repo: options.repo, revision }), {
          repo: options.repo,
          revision,
        });
      }
      throw new ModelNotFoundError(userMessage('model_not_found.hub_refused', { repo: options.repo, status: error.statusCode, reason: error.message }), {
        repo: options.repo,
      });
    }
    throw new ModelNotFoundError(
      userMessage('model_not_found.hub_unreachable', {
        hub: options.hubUrl ? userMessage('fragment.hub_at', { url: options.hubUrl }) : '',
        reason: describeNetworkError(error),
        repo: options.repo,
        directory: modelDirectory(options.dataDir, options.repo),
      }),
      { repo: options.repo, reason: 'hub_unreachable' },
    );
  }
  return entries;
}

/** SHA-256 (LFS) or git blob SHA-1 of a file, to compare with the hub's listing. */
async function checksumMatches(file: string, entry: ListFileEntry): Promise<boolean> {
  const size = entry.lfs?.size ?? entry.size;
  if (!existsSync(file) || statSync(file).size !== size) return false;
  const hash = entry.lfs ? createHash('sha256') : createHash('sha1').update(`blob ${size}\0`);
  const expected = entry.lfs?.oid ?? entry.oid;
  if (!expected) return true; // the listing gave no checksum: the size must do
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex') === expected;
}

/** Downloads (or resumes) one file; returns the bytes fetched. */
async function downloadOne(options: PullModelOptions, revision: string, entry: ListFileEntry, target: string, report: (bytes: number) => void): Promise<number> {
  const partial = `${target}.partial`;
  mkdirSync(path.dirname(target), { recursive: true });
  const have = existsSync(partial) ? statSync(partial).size : 0;
  const blob = await downloadFile({ repo: options.repo, path: entry.path, revision, hubUrl: options.hubUrl, fetch: options.fetch, xet: false });
  if (!blob) throw new ModelNotFoundError(userMessage('model_not_found.file_vanished', { file: entry.path, repo: options.repo }), { file: entry.path });
  const start = have <= blob.size ? have : 0;
  report(start);
  let fetched = 0;
  const body = Readable.fromWeb((start > 0 ? blob.slice(start) : blob).stream() as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    fetched += chunk.length;
    report(start + fetched);
  });
  await pipeline(body, createWriteStream(partial, { flags: start > 0 ? 'a' : 'w' }));
  if (!(await checksumMatches(partial, entry))) {
    renameSync(partial, `${partial}.corrupt`);
    throw new ModelNotFoundError(userMessage('model_not_found.checksum', { file: entry.path, repo: options.repo }), { file: entry.path });
  }
  renameSync(partial, target);
  return fetched;
}

/** Pulls `options.repo` into the data directory. */
export async function pullModel(options: PullModelOptions): Promise<PulledModel> {
  const revision = options.revision ?? 'main';
  const directory = modelDirectory(options.dataDir, options.repo);
  const entries = await listRepository(options, revision);
  const wanted = new Set(options.all ? entries.map((entry) => entry.path) : selectEmbeddingFiles(entries.map((entry) => entry.path)));
  const selected = entries.filter((entry) => wanted.has(entry.path));
  if (!options.all && !selected.some((entry) => entry.path.endsWith('.onnx'))) {
    throw new ModelNotFoundError(userMessage('model_not_found.no_onnx_export', { repo: options.repo }), { repo: options.repo });
  }
  const totalBytes = selected.reduce((sum, entry) => sum + (entry.lfs?.size ?? entry.size), 0);
  let doneBytes = 0;
  let downloadedBytes = 0;
  const skippedFiles: string[] = [];
  for (const entry of selected) {
    const target = path.join(directory, ...entry.path.split('/'));
    const fileSize = entry.lfs?.size ?? entry.size;
    if (await checksumMatches(target, entry)) {
      skippedFiles.push(entry.path);
      doneBytes += fileSize;
      options.onProgress?.({ file: entry.path, fileBytes: fileSize, fileSize, doneBytes, totalBytes });
      continue;
    }
    const before = doneBytes;
    downloadedBytes += await downloadOne(options, revision, entry, target, (fileBytes) =>
      options.onProgress?.({ file: entry.path, fileBytes, fileSize, doneBytes: before + fileBytes, totalBytes }),
    );
    doneBytes = before + fileSize;
  }
  const files = selected.map((entry) => entry.path);
  writeFileSync(
    path.join(directory, 'beleg-model.json'),
    `${JSON.stringify({ repo: options.repo, revision, files, pulledAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return { directory, repo: options.repo, revision, files, downloadedBytes, skippedFiles };
}
