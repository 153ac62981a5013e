import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../src/errors.ts';
import { modelDirectory, pullModel, selectEmbeddingFiles } from '../src/engine/models/pull-model.ts';
import { OnnxEmbeddingModel } from '../src/engine/embedding/onnx-embedding-model.ts';
import { writeTinyBert } from './helpers/tiny-bert.ts';

type HubFile = { path: string; bytes: Buffer; lfs: boolean };

/** A local stand-in for the hub's tree listing and resolve endpoints (loopback only). */
async function startFakeHub(repo: string, files: HubFile[]) {
  const requests: Array<{ url: string; range?: string }> = [];
  let corrupt = false;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://localhost');
    requests.push({ url: url.pathname, range: request.headers.range });
    if (url.pathname === `/api/models/${repo}/tree/main`) {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify(
          files.map((file) => ({
            type: 'file',
            path: file.path,
            size: file.lfs ? 134 : file.bytes.length,
            oid: createHash('sha1').update(`blob ${file.bytes.length}\0`).update(file.bytes).digest('hex'),
            ...(file.lfs ? { lfs: { oid: createHash('sha256').update(file.bytes).digest('hex'), size: file.bytes.length, pointerSize: 134 } } : {}),
          })),
        ),
      );
      return;
    }
    const prefix = `/${repo}/resolve/main/`;
    const file = url.pathname.startsWith(prefix) ? files.find((candidate) => candidate.path === decodeURIComponent(url.pathname.slice(prefix.length))) : undefined;
    if (!file) {
      response.statusCode = 404;
      response.setHeader('X-Error-Code', url.pathname.startsWith('/api/') ? 'RepoNotFound' : 'EntryNotFound');
      response.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const bytes = corrupt ? Buffer.from(file.bytes.map((byte) => byte ^ 0xff)) : file.bytes;
    response.setHeader('ETag', `"${file.path}"`);
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), bytes.length - 1);
      response.statusCode = 206;
      response.setHeader('Content-Range', `bytes ${start}-${end}/${bytes.length}`);
      response.end(bytes.subarray(start, end + 1));
    } else {
      response.end(bytes);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    hubUrl: `http://127.0.0.1:${port}`,
    requests,
    setCorrupt: (value: boolean) => (corrupt = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('beleg models pull', () => {
  let root: string;
  let hub: Awaited<ReturnType<typeof startFakeHub>>;
  const repo = 'example/tiny-bert';
  let files: HubFile[];

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'beleg-models-'));
    const export_ = path.join(root, 'export');
    writeTinyBert(export_);
    const read = (name: string) => readFileSync(path.join(export_, name));
    files = [
      { path: 'onnx/model.onnx', bytes: read('model.onnx'), lfs: true },
      { path: 'onnx/model_quantized.onnx', bytes: Buffer.from('another variant'), lfs: true },
      { path: 'pytorch_model.bin', bytes: Buffer.from('weights beleg does not need'), lfs: true },
      { path: 'tokenizer.json', bytes: read('tokenizer.json'), lfs: false },
      { path: 'tokenizer_config.json', bytes: read('tokenizer_config.json'), lfs: false },
      { path: '1_Pooling/config.json', bytes: read('1_Pooling/config.json'), lfs: false },
      { path: 'README.md', bytes: Buffer.from('# tiny bert\n'), lfs: false },
    ];
    hub = await startFakeHub(repo, files);
  });
  afterAll(async () => {
    await hub.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('says clearly that the hub cannot be reached when offline', async () => {
    const port = await closedPort();
    const pulling = pullModel({ repo: 'intfloat/multilingual-e5-small', dataDir: path.join(root, 'offline'), hubUrl: `http://127.0.0.1:${port}` });
    await expect(pulling).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(pulling).rejects.toThrow(/cannot reach the Hugging Face hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\).*BELEG_EMBEDDING_MODEL_DIR/);
    expect(existsSync(path.join(root, 'offline', 'models'))).toBe(false);
  });

  it('rejects malformed repository names and unknown repositories', async () => {
    expect(() => modelDirectory(root, '../etc')).toThrow(/not a Hugging Face model id/);
    await expect(pullModel({ repo: 'example/missing', dataDir: root, hubUrl: hub.hubUrl })).rejects.toThrow(/no model 'example\/missing' at revision 'main'/);
  });

  it('selects only the files of one ONNX embedding export', () => {
    expect(selectEmbeddingFiles(files.map((file) => file.path)).sort()).toEqual(
      ['1_Pooling/config.json', 'README.md', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
  });

  it('downloads, verifies and records the model, which then loads as an embedding model', async () => {
    const dataDir = path.join(root, 'data');
    const progress: number[] = [];
    const result = await pullModel({ repo, dataDir, hubUrl: hub.hubUrl, onProgress: (update) => progress.push(update.doneBytes) });
    expect(result.directory).toBe(path.join(dataDir, 'models', 'example', 'tiny-bert'));
    expect(result.files.sort()).toEqual(['1_Pooling/config.json', 'README.md', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort());
    for (const file of files.filter((candidate) => result.files.includes(candidate.path))) {
      expect(readFileSync(path.join(result.directory, file.path)).equals(file.bytes), file.path).toBe(true);
    }
    expect(existsSync(path.join(result.directory, 'pytorch_model.bin'))).toBe(false);
    expect(progress.at(-1)).toBe(files.filter((file) => result.files.includes(file.path)).reduce((sum, file) => sum + file.bytes.length, 0));

    const model = await OnnxEmbeddingModel.load({ directory: result.directory, intraOpThreads: 1 });
    expect(model.modelId).toBe('example/tiny-bert@main');
    expect(model.dimensions).toBe(8);
    await model.dispose();

    // A second pull finds everything complete and downloads nothing.
    const again = await pullModel({ repo, dataDir, hubUrl: hub.hubUrl });
    expect(again.downloadedBytes).toBe(0);
    expect(again.skippedFiles.sort()).toEqual(result.files.sort());
  });

  it('resumes a partial download with a range request', async () => {
    const dataDir = path.join(root, 'resume');
    const onnx = files[0]!;
    const target = path.join(modelDirectory(dataDir, repo), 'onnx', 'model.onnx');
    mkdirSync(path.dirname(target), { recursive: true });
    const half = Math.floor(onnx.bytes.length / 2);
    writeFileSync(`${target}.partial`, onnx.bytes.subarray(0, half));
    const requestsBefore = hub.requests.length;
    const result = await pullModel({ repo, dataDir, hubUrl: hub.hubUrl });
    expect(readFileSync(target).equals(onnx.bytes)).toBe(true);
    const ranges = hub.requests.slice(requestsBefore).filter((request) => request.url.endsWith('/onnx/model.onnx')).map((request) => request.range);
    expect(ranges).toContain(`bytes=${half}-${onnx.bytes.length - 1}`);
    const others = files.filter((file) => result.files.includes(file.path) && file !== onnx).reduce((sum, file) => sum + file.bytes.length, 0);
    expect(result.downloadedBytes).toBe(onnx.bytes.length - half + others);
  });

  it('refuses a file whose checksum does not match', async () => {
    hub.setCorrupt(true);
    try {
      const dataDir = path.join(root, 'corrupt');
      await expect(pullModel({ repo, dataDir, hubUrl: hub.hubUrl })).rejects.toThrow(/wrong checksum/);
      const directory = modelDirectory(dataDir, repo);
      expect(readdirSync(path.join(directory, 'onnx')).some((name) => name === 'model.onnx')).toBe(false);
    } finally {
      hub.setCorrupt(false);
    }
  });
});
