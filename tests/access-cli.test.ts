/**
 * The CLI with collections, in a data directory: `beleg collections` (including `move`), `beleg keys`,
 * and `--collection` on ingest, docs and ask.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const BIN = fileURLToPath(new URL('../bin/beleg.js', import.meta.url));

async function beleg(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, BELEG_DATA_DIR: '', BELEG_MIN_CONFIDENCE: '0' } });
  return stdout;
}

it('creates collections and keys, ingests into a collection, and lists and asks within it', async () => {
  const dataDir = temporaryDirectory('beleg-cli-collections-');
  const files = temporaryDirectory('beleg-cli-files-');
  writeFileSync(join(files, 'personal.txt'), 'Der Urlaubsantrag wird bei Frau Berger abgegeben. Sie bearbeitet ihn innerhalb einer Woche.');
  writeFileSync(join(files, 'allgemein.txt'), 'Der Urlaubsantrag für die Kantine wird beim Pächter abgegeben.');
  const listed = await beleg('collections', 'create', 'personal', '--name', 'Personal', '--data-dir', dataDir);
  expect(listed).toMatch(/^allgemein\s+0\s+Allgemein$/m);
  expect(listed).toMatch(/^personal\s+0\s+Personal$/m);

  await beleg('ingest', join(files, 'personal.txt'), '--collection', 'personal', '--data-dir', dataDir);
  await beleg('ingest', join(files, 'allgemein.txt'), '--data-dir', dataDir);
  const inPersonal = JSON.parse(await beleg('docs', '--json', '--collection', 'personal', '--data-dir', dataDir)) as { documents: { fileName: string; collectionIds: string[] }[] };
  expect(inPersonal.documents.map((document) => [document.fileName, document.collectionIds])).toEqual([['personal.txt', ['personal']]]);

  const answer = JSON.parse(await beleg('ask', 'Wo wird der Urlaubsantrag abgegeben?', '--collection', 'allgemein', '--json', '--data-dir', dataDir)) as {
    citations: { quote: string }[];
    sources: { text: string }[];
  };
  expect(answer.citations[0]!.quote).toContain('Pächter');
  for (const source of answer.sources) expect(source.text).not.toContain('Berger');

  // The Kantine's rule moves to Personal: asked in allgemein it is gone, in personal it is found.
  const kantine = (JSON.parse(await beleg('docs', '--json', '--collection', 'allgemein', '--data-dir', dataDir)) as { documents: { id: string }[] }).documents[0]!.id;
  expect(await beleg('collections', 'move', kantine, 'personal', '--data-dir', dataDir)).toMatch(/^personal\s+2\s+Personal$/m);
  type Asked = { citations: unknown[]; sources: { text: string }[] };
  const afterMove = JSON.parse(await beleg('ask', 'Wo wird der Urlaubsantrag für die Kantine abgegeben?', '--collection', 'allgemein', '--json', '--data-dir', dataDir)) as Asked;
  expect(afterMove.citations).toEqual([]);
  expect(afterMove.sources).toEqual([]);
  const inPersonalNow = JSON.parse(await beleg('ask', 'Wo wird der Urlaubsantrag für die Kantine abgegeben?', '--collection', 'personal', '--json', '--data-dir', dataDir)) as Asked;
  expect(inPersonalNow.sources.map((source) => source.text).join(' ')).toContain('Pächter');

  const created = JSON.parse(await beleg('keys', 'create', '--name', 'hr', '--role', 'read', '--collection', 'personal', '--data-dir', dataDir)) as { key: { id: string }; secret: string };
  expect(created.secret).toMatch(/^blg_/);
  const keys = await beleg('keys', 'list', '--data-dir', dataDir);
  expect(keys).toContain(created.key.id);
  expect(keys).not.toContain(created.secret);
  await beleg('keys', 'revoke', created.key.id, '--data-dir', dataDir);
  expect(JSON.parse(await beleg('keys', 'list', '--data-dir', dataDir)).keys[0].revokedAt).not.toBeNull();
}, 120_000);
