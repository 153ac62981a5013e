/**
 * E-mails through the real app (HTTP, ingestion service, SQLite, LanceDB, the parser process and
 * the extractive answerer): the attachments beleg can read become documents of their own, linked
 * to the mail both ways; questions are answered from the mail body and from an attachment with
 * verbatim citations; deleting a mail takes its attachments along unless another mail or the
 * user still has them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealApp, type RealApp } from './helpers/start-real-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

type DocumentBody = {
  id: string;
  status: string;
  title: string | null;
  fileName: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  parentId?: string | null;
  attachmentIds?: string[];
};
type Citation = { quote: string; documentId: string; charStart: number; charEnd: number; verified: boolean };

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/mail-epub/${name}`, import.meta.url)));
const HAUSORDNUNG_SENTENCE = 'Die Mülltonnen werden jeden Dienstag um 7 Uhr geleert.';

let server: RealApp;

beforeAll(async () => {
  server = await startRealApp('beleg-mail-');
});

afterAll(async () => {
  await server?.close();
  removeTemporaryDirectories();
});

async function upload(name: string, bytes: Uint8Array, type: string): Promise<DocumentBody> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${server.url}/documents`, { method: 'POST', body: form });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: DocumentBody[] }).documents[0]!;
}

async function documentOf(id: string): Promise<{ status: number; body: DocumentBody }> {
  const response = await fetch(`${server.url}/documents/${id}`);
  return { status: response.status, body: (await response.json()) as DocumentBody };
}

async function settled(id: string): Promise<DocumentBody> {
  let document: DocumentBody | undefined;
  await expect
    .poll(
      async () => {
        document = (await documentOf(id)).body;
        return document.status;
      },
      { timeout: 30_000, interval: 50 },
    )
    .toMatch(/^(ready|failed)$/);
  return document!;
}

async function ask(question: string): Promise<{ declined: boolean; citations: Citation[] }> {
  const response = await fetch(`${server.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
  expect(response.status).toBe(200);
  return (await response.json()) as { declined: boolean; citations: Citation[] };
}

async function storedText(id: string, start: number, end: number): Promise<string> {
  const response = await fetch(`${server.url}/documents/${id}/text?start=${start}&end=${end}`);
  return ((await response.json()) as { text: string }).text;
}

/** The Hausordnung attached to the fixture mail, as written by tests/fixtures/mail-epub/sources/make-fixtures.py. */
const HAUSORDNUNG = `Hausordnung der Wohnanlage Lindenstraße 12

Die Ruhezeiten gelten werktags von 22 Uhr bis 6 Uhr sowie sonntags ganztägig.

Fahrräder dürfen nur im Fahrradkeller abgestellt werden, nicht im Treppenhaus.

${HAUSORDNUNG_SENTENCE}
`;

/** A second mail, written here, that carries the same Hausordnung (same bytes, another file name). */
function secondMail(): Uint8Array {
  return new TextEncoder().encode(
    [
      'From: Hausmeister <hausmeister@lindenstrasse12.example>',
      'To: alle@lindenstrasse12.example',
      'Subject: Erinnerung an die Hausordnung',
      'Date: Fri, 05 Dec 2025 07:30:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="trenner"',
      '',
      '--trenner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Liebe Nachbarn, im Anhang noch einmal die Hausordnung. Der Hof wird am Samstag gefegt.',
      '--trenner',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="hausordnung.txt"',
      '',
      Buffer.from(HAUSORDNUNG, 'utf-8').toString('base64'),
      '--trenner--',
      '',
    ].join('\r\n'),
  );
}

