/**
 * Backup and restore with real SQLite and LanceDB in temporary directories and the extractive
 * engine: a restored directory holds the same documents, stored texts, chunks and vectors and
 * answers the same questions with the same quotes; a backup taken while documents are being
 * indexed (and removed) restores to a consistent state, reconciled like after a crash; damaged,
 * foreign and newer backups and a non-empty target are refused with their codes and change nothing;
 * an unreadable data directory fails the backup without leaving a file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import type { AppContext, AppContextOptions } from '../src/app-context.ts';
import { createBackup, restoreBackup, type BackupManifest } from '../src/backup/index.ts';
import { extractArchive, writeArchive } from '../src/backup/tar-archive.ts';
import { main } from '../src/cli/main.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { currentSchemaLevel } from '../src/db/index.ts';
import { createEngines } from '../src/engine/create-engine.ts';
import { BelegError } from '../src/errors.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { DocumentInput, LoadedDocument } from '../src/ingest/types.ts';
import { openTestContext, testConfig } from './helpers/storage-app.ts';
import { crashDocumentText, uniqueWord } from './helpers/storage-crash-documents.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';
import { writeTinyBert } from './helpers/tiny-bert.ts';

afterAll(removeTemporaryDirectories);

const FIXTURES = new URL('./fixtures/documents/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

const QUESTIONS = [
  'Wann wurde der Westfälische Friede geschlossen?',
  'Wer übernimmt die Planung für den Spielplatz?',
  'Um wie viel Prozent steigen die Ausgaben?',
  'Wann wurde der Dom St. Paulus geweiht?',
  'Wann fuhr die erste elektrische Straßenbahn?',
  'Wie heißt der Bürgermeister von Tokio?',
];

/** Each question's answer from the extractive engine, without timings (they differ run to run). */
async function answersOf(context: AppContext): Promise<Omit<Answer, 'timings'>[]> {
  const { engines, defaultEngine } = await createEngines(context.config, { tokenizer: context.tokenizer });
  try {
    // Identical answers are under test, not the confidence threshold: every quote the reader picks is presented.
    const answerer = createAnswerService(context, engines, defaultEngine, { minConfidence: 0 });
    const answers: Omit<Answer, 'timings'>[] = [];
    for (const question of QUESTIONS) {
      const { timings: _timings, ...answer } = await answerer.answer({ question });
      answers.push(answer);
    }
    return answers;
  } finally {
    for (const engine of Object.values(engines)) await engine.dispose();
  }
}

/** Everything a user can see of the stored documents: rows, stored texts with spans, chunks. */
async function contentsOf(context: AppContext) {
  const repository = context.metadata.documents;
  const { documents } = await context.ingestion.list({ limit: 1000 });
  const stored = [];
  for (const document of documents) {
    stored.push({ document, stored: await repository.storedDocument(document.id), chunks: await context.store.chunksOf(document.id) });
  }
  return stored;
}

/** The tar entry `name`'s data offset in `archive` (plain ustar headers, as beleg writes them). */
function entryOffset(archive: Uint8Array, name: string): { offset: number; size: number } {
  let offset = 0;
  while (offset + 512 <= archive.length && archive[offset] !== 0) {
    const header = Buffer.from(archive.subarray(offset, offset + 512));
    const entryName = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (entryName === name) return { offset: offset + 512, size };
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`no entry '${name}' in the archive`);
}

