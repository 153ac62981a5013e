import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SqliteAuditRepository } from './audit-repository.ts';
import { openDatabase, type DatabaseHandle } from './client.ts';
import { auditEvents } from './schema.ts';

const opened: Array<{ handle: DatabaseHandle; directory: string }> = [];
afterEach(() => {
  for (const { handle, directory } of opened.splice(0)) {
    handle.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

function open(): DatabaseHandle {
  const directory = mkdtempSync(path.join(tmpdir(), 'beleg-audit-'));
  const handle = openDatabase(path.join(directory, 'beleg.sqlite'));
  opened.push({ handle, directory });
  return handle;
}

it('deletes entries older than the retention and keeps newer ones', async () => {
  const { db } = open();
  const audit = new SqliteAuditRepository(db, 30);
  db.insert(auditEvents).values({ actor: 'key-1', action: 'ask', question: 'alt', at: '2026-01-01T00:00:00.000Z', collectionIds: ['allgemein'], citedDocumentIds: [] }).run();
  db.insert(auditEvents).values({ actor: 'key-1', action: 'ask', question: 'neu', at: '2026-03-01T00:00:00.000Z', collectionIds: ['allgemein'], citedDocumentIds: [] }).run();
  expect(await audit.prune(new Date('2026-03-15T00:00:00.000Z'))).toBe(1);
  expect((await audit.list({ limit: 10, offset: 0 })).map((event) => event.question)).toEqual(['neu']);
});

it('keeps everything with a retention of 0 days', async () => {
  const { db } = open();
  const audit = new SqliteAuditRepository(db, 0);
  db.insert(auditEvents).values({ actor: 'key-1', action: 'delete', documentId: 'd', at: '2000-01-01T00:00:00.000Z', collectionIds: ['*'] }).run();
  expect(await audit.prune(new Date())).toBe(0);
  expect(await audit.list({ limit: 10, offset: 0, action: 'delete' })).toHaveLength(1);
});
