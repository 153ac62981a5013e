/**
 * Which collections derived documents land in: an e-mail's attachments are in the mail's
 * collections (and leave a collection with it); a re-ingested URL's new version stays visible
 * wherever the old one was.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openTestContext, testConfig, webLoader } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

it('puts an e-mail’s attachments into the mail’s collection, and takes them out with it', async () => {
  const context = await openTestContext();
  try {
    await context.access.createCollection('personal', 'Personal');
    await context.access.createCollection('technik', 'Technik');
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/mail-epub/nebenkosten-mit-anhang.eml', import.meta.url)));
    const mail = await context.ingestion.ingest({ kind: 'file', fileName: 'nebenkosten.eml', bytes }, { collectionId: 'personal' });
    expect(mail.status).toBe('ready');
    expect(mail.attachmentIds?.length).toBeGreaterThan(0);
    for (const id of mail.attachmentIds!) {
      expect((await context.ingestion.get(id)).collectionIds).toEqual(['personal']);
      await expect(context.ingestion.text(id, ['technik'])).rejects.toMatchObject({ code: 'not_found' });
    }
    // The same mail uploaded into Technik as well: mail and attachments are visible there too.
    await context.ingestion.ingest({ kind: 'file', fileName: 'nebenkosten.eml', bytes }, { collectionId: 'technik' });
    expect((await context.ingestion.get(mail.id)).collectionIds).toEqual(['personal', 'technik']);
    // Personal deletes it: it stays for Technik, attachments included, and is gone for Personal.
    await context.ingestion.remove(mail.id, ['personal']);
    for (const id of [mail.id, ...mail.attachmentIds!]) {
      expect((await context.ingestion.get(id)).collectionIds).toEqual(['technik']);
      await expect(context.ingestion.get(id, ['personal'])).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await context.ingestion.list({ collectionIds: ['personal'] })).total).toBe(0);
    // Technik deletes it too: now it is gone, attachments with it.
    await context.ingestion.remove(mail.id, ['technik']);
    expect((await context.ingestion.list()).total).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

it('keeps a re-ingested URL’s new version in every collection the old one was in', async () => {
  const pages = new Map([['https://example.org/satzung', '<h1>Satzung</h1><p>Der Beitrag beträgt 20 Euro.</p>']]);
  const context = await openTestContext(testConfig(), { load: webLoader(pages) });
  try {
    await context.access.createCollection('personal', 'Personal');
    const first = await context.ingestion.ingest({ kind: 'url', url: 'https://example.org/satzung' }, { collectionId: 'personal' });
    expect(first.status).toBe('ready');
    pages.set('https://example.org/satzung', '<h1>Satzung</h1><p>Der Beitrag beträgt 25 Euro.</p>');
    const second = await context.ingestion.ingest({ kind: 'url', url: 'https://example.org/satzung' });
    expect(second.id).not.toBe(first.id);
    expect((await context.ingestion.get(second.id)).collectionIds).toEqual(['allgemein', 'personal']);
    expect(await context.ingestion.text(second.id, ['personal'])).toContain('25 Euro');
  } finally {
    await context.close();
  }
}, 60_000);