describe('e-mails with attachments through the real app', () => {
  it('ingests the readable attachments as linked documents and answers from body and attachment with verbatim quotes', async () => {
    const accepted = await upload('nebenkosten.eml', fixture('nebenkosten-mit-anhang.eml'), 'message/rfc822');
    const mail = await settled(accepted.id);
    expect(mail.status, `${mail.errorCode} ${mail.errorMessage}`).toBe('ready');
    expect(mail.title).toBe('Nebenkostenabrechnung 2025 – Wohnung Lindenstraße 12');
    expect(mail.parentId).toBeNull();
    // The .txt and the PDF; the PNG (a small drawing, not the size of a scanned page) is only named in the mail's text.
    expect(mail.attachmentIds).toHaveLength(2);
    const attachments = await Promise.all(mail.attachmentIds!.map(settled));
    expect(attachments.map((attachment) => [attachment.fileName, attachment.status, attachment.parentId])).toEqual([
      ['Hausordnung Lindenstraße.txt', 'ready', mail.id],
      ['strassenbahn-chronik.pdf', 'ready', mail.id],
    ]);
    const listed = (await (await fetch(`${server.url}/documents?limit=50`)).json()) as { documents: DocumentBody[] };
    expect(listed.documents.find((document) => document.id === mail.id)?.attachmentIds).toEqual(mail.attachmentIds);
    expect(listed.documents.some((document) => document.fileName === 'grundriss.png')).toBe(false);

    const fromBody = await ask('Wie viel Euro beträgt die Nachzahlung?');
    expect(fromBody.declined, JSON.stringify(fromBody)).toBe(false);
    const bodyCitation = fromBody.citations[0]!;
    expect(bodyCitation.documentId).toBe(mail.id);
    expect(bodyCitation.quote).toContain('Die Nachzahlung beträgt 148,37 Euro');
    expect(bodyCitation.verified).toBe(true);
    expect(await storedText(mail.id, bodyCitation.charStart, bodyCitation.charEnd)).toBe(bodyCitation.quote);

    const fromAttachment = await ask('Wann werden die Mülltonnen geleert?');
    expect(fromAttachment.declined).toBe(false);
    const attachmentCitation = fromAttachment.citations[0]!;
    expect(attachmentCitation.documentId).toBe(attachments[0]!.id);
    expect(attachmentCitation.quote).toBe(HAUSORDNUNG_SENTENCE);
    expect(await storedText(attachments[0]!.id, attachmentCitation.charStart, attachmentCitation.charEnd)).toBe(HAUSORDNUNG_SENTENCE);

    // `beleg docs` (here against the running server) shows the link both ways.
    const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../bin/beleg.js', import.meta.url)), 'docs', '--server', server.url], {
      env: { ...process.env, BELEG_DATA_DIR: '', LC_ALL: 'de_DE.UTF-8' },
    });
    expect(stdout).toContain(`(2 Anhänge: ${mail.attachmentIds!.join(', ')})`);
    for (const attachment of attachments) {
      const line = stdout.split('\n').find((row) => row.startsWith(attachment.id));
      expect(line).toMatch(new RegExp(`\\(Anhang von ${mail.id}\\)$`));
    }
  }, 120_000);

  it('shares identical attachments between mails and deletes a mail with the attachments nobody else keeps', async () => {
    const first = await settled((await upload('nebenkosten.eml', fixture('nebenkosten-mit-anhang.eml'), 'message/rfc822')).id);
    const [hausordnungId, pdfId] = first.attachmentIds!;
    const second = await settled((await upload('erinnerung.eml', secondMail(), 'message/rfc822')).id);
    expect(second.status, `${second.errorCode} ${second.errorMessage}`).toBe('ready');
    // Same content, one document, linked to both mails.
    expect(second.attachmentIds).toEqual([hausordnungId]);

    // The user uploads the PDF on its own too: it is theirs now and stays.
    const pdf = new Uint8Array(readFileSync(new URL('./fixtures/documents/strassenbahn-libreoffice.pdf', import.meta.url)));
    const ownPdf = await upload('chronik.pdf', pdf, 'application/pdf');
    expect(ownPdf.id).toBe(pdfId);
    expect((await documentOf(pdfId!)).body.parentId).toBeNull();

    expect((await fetch(`${server.url}/documents/${first.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await documentOf(first.id)).status).toBe(404);
    // Still attached to the second mail, and counted as coming from it now.
    expect((await documentOf(hausordnungId!)).body).toMatchObject({ status: 'ready', parentId: second.id });
    expect((await documentOf(pdfId!)).body).toMatchObject({ status: 'ready', parentId: null });

    expect((await fetch(`${server.url}/documents/${second.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await documentOf(hausordnungId!)).status).toBe(404);
    const answer = await ask('Wann werden die Mülltonnen geleert?');
    expect(answer.citations.some((citation) => citation.documentId === hausordnungId)).toBe(false);
    // The user's own PDF is untouched.
    expect((await documentOf(pdfId!)).body.status).toBe('ready');
  }, 120_000);

  it('reads a scanned page attached as PNG by OCR, as a document linked to the mail', async () => {
    const scan = new Uint8Array(readFileSync(new URL('./fixtures/ocr/wohngeld-seite-1.png', import.meta.url)));
    const mail = [
      'From: Amt <wohngeld@lindenau.example>',
      'To: jaeger@example.org',
      'Subject: Ihr Wohngeldbescheid',
      'Date: Mon, 17 Mar 2025 09:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="trenner"',
      '',
      '--trenner',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Sehr geehrte Frau Jäger, anbei der Bescheid als Scan.',
      '--trenner',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="bescheid-seite-1.png"',
      '',
      Buffer.from(scan).toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--trenner--',
      '',
    ].join('\r\n');
    const ready = await settled((await upload('bescheid.eml', new TextEncoder().encode(mail), 'message/rfc822')).id);
    expect(ready.status, `${ready.errorCode} ${ready.errorMessage}`).toBe('ready');
    expect(ready.attachmentIds).toHaveLength(1);
    const attachment = await settled(ready.attachmentIds![0]!);
    expect(attachment, `${attachment.errorCode} ${attachment.errorMessage}`).toMatchObject({ fileName: 'bescheid-seite-1.png', status: 'ready', parentId: ready.id });
    expect(await storedText(attachment.id, 0, 2000)).toContain('Wohngeld');
  }, 120_000);

  it('ingests an Outlook .msg with its text attachment', async () => {
    const mail = await settled((await upload('sample.msg', fixture('mapi-sample-attachments.msg'), 'application/vnd.ms-outlook')).id);
    expect(mail.status, `${mail.errorCode} ${mail.errorMessage}`).toBe('ready');
    expect(mail.attachmentIds).toHaveLength(1);
    const attachment = await settled(mail.attachmentIds![0]!);
    expect(attachment).toMatchObject({ fileName: 'attachment.txt', status: 'ready', parentId: mail.id });
  }, 60_000);
});
