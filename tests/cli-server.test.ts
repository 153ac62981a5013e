/**
 * `beleg ingest`, `ask`, `docs` and `rm` beside a running server: while `beleg serve` holds the
 * data directory they talk to it over HTTP, with the same output and exit codes as when they open
 * the data directory themselves; `--server URL` / BELEG_SERVER_URL name a server explicitly and
 * BELEG_API_KEY is its key. Real server processes on 127.0.0.1 with temporary data directories.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/beleg.js', import.meta.url));
const WRITE_KEY = 'schreib-schluessel-0123456789';
const READ_KEY = 'lese-schluessel-0123456789';
/**
 * Settings of the environment running the tests that would change what the CLI does; the
 * threshold 0 presents every verified quote, so answers are compared, not declines.
 */
const NEUTRAL_ENV = { BELEG_DATA_DIR: '', BELEG_SERVER_URL: '', BELEG_API_KEY: '', BELEG_API_KEYS: '', BELEG_HOST: '', BELEG_MIN_CONFIDENCE: '0', BELEG_ENGINE: '' };

const servers: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(
    servers.map((server) => {
      if (server.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      return exited;
    }),
  );
  removeTemporaryDirectories();
});
afterEach(() => vi.unstubAllEnvs());

/** Starts `beleg serve` on a free port of 127.0.0.1 and resolves with its URL. */
async function startServer(dataDir: string, apiKeys = ''): Promise<string> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...NEUTRAL_ENV, BELEG_API_KEYS: apiKeys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(server);
  let output = '';
  return new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listens on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    server.stdout.on('data', collect);
    server.stderr.on('data', collect);
    server.once('exit', (code) => reject(new Error(`beleg serve exited with ${code}:\n${output}`)));
  });
}

type Run = { code: number; stdout: string; stderr: string };