/** Calls `restore` and returns the BelegError it throws. */
async function restoreError(file: string, dataDir: string): Promise<BelegError> {
  const error = await restoreBackup({ file, dataDir }).then(
    () => new Error('restore succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

describe('backup and restore of an idle data directory', () => {
  let models: string;
  beforeAll(() => {
    models = temporaryDirectory('beleg-backup-model-');
    writeTinyBert(path.join(models, 'tiny-a'), { seed: 1 });
  });

  it('restores identical documents, stored texts, chunks and vectors, and the same answers to the same questions', { timeout: 120_000 }, async () => {
    const environment = () => ({ BELEG_EMBEDDING_MODEL_DIR: path.join(models, 'tiny-a') });
    const original = await openTestContext(testConfig(temporaryDirectory('beleg-backup-source-'), environment()));
    for (const name of ['gemeinde-notizen.md', 'stadtinfo-utf8.html', 'strassenbahn-libreoffice.pdf']) {
      const document = await original.ingestion.ingest({ kind: 'file', fileName: name, bytes: fixture(name) });
      expect(document.status).toBe('ready');
    }
    await original.ingestion.ingest({ kind: 'text', title: 'Notiz', text: 'Der Bauhof räumt im Winter zuerst die Radwege. Die Bücherei öffnet montags.' });
    const dataDir = original.config.dataDir;
    await original.close();

    const backupFile = path.join(temporaryDirectory('beleg-backup-file-'), 'nightly', 'beleg.tar');
    const { manifest } = await createBackup({ dataDir, file: backupFile });
    // What the backed-up directory shows (closing optimized the full-text index, which shifts BM25
    // scores a little, so this is read after the close, from the same state the backup holds).
    const reopened = await openTestContext(testConfig(dataDir, environment()));
    const before = await contentsOf(reopened);
    const answersBefore = await answersOf(reopened);
    const queryVector = await reopened.embeddingModel!.embedQuery('Westfälischer Friede 1648');
    const vectorHitsBefore = await reopened.store.searchVector(queryVector, { limit: 10 });
    await reopened.close();
    expect(manifest.counts.documents).toEqual({ pending: 0, indexing: 0, ready: 4, failed: 0 });
    expect(manifest.counts.readyChunks).toBe(before.reduce((sum, entry) => sum + entry.chunks.length, 0));
    expect(manifest.counts.chunks).toBe(manifest.counts.readyChunks);
    expect(manifest.index).toMatchObject({ searchText: 'german-decompound-v1', embeddingModelId: 'tiny-a' });
    expect(manifest.schema).toEqual(currentSchemaLevel());
    expect(manifest.belegVersion).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);

    const restoredDir = path.join(temporaryDirectory('beleg-backup-target-'), 'restored');
    const restored = await restoreBackup({ file: backupFile, dataDir: restoredDir });
    expect(restored.manifest).toEqual(manifest);
    expect(readdirSync(restoredDir).sort()).toEqual(['beleg.sqlite', 'lancedb', 'uploads']);

    const copy = await openTestContext(testConfig(restoredDir, environment()));
    try {
      // The chunks came from the backup: nothing had to be rebuilt or re-embedded.
      expect(copy.reconciled).toMatchObject({ removedChunkDocuments: [], rebuild: [], resumed: [], failed: [] });
      expect(copy.reindexed).toBeNull();
      expect(await contentsOf(copy)).toEqual(before);
      expect(await copy.store.searchVector(queryVector, { limit: 10 })).toEqual(vectorHitsBefore);
      const answersAfter = await answersOf(copy);
      expect(answersAfter).toEqual(answersBefore);
      expect(answersAfter.filter((answer) => !answer.declined).length).toBeGreaterThanOrEqual(3);
      expect(answersAfter.at(-1)!.declined).toBe(true);
    } finally {
      await copy.close();
    }
  });
});

type Gate = { entered: Promise<void>; release(): void };
type Deferred = { promise: Promise<void>; resolve(): void };

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * A loader that holds documents containing a gated word until released (or aborted), so a test
 * can keep them `indexing` while it takes a backup; everything else loads at once.
 */
function gatedLoader() {
  const gates = new Map<string, { entered: Deferred; released: Deferred }>();
  return {
    gate(word: string): Gate {
      const gate = { entered: deferred(), released: deferred() };
      gates.set(word, gate);
      return { entered: gate.entered.promise, release: () => gate.released.resolve() };
    },
    async load(input: DocumentInput, options: LoadOptions): Promise<LoadedDocument> {
      const text = input.kind === 'text' ? input.text : input.kind === 'file' ? new TextDecoder().decode(input.bytes) : '';
      for (const [word, gate] of gates) {
        if (!text.includes(word)) continue;
        gate.entered.resolve();
        await new Promise<void>((resolve, reject) => {
          gate.released.promise.then(resolve);
          options.signal?.addEventListener('abort', () => reject(options.signal!.reason));
        });
      }
      return loadDocument(input, options);
    },
  };
}

const textFile = (index: number): DocumentInput => ({ kind: 'file', fileName: `bericht-${index}.txt`, bytes: new TextEncoder().encode(crashDocumentText(index)) });

describe('a backup taken while documents are being indexed', () => {
  it('restores every ready document whole and searchable, nothing half visible, and interrupted documents handled like after a crash', { timeout: 120_000 }, async () => {
    const loader = gatedLoader();
    // One document per batch, so a held document does not hold up the others.
    const options: AppContextOptions = { load: (input, loadOptions) => loader.load(input, loadOptions), batchSize: 1 };
    const original = await openTestContext(testConfig(), options);
    const ready: string[] = [];
    for (const index of [0, 1, 2, 3]) ready.push((await original.ingestion.ingest(textFile(index))).id);

    // X (a file: its saved upload is in the first pass) is held while indexing.
    const gateX = loader.gate(uniqueWord(10));
    const x = await original.ingestion.submit(textFile(10));
    await gateX.entered;
    let y = '';
    let z = '';
    const gateY = loader.gate(uniqueWord(11));
    const gateZ = loader.gate(uniqueWord(12));
    const backupFile = path.join(temporaryDirectory('beleg-backup-file-'), 'during.tar');
    const { manifest } = await createBackup({
      dataDir: original.config.dataDir,
      file: backupFile,
      onStep: async (step) => {
        if (step === 'uploads') {
          // Z (a file, submitted after the first pass over the uploads) and Y (a text) wait in the queue.
          z = (await original.ingestion.submit(textFile(12))).id;
          y = (await original.ingestion.submit({ kind: 'text', text: crashDocumentText(11) })).id;
        }
        if (step === 'database') {
          // After the snapshot: X and Z finish (their uploads are deleted), a ready document is removed.
          gateX.release();
          gateZ.release();
          expect((await original.ingestion.settled(x.id)).status).toBe('ready');
          expect((await original.ingestion.settled(z)).status).toBe('ready');
          await original.ingestion.remove(ready[3]!);
          await gateY.entered;
        }
      },
    });
    gateY.release();
    expect((await original.ingestion.settled(y)).status).toBe('ready');
    await original.close();

    expect(manifest.counts.documents).toEqual({ pending: 2, indexing: 1, ready: 4, failed: 0 });
    expect(manifest.counts.uploads).toBe(1);
    expect(manifest.counts.missingUploads).toBe(1);

    const restoredDir = temporaryDirectory('beleg-backup-target-');
    await restoreBackup({ file: backupFile, dataDir: restoredDir });
    const resumedLoader = gatedLoader();
    const held = resumedLoader.gate('zqx');
    const copy = await openTestContext(testConfig(restoredDir), { load: (input, loadOptions) => resumedLoader.load(input, loadOptions) });
    try {
      // X and Z became ready after the snapshot: their chunks in the copied table are dropped;
      // the document removed after the snapshot is ready in it: its chunks are rebuilt from its text.
      expect(new Set(copy.reconciled.removedChunkDocuments)).toEqual(new Set([x.id, z]));
      expect(copy.reconciled.rebuild).toEqual([ready[3]]);
      expect(new Set(copy.reconciled.resumed)).toEqual(new Set([x.id, y]));
      expect(copy.reconciled.failed).toEqual([z]);
      expect(await copy.ingestion.get(z)).toMatchObject({ status: 'failed', errorCode: 'ingestion_interrupted' });
      await held.entered;

      // Every ready document: complete, its text verbatim, found by its word.
      const readyIds = await copy.ingestion.readyDocumentIds();
      expect(new Set(readyIds)).toEqual(new Set(ready));
      for (const [index, id] of ready.entries()) {
        const document = await copy.ingestion.get(id);
        const text = await copy.ingestion.text(id);
        expect(text).toBe(crashDocumentText(index));
        const chunks = await copy.store.chunksOf(id);
        expect(chunks.map((chunk) => chunk.ordinal)).toEqual([...Array(document.chunkCount).keys()]);
        for (const chunk of chunks) expect(text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
        const hits = await copy.store.searchText(uniqueWord(index), { limit: 5, documentIds: readyIds });
        expect(hits.map((hit) => hit.chunk.documentId)).toEqual([id]);
      }
      // Nothing of the documents being indexed is in the store while they are held.
      for (const id of [x.id, y, z]) expect(await copy.store.countChunks(id)).toBe(0);
      const readyChunks = (await Promise.all(ready.map((id) => copy.ingestion.get(id)))).reduce((sum, document) => sum + document.chunkCount, 0);
      expect(await copy.store.countChunks()).toBe(readyChunks);

      // Released, the interrupted documents finish from their restored inputs.
      held.release();
      for (const [index, id] of [[10, x.id], [11, y]] as const) {
        expect((await copy.ingestion.settled(id)).status).toBe('ready');
        expect(await copy.ingestion.text(id)).toBe(crashDocumentText(index));
        const hits = await copy.store.searchText(uniqueWord(index), { limit: 5, documentIds: await copy.ingestion.readyDocumentIds() });
        expect(hits.map((hit) => hit.chunk.documentId)).toEqual([id]);
      }
    } finally {
      await copy.close();
    }
  });
});

describe('refused backups and targets', () => {
  let backupFile: string;
  let manifest: BackupManifest;
  let workspace: string;
  beforeAll(async () => {
    const context = await openTestContext();
    await context.ingestion.ingest({ kind: 'text', text: crashDocumentText(1) });
    const dataDir = context.config.dataDir;
    await context.close();
    workspace = temporaryDirectory('beleg-backup-errors-');
    backupFile = path.join(workspace, 'good.tar');
    ({ manifest } = await createBackup({ dataDir, file: backupFile }));
  }, 60_000);

  it('refuses to overwrite a file and to back up a directory that is not a data directory', async () => {
    const dataDir = temporaryDirectory();
    await expect(createBackup({ dataDir, file: backupFile })).rejects.toMatchObject({ code: 'backup_source_missing' });
    const context = await openTestContext(testConfig(dataDir));
    await context.close();
    const before = readFileSync(backupFile);
    await expect(createBackup({ dataDir, file: backupFile })).rejects.toMatchObject({ code: 'backup_exists' });
    expect(readFileSync(backupFile).equals(before)).toBe(true);
  });

  it('fails with backup_failed and writes nothing when the database cannot be read', async () => {
    const dataDir = temporaryDirectory();
    writeFileSync(path.join(dataDir, 'beleg.sqlite'), 'kein SQLite');
    const output = path.join(workspace, 'failed', 'never.tar');
    await expect(createBackup({ dataDir, file: output })).rejects.toMatchObject({ code: 'backup_failed', message: expect.stringContaining('not a database') });
    expect(readdirSync(path.dirname(output))).toEqual([]);
  });

  it('refuses a non-empty target and leaves it as it was', async () => {
    const target = path.join(workspace, 'occupied');
    mkdirSync(target);
    writeFileSync(path.join(target, 'notes.txt'), 'meine Notizen');
    const error = await restoreError(backupFile, target);
    expect(error.code).toBe('restore_target_not_empty');
    expect(error.message).toContain('notes.txt');
    expect(readdirSync(target)).toEqual(['notes.txt']);
    expect(readFileSync(path.join(target, 'notes.txt'), 'utf8')).toBe('meine Notizen');
  });

  it('refuses files that are not beleg backups: random bytes, an empty file, a tar of something else', async () => {
    const random = path.join(workspace, 'random.tar');
    writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)));
    const empty = path.join(workspace, 'empty.tar');
    writeFileSync(empty, '');
    const foreignSource = path.join(workspace, 'foreign');
    mkdirSync(path.join(foreignSource, 'fotos'), { recursive: true });
    writeFileSync(path.join(foreignSource, 'fotos', 'urlaub.txt'), 'kein Backup');
    const foreign = path.join(workspace, 'foreign.tar');
    await writeArchive(foreign, foreignSource, ['fotos']);
    for (const file of [random, empty, foreign]) {
      const target = path.join(workspace, `target-${path.basename(file)}`);
      const error = await restoreError(file, target);
      expect(error.code).toBe('backup_invalid');
      expect(existsSync(target)).toBe(false);
    }
    expect(readdirSync(workspace).filter((name) => name.includes('.restore-'))).toEqual([]);
    expect((await restoreError(path.join(workspace, 'missing.tar'), path.join(workspace, 'never'))).code).toBe('backup_not_found');
  });

  it('refuses a damaged backup: a changed byte in the database, a truncated archive', async () => {
    const archive = new Uint8Array(readFileSync(backupFile));
    const database = entryOffset(archive, 'beleg.sqlite');
    const flipped = Uint8Array.from(archive);
    flipped[database.offset + Math.floor(database.size / 2)]! ^= 0x01;
    const flippedFile = path.join(workspace, 'flipped.tar');
    writeFileSync(flippedFile, flipped);
    const truncatedFile = path.join(workspace, 'truncated.tar');
    writeFileSync(truncatedFile, archive.subarray(0, database.offset + 4096));
    for (const [file, reason] of [
      [flippedFile, 'sha256'],
      [truncatedFile, 'breaks off'],
    ] as const) {
      const target = path.join(workspace, `target-${path.basename(file)}`);
      const error = await restoreError(file, target);
      expect(error.code).toBe('backup_corrupt');
      expect(error.message).toContain(reason);
      expect(existsSync(target)).toBe(false);
      // An existing empty target (e.g. a fresh volume) stays empty.
      const emptyTarget = path.join(workspace, `empty-target-${path.basename(file)}`);
      mkdirSync(emptyTarget);
      expect((await restoreError(file, emptyTarget)).code).toBe('backup_corrupt');
      expect(readdirSync(emptyTarget)).toEqual([]);
    }
  });

  it('refuses a backup from a newer beleg (database schema it does not know)', async () => {
    const unpacked = path.join(workspace, 'unpacked');
    mkdirSync(unpacked);
    await extractArchive(backupFile, unpacked, () => true);
    const future = { ...manifest, schema: { migrations: manifest.schema.migrations + 1, latestMigration: '0099_future', latestMigrationAt: Date.now() + 1e12 } };
    writeFileSync(path.join(unpacked, 'beleg-backup.json'), JSON.stringify(future));
    const futureFile = path.join(workspace, 'future.tar');
    await writeArchive(futureFile, unpacked, ['beleg-backup.json', 'beleg.sqlite', 'lancedb', 'uploads']);
    const error = await restoreError(futureFile, path.join(workspace, 'target-future'));
    expect(error.code).toBe('backup_incompatible');
    expect(error.message).toContain('0099_future');
  });

  it('prints the error code on the command line and exits 1', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
    try {
      const random = path.join(workspace, 'not-a-backup.tar');
      writeFileSync(random, 'Hallo');
      expect(await main(['restore', random, '--data-dir', path.join(workspace, 'target-cli')])).toBe(1);
      expect(await main(['restore', backupFile])).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toMatch(/^error \[backup_invalid\]: .*not-a-backup\.tar' is not a beleg backup/);
    expect(errors[1]).toMatch(/^error \[validation_failed\]: Name the directory to restore into with --data-dir/);
  });
});
