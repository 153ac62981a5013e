/**
 * `beleg backup` beside a real `beleg serve` process that is answering questions and ingesting
 * documents, then `beleg restore` and a second `beleg serve` on the restored directory: the backup
 * succeeds without stopping or disturbing the server, and the restored server cites the same
 * quotes (same documents, same offsets) for the same questions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTemporaryDirectories();
});

const FIXTURES = new URL('./fixtures/documents/', import.meta.url);
const QUESTIONS = [
  'Wann wurde der Westfälische Friede geschlossen?',
  'Wer übernimmt die Planung für den Spielplatz?',
  'Um wie viel Prozent steigen die Ausgaben?',
  'Wie heißt der Bürgermeister von Tokio?',
];

type Citation = { quote: string; documentId: string; charStart: number; charEnd: number };
type AnswerBody = { declined: boolean; answer: string; citations: Citation[] };
type Server = { url: string; stop(): Promise<number | null> };

const environment = { ...process.env, BELEG_API_KEYS: '', BELEG_HOST: '127.0.0.1', BELEG_DATA_DIR: '', BELEG_EMBEDDING_MODEL_DIR: '', BELEG_ENGINE: '' };

/** Starts `beleg serve` on `dataDir` on a free port; resolves once it listens. */
async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, ['bin/beleg.js', 'serve', '--port', '0', '--data-dir', dataDir], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listens on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs a `beleg` command to its end. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/beleg.js', ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function upload(server: Server, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(new URL(name, FIXTURES))]), name);
  const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: { id: string }[] }).documents[0]!.id;
}

async function submitText(server: Server, text: string): Promise<number> {
  const response = await fetch(`${server.url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  return response.status;
}

async function statusOf(server: Server, id: string): Promise<string> {
  return ((await (await fetch(`${server.url}/documents/${id}`)).json()) as { status: string }).status;
}

async function ask(server: Server, question: string): Promise<AnswerBody> {
  // Identical answers are under test, not the confidence threshold: every quote the reader picks is presented.
  const body = JSON.stringify({ question, minConfidence: 0 });
  const response = await fetch(`${server.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(200);
  return (await response.json()) as AnswerBody;
}

/** What a user compares: declined or not, and each citation's quote, document and offsets. */
const cited = (answer: AnswerBody) => ({
  declined: answer.declined,
  citations: answer.citations.map(({ quote, documentId, charStart, charEnd }) => ({ quote, documentId, charStart, charEnd })),
});

/** A document about something else, so it does not change which sentence answers the questions. */
const recipe = (index: number) => `Rezept ${index}: Man verrührt Mehl, Zucker und ${index + 2} Eier zu einem glatten Teig. Der Kuchen backt vierzig Minuten.`;

describe('beleg backup beside a running beleg serve', () => {
  it('backs up while the server answers and ingests, and the restored directory serves the same quotes', { timeout: 180_000 }, async () => {
    const workspace = temporaryDirectory('beleg-backup-serve-');
    const server = await startServer(path.join(workspace, 'data'));
    const ids = [await upload(server, 'gemeinde-notizen.md'), await upload(server, 'stadtinfo-utf8.html')];
    for (const id of ids) await expect.poll(() => statusOf(server, id), { timeout: 60_000, interval: 50 }).toBe('ready');
    const answers = [];
    for (const question of QUESTIONS) answers.push(cited(await ask(server, question)));
    expect(answers.filter((answer) => !answer.declined).length).toBe(3);

    // While the backup runs, the server keeps answering and takes new documents.
    const backupFile = path.join(workspace, 'backups', 'beleg.tar');
    let backupDone = false;
    const backup = runCli(['backup', backupFile, '--data-dir', path.join(workspace, 'data')]).finally(() => (backupDone = true));
    const traffic = (async () => {
      let asked = 0;
      let submitted = 0;
      while (!backupDone && asked < 500) {
        expect(cited(await ask(server, QUESTIONS[asked % QUESTIONS.length]!))).toEqual(answers[asked % QUESTIONS.length]);
        asked += 1;
        if (asked % 5 === 0) {
          expect(await submitText(server, recipe(submitted))).toBe(202);
          submitted += 1;
        }
      }
      return asked;
    })();
    const [result, asked] = await Promise.all([backup, traffic]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`written to ${backupFile}`);
    expect(Number(/(\d+) ready documents/.exec(result.stdout)?.[1])).toBeGreaterThanOrEqual(2);
    expect(asked).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await server.stop()).toBe(0);

    const restoredDir = path.join(workspace, 'restored');
    const restore = await runCli(['restore', backupFile, '--data-dir', restoredDir]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`Start it with: beleg serve --data-dir ${restoredDir}`);

    const restored = await startServer(restoredDir);
    try {
      for (const id of ids) expect(await statusOf(restored, id)).toBe('ready');
      for (const [index, question] of QUESTIONS.entries()) expect(cited(await ask(restored, question))).toEqual(answers[index]);
      // Documents submitted during the backup are either absent or end ready (resumed from the snapshot).
      const listed = ((await (await fetch(`${restored.url}/documents?limit=200`)).json()) as { documents: { id: string }[] }).documents;
      expect(listed.map((document) => document.id)).toEqual(expect.arrayContaining(ids));
      for (const { id } of listed) await expect.poll(() => statusOf(restored, id), { timeout: 60_000, interval: 50 }).toBe('ready');
    } finally {
      expect(await restored.stop()).toBe(0);
    }
  });
});