/** Runs the CLI in this process with `environment` on top of neutral settings. */
async function beleg(args: string[], environment: Record<string, string> = {}): Promise<Run> {
  for (const [name, value] of Object.entries({ ...NEUTRAL_ENV, ...environment })) vi.stubEnv(name, value);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void stdout.push(`${values.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...values: unknown[]) => void stderr.push(`${values.join(' ')}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0),
  ];
  try {
    const code = await main(args);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Output with what differs between two runs (ids, times, durations, URLs) masked; lines sorted when `sort`. */
function normalized(text: string, sort = false): string {
  const lines = text
    .replace(ID, '<id>')
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<time>')
    .replace(/\d+ ms/g, '<n> ms')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<server>')
    .split('\n');
  return (sort ? lines.sort() : lines).join('\n');
}

/** The key structure of a JSON value (arrays by their first element), to compare shapes. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return typeof value;
}

describe('the CLI beside a running server', () => {
  let corpus: Record<'haus' | 'bahn' | 'kaputt' | 'leer' | 'fehlt', string>;
  let ownDir: string;
  let servedDir: string;
  let url: string;

  beforeAll(async () => {
    const directory = temporaryDirectory('beleg-cli-server-');
    corpus = {
      haus: path.join(directory, 'haus.txt'),
      bahn: path.join(directory, 'bahn.md'),
      kaputt: path.join(directory, 'kaputt.pdf'),
      leer: path.join(directory, 'leer.txt'),
      fehlt: path.join(directory, 'fehlt.pdf'),
    };
    writeFileSync(corpus.haus, 'Das Haus am Markt ist alt. Es wurde 1882 gebaut.\n');
    writeFileSync(corpus.bahn, '# Verkehr\n\nDie Straßenbahn fährt alle zehn Minuten.\n');
    writeFileSync(corpus.kaputt, '%PDF-1.4\n1 0 obj kaputt\n');
    writeFileSync(corpus.leer, '');
    ownDir = path.join(directory, 'own-data');
    servedDir = path.join(directory, 'served-data');
    url = await startServer(servedDir);
  }, 120_000);

  it('ingests, lists, answers and removes through the server with the output and exit codes of the embedded mode', async () => {
    const runs: Record<'own' | 'served', Record<string, Run>> = { own: {}, served: {} };
    for (const [mode, dataDir] of [
      ['own', ownDir],
      ['served', servedDir],
    ] as const) {
      const files = [corpus.haus, corpus.kaputt, corpus.fehlt, corpus.bahn];
      runs[mode].ingest = await beleg(['ingest', ...files, '--data-dir', dataDir]);
      runs[mode].docsJson = await beleg(['docs', '--json', '--data-dir', dataDir]);
      runs[mode].docs = await beleg(['docs', '--data-dir', dataDir]);
      runs[mode].askJson = await beleg(['ask', 'Wann wurde das Haus gebaut?', '--json', '--data-dir', dataDir]);
      runs[mode].ask = await beleg(['ask', 'Wann wurde das Haus gebaut?', '--data-dir', dataDir]);
      runs[mode].streamJson = await beleg(['ask', 'Wann wurde das Haus gebaut?', '--stream', '--json', '--data-dir', dataDir]);
      runs[mode].stream = await beleg(['ask', 'Wann wurde das Haus gebaut?', '--stream', '--data-dir', dataDir]);
      const { documents } = JSON.parse(runs[mode].docsJson.stdout) as { documents: { id: string; fileName: string }[] };
      const haus = documents.find((document) => document.fileName === 'haus.txt')!;
      runs[mode].rm = await beleg(['rm', haus.id, '--data-dir', dataDir]);
      runs[mode].rmAgain = await beleg(['rm', haus.id, '--data-dir', dataDir]);
      runs[mode].after = await beleg(['docs', '--json', '--status', 'ready', '--data-dir', dataDir]);
    }
    const { own, served } = runs;

    // The server did the work: it lists what the CLI ingested and removed.
    const listed = (await (await fetch(`${url}/documents`)).json()) as { documents: { fileName: string; status: string }[] };
    expect(listed.documents.map((document) => `${document.fileName}:${document.status}`).sort()).toEqual(['bahn.md:ready', 'kaputt.pdf:failed']);

    expect(served.ingest.code).toBe(1);
    expect(served.ingest.stdout).toMatch(/failed .*\[pdf_corrupt\].*kaputt\.pdf/);
    expect(served.ingest.stdout).toMatch(/failed .*fehlt\.pdf.*\[file_unreadable\]/);
    expect(served.ingest.stdout).toContain('2 of 4 ingested, 2 failed.');
    for (const name of Object.keys(own)) {
      expect(served[name]!.code, name).toBe(own[name]!.code);
      expect(normalized(served[name]!.stderr), name).toBe(normalized(own[name]!.stderr));
    }
    expect(normalized(served.ingest.stdout, true)).toBe(normalized(own.ingest.stdout, true));
    expect(normalized(served.docs.stdout, true)).toBe(normalized(own.docs.stdout, true));
    expect(normalized(served.ask.stdout)).toBe(normalized(own.ask.stdout));
    expect(normalized(served.stream.stdout)).toBe(normalized(own.stream.stdout));
    expect(normalized(served.rm.stdout)).toBe(normalized(own.rm.stdout));
    expect(served.rmAgain.stderr).toContain('[not_found]');
    expect(JSON.parse(served.after.stdout)).toMatchObject({ total: 1 });

    // --json: the same shape, and the same answer with the same offsets.
    for (const name of ['docsJson', 'askJson', 'after']) {
      expect(shape(JSON.parse(served[name]!.stdout)), name).toEqual(shape(JSON.parse(own[name]!.stdout)));
    }
    const ownAnswer = JSON.parse(own.askJson.stdout) as { answer: string; citations: { quote: string; charStart: number; charEnd: number }[] };
    const servedAnswer = JSON.parse(served.askJson.stdout) as typeof ownAnswer;
    expect(servedAnswer.answer).toContain('1882');
    expect(servedAnswer.answer).toBe(ownAnswer.answer);
    expect(servedAnswer.citations.map(({ quote, charStart, charEnd }) => ({ quote, charStart, charEnd }))).toEqual(
      ownAnswer.citations.map(({ quote, charStart, charEnd }) => ({ quote, charStart, charEnd })),
    );
    const parts = (run: Run) => run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(parts(served.streamJson).map((part) => part.type)).toEqual(parts(own.streamJson).map((part) => part.type));
    expect(parts(served.streamJson).map(shape)).toEqual(parts(own.streamJson).map(shape));
  }, 180_000);

  it('reports a file the server refuses at upload (empty) with the same code and exit code, without a failed document', async () => {
    const own = await beleg(['ingest', corpus.leer, '--data-dir', ownDir]);
    const served = await beleg(['ingest', corpus.leer, '--data-dir', servedDir]);
    for (const run of [own, served]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^failed +\S+ +\[empty_document\] The document is empty/);
    }
    expect(served.stdout).toContain(`failed  ${corpus.leer}  [empty_document]`);
  }, 60_000);

  it("speaks the locale's language through the server too (Accept-Language)", async () => {
    const german = { LANG: 'de_DE.UTF-8', LC_ALL: '', LC_MESSAGES: '' };
    const own = await beleg(['rm', 'gibt-es-nicht', '--data-dir', ownDir], german);
    const served = await beleg(['rm', 'gibt-es-nicht', '--data-dir', servedDir], german);
    expect(own.stderr).toMatch(/^Fehler \[not_found\]: .*gibt-es-nicht/);
    expect(served).toEqual(own);
  });

  it('sends the threshold configured for the CLI (BELEG_MIN_CONFIDENCE, here 0 or 1) along to the server', async () => {
    for (const dataDir of [ownDir, servedDir]) expect((await beleg(['ingest', corpus.bahn, '--data-dir', dataDir])).code).toBe(0);
    const question = ['ask', 'Wie oft fährt die Straßenbahn?', '--json'];
    for (const environment of [{}, { BELEG_MIN_CONFIDENCE: '1' }] as Record<string, string>[]) {
      const own = JSON.parse((await beleg([...question, '--data-dir', ownDir], environment)).stdout) as { declined: boolean; reason: string | null };
      const served = JSON.parse((await beleg([...question, '--data-dir', servedDir], environment)).stdout) as typeof own;
      expect({ declined: served.declined, reason: served.reason }).toEqual({ declined: own.declined, reason: own.reason });
    }
    // The server's own threshold is 0: only the CLI's 1, sent along, makes it decline.
    const lenient = JSON.parse((await beleg([...question, '--data-dir', servedDir])).stdout) as { declined: boolean };
    const strict = JSON.parse((await beleg([...question, '--data-dir', servedDir], { BELEG_MIN_CONFIDENCE: '1' })).stdout) as { declined: boolean; reason: string };
    expect(lenient.declined).toBe(false);
    expect(strict).toMatchObject({ declined: true, reason: 'below_threshold' });
  }, 60_000);

  it('finds the server from a separate beleg process, and --server or BELEG_SERVER_URL reach it without touching a data directory', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'docs', '--json', '--data-dir', servedDir], {
      env: { ...process.env, ...NEUTRAL_ENV },
    });
    const total = (JSON.parse(stdout) as { total: number }).total;
    expect(total).toBeGreaterThan(0);

    const unused = path.join(temporaryDirectory('beleg-cli-server-'), 'never-created');
    const named = await beleg(['docs', '--json', '--server', url, '--data-dir', unused]);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ total });
    const fromEnvironment = await beleg(['docs', '--json', '--data-dir', unused], { BELEG_SERVER_URL: url });
    expect(JSON.parse(fromEnvironment.stdout)).toMatchObject({ total });
    expect(existsSync(unused)).toBe(false);
  }, 60_000);

  it('says clearly when the server cannot be reached or is not beleg', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const refused = await beleg(['docs', '--server', `http://127.0.0.1:${port}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error [server_unreachable]: Cannot reach the beleg server at http://127.0.0.1:${port} (ECONNREFUSED).`);

    const invalid = await beleg(['docs', '--server', 'ftp://127.0.0.1']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("error [validation_failed]: Invalid configuration 'serverUrl'");
  });
});

describe('the CLI beside a server with API keys', () => {
  let dataDir: string;
  let url: string;
  let file: string;

  beforeAll(async () => {
    const directory = temporaryDirectory('beleg-cli-keys-');
    dataDir = path.join(directory, 'data');
    file = path.join(directory, 'bruecke.txt');
    writeFileSync(file, 'Die Brücke über den Fluss wurde 1901 gebaut.\n');
    url = await startServer(dataDir, `${WRITE_KEY}:write,${READ_KEY}:read`);
  }, 120_000);

  it('needs BELEG_API_KEY: a missing or wrong key is a clear error, a read key may list but not ingest or remove, a write key may', async () => {
    const missing = await beleg(['docs', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `error [server_api_key_missing]: The beleg server at ${url} needs an API key. Set BELEG_API_KEY to one of the server's BELEG_API_KEYS (a write key to ingest or remove).\n`,
    );

    const wrong = await beleg(['ask', 'Wann wurde die Brücke gebaut?', '--data-dir', dataDir], { BELEG_API_KEY: 'falscher-schluessel-0123456789' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`error [server_api_key_rejected]: The beleg server at ${url} does not accept the API key in BELEG_API_KEY.`);

    const readOnly = { BELEG_API_KEY: READ_KEY };
    expect(await beleg(['docs', '--data-dir', dataDir], readOnly)).toMatchObject({ code: 0 });
    const refusedIngest = await beleg(['ingest', file, '--data-dir', dataDir], readOnly);
    expect(refusedIngest.code).toBe(1);
    expect(refusedIngest.stdout).toMatch(/failed +.*bruecke\.txt +\[forbidden\] This API key may only read and ask/);

    const written = await beleg(['ingest', file, '--data-dir', dataDir], { BELEG_API_KEY: WRITE_KEY });
    expect(written.code).toBe(0);
    const id = /^ok +(\S+)/.exec(written.stdout)![1]!;
    const answered = await beleg(['ask', 'Wann wurde die Brücke gebaut?', '--json', '--data-dir', dataDir], readOnly);
    expect((JSON.parse(answered.stdout) as { answer: string }).answer).toContain('1901');
    const refusedRemove = await beleg(['rm', id, '--data-dir', dataDir], readOnly);
    expect(refusedRemove).toMatchObject({ code: 1 });
    expect(refusedRemove.stderr).toContain('error [forbidden]');
    expect(await beleg(['rm', id, '--data-dir', dataDir], { BELEG_API_KEY: WRITE_KEY })).toMatchObject({ code: 0, stdout: `removed ${id}\n` });
  }, 120_000);
});
