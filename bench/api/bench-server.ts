/**
 * The app for `bench/api/run.ts`, in its own process so the load generator does not share its
 * event loop. Two answerers:
 * - `fake`: tests/helpers/fake-answerer.ts over in-memory documents, answering at once, so what
 *   is measured is the HTTP layer alone;
 * - `extractive`: the real stack (SQLite + LanceDB in a temporary directory, hybrid search,
 *   prompt, extractive engine, verification) over the fixture documents.
 * Prints `listening <port>` once ready.
 * Usage: node --import tsx bench/api/bench-server.ts fake|extractive '<limits as JSON>'
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Answerer } from '../../src/answer/answer-contract.ts';
import { openAppContext } from '../../src/app-context.ts';
import { createAnswerService } from '../../src/cli/commands/ask.ts';
import { configSchema } from '../../src/config.ts';
import { createEngines } from '../../src/engine/create-engine.ts';
import type { Ingestion } from '../../src/ingest/types.ts';
import { FakeAnswerer } from '../../tests/helpers/fake-answerer.ts';
import { FakeIngestion } from '../../tests/helpers/fake-ingestion.ts';
import { serveApp } from '../../tests/helpers/start-app.ts';

const mode = process.argv[2];
const limits = JSON.parse(process.argv[3] ?? '{}') as Record<string, number>;
const fixtures = new URL('../../tests/fixtures/documents/', import.meta.url);
const fixtureFiles = [
  { fileName: 'strassenbahn-libreoffice.pdf', mimeType: 'application/pdf' },
  { fileName: 'stadtinfo-utf8.html', mimeType: 'text/html' },
  { fileName: 'gemeinde-notizen.md', mimeType: 'text/markdown' },
];

let ingestion: Ingestion;
let answerer: Answerer;
let cleanUp = async () => {};
if (mode === 'fake') {
  const fake = new FakeIngestion();
  await fake.ingest({
    kind: 'text',
    title: 'Benutzungsordnung der Stadtbibliothek',
    text: 'Die Bibliothek öffnet montags bis freitags um neun Uhr. Ausleihen sind vier Wochen lang möglich. Eine Verlängerung ist zweimal erlaubt. Für verspätete Rückgaben wird eine Gebühr von einem Euro je Woche erhoben.',
  });
  ingestion = fake;
  answerer = new FakeAnswerer(fake);
} else if (mode === 'extractive') {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beleg-bench-api-'));
  const context = await openAppContext(configSchema.parse({ dataDir, limits }));
  for (const fixture of fixtureFiles) {
    const record = await context.ingestion.ingest({ kind: 'file', ...fixture, bytes: new Uint8Array(readFileSync(new URL(fixture.fileName, fixtures))) });
    if (record.status !== 'ready') throw new Error(`${fixture.fileName} did not ingest: ${record.errorMessage}`);
  }
  const { engines, defaultEngine } = await createEngines(configSchema.parse({ dataDir }), { tokenizer: context.tokenizer });
  ingestion = context.ingestion;
  answerer = createAnswerService(context, engines, defaultEngine);
  cleanUp = async () => {
    for (const engine of Object.values(engines)) await engine.dispose();
    await context.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
} else {
  throw new Error(`mode must be fake or extractive, not '${mode}'`);
}

const served = await serveApp(configSchema.parse({ dataDir: '/nonexistent/beleg-bench', limits }), ingestion, answerer);
console.log(`listening ${new URL(served.url).port}`);
process.on('SIGTERM', () => void served.close().then(cleanUp).then(() => process.exit(0)));
