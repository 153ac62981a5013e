import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDocumentRepository, openDatabase } from '../src/db/index.ts';
import { documentInsertSchema } from '../src/db/schema.ts';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

describe('SQLite metadata', () => {
  it('opens in WAL mode with foreign keys, migrates once, and keeps data across reopen', async () => {
    const file = path.join(temporaryDirectory(), 'nested', 'beleg.sqlite');
    const first = openDatabase(file);
    expect(first.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.connection.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = first.connection.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[];
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['documents', 'document_texts', 'ingest_jobs', 'document_aliases']));
    await new SqliteDocumentRepository(first.db).createPending({ id: 'a', sourceKind: 'text', sha256: 'f'.repeat(64) }, { inputKind: 'text', text: 'Hallo.' });
    first.close();

    const second = openDatabase(file);
    const migrations = second.connection.prepare('select count(*) as applied from __drizzle_migrations').get() as { applied: number };
    const journal = JSON.parse(readFileSync(new URL('../migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };
    expect(migrations.applied).toBe(journal.entries.length);
    expect(await new SqliteDocumentRepository(second.db).find('a')).toMatchObject({ id: 'a', status: 'pending', version: 1, chunkCount: 0 });
    second.close();
  });

  it('removes a document with its text, job and aliases, and resolves aliases to the current version', async () => {
    const handle = openDatabase(path.join(temporaryDirectory(), 'beleg.sqlite'));
    const repository = new SqliteDocumentRepository(handle.db);
    await repository.createPending({ id: 'v1', sourceKind: 'url', url: 'https://example.org/' }, { inputKind: 'url', url: 'https://example.org/' });
    const ready = (id: string) => ({ id, title: 'T', mimeType: 'text/html', language: 'de', finalUrl: null, sha256: id.repeat(32).slice(0, 64), byteSize: 3, pageCount: null, chunkCount: 1, text: `Text ${id}`, pages: null, sections: [{ headingPath: ['A'], charStart: 0, charEnd: 3 }] });
    await repository.markReady([ready('v1')]);
    await repository.createPending({ id: 'v2', sourceKind: 'url', url: 'https://example.org/', version: 2, supersedes: 'v1' }, { inputKind: 'url', url: 'https://example.org/' });
    const [outcome] = await repository.markReady([ready('v2')]);
    expect(outcome?.retiredId).toBe('v1');
    expect((await repository.find('v1'))?.id).toBe('v2');
    expect(await repository.storedDocument('v2')).toMatchObject({ text: 'Text v2', sections: [{ headingPath: ['A'], charStart: 0, charEnd: 3 }] });

    expect(await repository.remove('v2')).toBe(true);
    expect(await repository.find('v2')).toBeUndefined();
    expect(await repository.find('v1')).toBeUndefined();
    const leftovers = ['document_texts', 'ingest_jobs', 'document_aliases'].map(
      (table) => (handle.connection.prepare(`select count(*) as rows from ${table}`).get() as { rows: number }).rows,
    );
    expect(leftovers).toEqual([0, 0, 0]);
    handle.close();
  });

  it('derives a zod schema from the documents table that rejects an unknown status', () => {
    expect(documentInsertSchema.safeParse({ id: 'x', sourceKind: 'file', status: 'ready' }).success).toBe(true);
    expect(documentInsertSchema.safeParse({ id: 'x', sourceKind: 'file', status: 'done' }).success).toBe(false);
  });
});
