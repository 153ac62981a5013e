/**
 * What users read when something goes wrong, in their language: the API follows Accept-Language
 * (German when it prefers `de`, English otherwise), the CLI follows the locale (LANG, LC_MESSAGES,
 * LC_ALL), and the code stays the same in every language and on every path (an empty file is
 * `empty_document` whether it comes through the API or the CLI).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerStreamPart, Answerer } from '../src/answer/answer-contract.ts';
import { EngineUnavailableError } from '../src/errors.ts';
import { userMessage } from '../src/messages/index.ts';
import { readServerSentEvents, serveApp, startApp, type RunningApp } from './helpers/start-app.ts';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { FakeIngestion } from './helpers/fake-ingestion.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

const BIN = fileURLToPath(new URL('../bin/beleg.js', import.meta.url));
const german = { 'accept-language': 'de-DE,de;q=0.9' };

type ErrorBody = { error: { code: string; message: string; field?: string } };

function emptyFile(name: string, type: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(0)], { type }), name);
  return form;
}

async function beleg(args: string[], locale: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, BELEG_DATA_DIR: '', LANG: '', LC_ALL: '', LC_MESSAGES: '', ...locale },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

afterAll(removeTemporaryDirectories);

describe('API errors in the language of Accept-Language', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => running?.close());

  it('says an error in German for Accept-Language: de-DE,de;q=0.9 and in English without it, with the same code', async () => {
    const upload = (headers: Record<string, string>) =>
      fetch(`${running.url}/documents`, { method: 'POST', body: emptyFile('leer.pdf', 'application/pdf'), headers });
    const inGerman = await upload(german);
    const inEnglish = await upload({});
    const preferringEnglish = await upload({ 'accept-language': 'en-US,en;q=0.9,de;q=0.8' });

    expect([inGerman.status, inEnglish.status, preferringEnglish.status]).toEqual([422, 422, 422]);
    expect(inGerman.headers.get('content-language')).toBe('de');
    expect(inEnglish.headers.get('content-language')).toBe('en');
    expect(inGerman.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(await inGerman.json()).toEqual({
      error: { code: 'empty_document', message: 'Das Dokument ist leer (0 Bytes). Laden Sie eine Datei mit Inhalt hoch.' },
    });
    expect(await inEnglish.json()).toEqual({
      error: { code: 'empty_document', message: 'The document is empty (0 bytes). Upload a file with content.' },
    });
    expect(((await preferringEnglish.json()) as ErrorBody).error.message).toMatch(/^The document is empty/);
    expect(running.ingestion.submitted).toHaveLength(0);
  });

  it('says validation problems in German, zod’s own texts included', async () => {
    const ask = (body: unknown, headers: Record<string, string>) =>
      fetch(`${running.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const wrongType = (await (await ask({ question: 5 }, german)).json()) as ErrorBody;
    expect(wrongType.error).toMatchObject({ code: 'validation_failed', field: 'question' });
    expect(wrongType.error.message).toMatch(/^Ungültige Angabe in der Anfrage: 'question': Ungültige Eingabe: erwartet string, erhalten Zahl\.$/);
    const englishWrongType = (await (await ask({ question: 5 }, {})).json()) as ErrorBody;
    expect(englishWrongType.error.message).toMatch(/^Invalid request body: 'question': Invalid input: expected string, received number\.$/);

    const empty = (await (await ask({ question: '   ' }, german)).json()) as ErrorBody;
    expect(empty.error.message).toBe("Ungültige Angabe in der Anfrage: 'question': die Frage darf nicht leer sein.");
    const missingRoute = await fetch(`${running.url}/gibt-es-nicht`, { headers: german });
    expect(missingRoute.status).toBe(404);
    expect(((await missingRoute.json()) as ErrorBody).error).toEqual({
      code: 'route_not_found',
      message: 'Die Route GET /gibt-es-nicht gibt es nicht. Die Routen stehen unter /docs und /openapi.json.',
    });
  });

  it('says why a document failed in the reader’s language', async () => {
    const url = 'https://nicht-bekannt.example/seite';
    const accepted = await fetch(`${running.url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    const { documents } = (await accepted.json()) as { documents: Array<{ id: string }> };
    await running.ingestion.ingest({ kind: 'url', url });
    const read = async (headers: Record<string, string>) =>
      (await (await fetch(`${running.url}/documents/${documents[0]!.id}`, { headers })).json()) as Record<string, unknown>;
    const inGerman = await read(german);
    const inEnglish = await read({});
    expect(inGerman).toMatchObject({ status: 'failed', errorCode: 'fetch_failed', errorMessage: expect.stringMatching(/^Der Abruf von 'https:\/\/nicht-bekannt\.example\/seite' ist gescheitert/) });
    expect(inEnglish).toMatchObject({ status: 'failed', errorCode: 'fetch_failed', errorMessage: expect.stringMatching(/^Fetching 'https:\/\/nicht-bekannt\.example\/seite' failed/) });
    expect(inGerman).not.toHaveProperty('errorUserMessage');
    const listed = (await (await fetch(`${running.url}/documents?status=failed`, { headers: german })).json()) as { documents: Array<{ errorMessage: string }> };
    expect(listed.documents[0]!.errorMessage).toMatch(/^Der Abruf von/);
  });

  it('says an error in the middle of a stream in German', async () => {
    const failing: Answerer = {
      engines: () => [{ name: 'tgi', model: 'm', ready: true }],
      answer: () => Promise.reject(new Error('not used')),
      async *stream(): AsyncIterable<AnswerStreamPart> {
        yield { type: 'sources', sources: [] };
        yield { type: 'error', error: new EngineUnavailableError(userMessage('engine_unavailable.remote_timeout', { server: 'TGI', url: 'http://tgi:80', timeoutMs: 500 })) };
      },
    };
    const served = await serveApp(running.config, new FakeIngestion(), failing);
    try {
      const response = await fetch(`${served.url}/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...german },
        body: JSON.stringify({ question: 'Wann öffnet die Bibliothek?', stream: true }),
      });
      const events = await readServerSentEvents(response);
      const error = events.find((event) => event.event === 'error');
      expect(JSON.parse(error!.data)).toEqual({
        type: 'error',
        error: {
          code: 'engine_unavailable',
          message: 'Der TGI-Server unter http://tgi:80 hat nicht innerhalb von 500 ms geantwortet. Prüfen Sie, ob er läuft und nicht überlastet ist, oder erhöhen Sie die Wartezeit.',
        },
      });
    } finally {
      await served.close();
    }
  });
});

describe('the CLI in the language of the locale', () => {
  it('prints errors, failed documents and the reason of a refusal in German with LANG=de_DE.UTF-8', async () => {
    const directory = temporaryDirectory();
    const dataDir = path.join(directory, 'data');
    const emptyPdf = path.join(directory, 'leer.pdf');
    writeFileSync(emptyPdf, '');

    const ingest = await beleg(['ingest', emptyPdf, '--data-dir', dataDir], { LANG: 'de_DE.UTF-8' });
    expect(ingest.code).toBe(1);
    expect(ingest.stdout).toMatch(/^Fehler  \S+  \[empty_document\] Das Dokument ist leer \(0 Bytes\)\. Laden Sie eine Datei mit Inhalt hoch\.  .*leer\.pdf$/m);

    const ask = await beleg(['ask', 'Wer hat die Brücke gebaut?', '--data-dir', dataDir], { LANG: 'de_DE.UTF-8' });
    expect(ask.code).toBe(0);
    expect(ask.stdout).toContain('Abgelehnt: In den Dokumenten fand sich keine passende Stelle. [no_sources]');

    const remove = await beleg(['rm', 'gibt-es-nicht', '--data-dir', dataDir], { LANG: 'de_DE.UTF-8' });
    expect(remove.code).toBe(1);
    expect(remove.stderr).toContain("Fehler [not_found]: Das Dokument 'gibt-es-nicht' gibt es nicht.");

    // LC_ALL wins over LANG, as in every POSIX program.
    const english = await beleg(['rm', 'gibt-es-nicht', '--data-dir', dataDir], { LANG: 'de_DE.UTF-8', LC_ALL: 'C' });
    expect(english.stderr).toContain("error [not_found]: Document 'gibt-es-nicht' does not exist.");
  });
});

describe('one code for one condition on every path', () => {
  let server: RealApp;

  beforeAll(async () => {
    server = await startRealApp('beleg-language-');
  });

  afterAll(async () => server?.close());

  it('an empty file is empty_document through the API and through the CLI, whatever its name', async () => {
    const directory = temporaryDirectory();
    const files = { pdf: path.join(directory, 'leer.pdf'), text: path.join(directory, 'leer.txt'), image: path.join(directory, 'leer.png') };
    for (const file of Object.values(files)) writeFileSync(file, '');

    const apiCodes: string[] = [];
    for (const [name, type] of [['leer.pdf', 'application/pdf'], ['leer.txt', 'text/plain'], ['leer.png', 'image/png']] as const) {
      const response = await fetch(`${server.url}/documents`, { method: 'POST', body: emptyFile(name, type) });
      expect(response.status, name).toBe(422);
      apiCodes.push(((await response.json()) as ErrorBody).error.code);
    }

    const cli = await beleg(['ingest', files.pdf, files.text, files.image, '--data-dir', path.join(directory, 'data')], {});
    const cliCodes = ['leer.pdf', 'leer.txt', 'leer.png'].map((name) => new RegExp(`^failed .*\\[(\\w+)\\].*${name.replace('.', '\\.')}$`, 'm').exec(cli.stdout)?.[1]);

    expect(apiCodes).toEqual(['empty_document', 'empty_document', 'empty_document']);
    expect(cliCodes).toEqual(apiCodes);
  });
});
