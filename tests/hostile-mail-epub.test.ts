/**
 * Hostile e-mails and EPUBs through the real ingestion service (SQLite, LanceDB, the real loaders
 * in their parser process), as tests/hostile-documents.test.ts does for PDF and HTML: each ends
 * as a clean per-document error or a correct parse within 30 s, beleg and its parser stay under
 * 2 GB, and a good mail submitted among them still becomes ready and searchable.
 */
import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { BelegError } from '../src/errors.ts';
import { loadDocument } from '../src/ingest/load-document.ts';
import type { DocumentInput, DocumentRecord } from '../src/ingest/types.ts';
import { truncations } from './helpers/hostile-documents.ts';
import { expectOutcomes, openMeasuredContext, type Expectation } from './helpers/hostile-batch.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

type Case = { name: string; input: DocumentInput; expect: Expectation };

const GOOD_SENTENCE = 'Die Müllabfuhr kommt in der Lindenstraße jeden Dienstag.';
const file = (fileName: string, bytes: Uint8Array): DocumentInput => ({ kind: 'file', fileName, bytes });
const encode = (text: string) => new TextEncoder().encode(text);
const msgFixture = () => new Uint8Array(readFileSync(new URL('./fixtures/mail-epub/mapi-sample-attachments.msg', import.meta.url)));

const MAIL_HEADER = 'From: a@example.org\r\nTo: b@example.org\r\nSubject: Test\r\nDate: Mon, 01 Dec 2025 10:00:00 +0100\r\nMIME-Version: 1.0\r\n';

/** A mail whose multipart parts nest `depth` deep, a sentence at the bottom. */
function nestedMultipartMail(depth: number): Uint8Array {
  const parts: string[] = [MAIL_HEADER, 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n'];
  for (let level = 1; level <= depth; level++) parts.push(`--b${level - 1}\r\nContent-Type: multipart/mixed; boundary="b${level}"\r\n\r\n`);
  parts.push(`--b${depth}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGanz unten steht ein Satz.\r\n--b${depth}--\r\n`);
  for (let level = depth - 1; level >= 0; level--) parts.push(`--b${level}--\r\n`);
  return encode(parts.join(''));
}

/** A mail with one base64 attachment of `bytes` (noise, so nothing compresses it). */
function mailWithAttachment(bytes: number): Uint8Array {
  const noise = Buffer.alloc(bytes);
  for (let index = 0; index < bytes; index += 4) noise.writeUInt32LE((index * 2654435761) >>> 0, index);
  const base64 = noise.toString('base64').replace(/.{76}/g, '$&\r\n');
  return encode(
    `${MAIL_HEADER}Content-Type: multipart/mixed; boundary="grenze"\r\n\r\n--grenze\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIm Anhang die Rohdaten der Messung.\r\n--grenze\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="messung.bin"\r\n\r\n${base64}\r\n--grenze--\r\n`,
  );
}

const CONTAINER = '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';
const opf = (items: string, spine: string) =>
  `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Buch</dc:title></metadata><manifest>${items}</manifest><spine>${spine}</spine></package>`;
const CHAPTER_ITEM = '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>';

function epub(entries: Record<string, string | Uint8Array>): Uint8Array {
  const files = Object.fromEntries(Object.entries(entries).map(([name, content]) => [name, typeof content === 'string' ? strToU8(content) : content]));
  return zipSync({ mimetype: [strToU8('application/epub+zip'), { level: 0 }], ...files });
}

function corpus(): Case[] {
  const billionLaughs =
    '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "hahahahahahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>' +
    '<package xmlns="http://www.idpf.org/2007/opf"><metadata><title xmlns="http://purl.org/dc/elements/1.1/">&h;</title></metadata><manifest/><spine/></package>';
  const msg = msgFixture();
  return [
    { name: 'MIME nested 10^4 multiparts deep', input: file('tief.eml', nestedMultipartMail(10_000)), expect: { codes: ['mail_corrupt', 'parse_timeout', 'parse_out_of_memory'], ready: true } },
    // 30 MB of base64 (22 MB decoded), under the 50 MB limit: parsed; the attachment (unknown binary) is listed, not ingested.
    { name: 'base64 attachment of 22 MB', input: file('gross.eml', mailWithAttachment(22 * 1024 * 1024)), expect: { codes: [], ready: true, text: 'Anhänge: messung.bin' } },
    {
      name: 'boundary declared but never used',
      input: file('grenzenlos.eml', encode(`${MAIL_HEADER}Content-Type: multipart/mixed; boundary="fehlt"\r\n\r\nText ohne Grenze, der trotzdem gelesen werden kann.\r\n`)),
      expect: { codes: ['mail_empty', 'mail_corrupt'], ready: true },
    },
    {
      name: 'boundary never closed, part header cut',
      input: file('offen.eml', encode(`${MAIL_HEADER}Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDer Satz vor dem Abbruch bleibt lesbar.\r\n--x\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encod`)),
      expect: { codes: ['mail_corrupt'], ready: true, text: 'Der Satz vor dem Abbruch bleibt lesbar.' },
    },
    {
      name: 'base64 part of garbage',
      input: file('muell.eml', encode(`${MAIL_HEADER}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!%%%***\u00e4\u00f6\r\n`)),
      expect: { codes: ['mail_corrupt', 'mail_empty'], ready: true },
    },
    ...truncations(msg, 6).map((item) => ({ name: `.msg ${item.name}`, input: file(item.fileName.replace('.pdf', '.msg'), item.bytes), expect: { codes: ['mail_corrupt', 'unsupported_document'], ready: true } })),
    { name: '.msg header only (512 bytes)', input: file('kopf.msg', msg.slice(0, 512)), expect: { codes: ['mail_corrupt'] } },
    // 100 MB of zeros in one chapter: over the 64 MB the chapters may declare.
    { name: 'EPUB zip bomb', input: file('bombe.epub', epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': opf(CHAPTER_ITEM, '<itemref idref="a"/>'), 'a.xhtml': new Uint8Array(100 * 1024 * 1024) })), expect: { codes: ['archive_too_large'] } },
    { name: 'EPUB with an entity bomb in the OPF', input: file('lachen.epub', epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': billionLaughs })), expect: { codes: ['xml_invalid'] } },
    {
      name: 'EPUB whose spine names only missing files',
      input: file('fehlt.epub', epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': opf(CHAPTER_ITEM + '<item id="b" href="b.xhtml" media-type="application/xhtml+xml"/>', '<itemref idref="a"/><itemref idref="b"/>') })),
      expect: { codes: ['epub_corrupt'] },
    },
    {
      name: 'EPUB whose container points outside the archive',
      input: file('ausbruch.epub', epub({ 'META-INF/container.xml': CONTAINER.replace('book.opf', '../../etc/passwd') })),
      expect: { codes: ['epub_corrupt'] },
    },
    {
      name: 'EPUB chapter nested 100 000 deep',
      input: file('tief.epub', epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': opf(CHAPTER_ITEM, '<itemref idref="a"/>'), 'a.xhtml': `<html><body>${'<div>'.repeat(100_000)}Ein Satz in der Tiefe.${'</div>'.repeat(100_000)}</body></html>` })),
      expect: { codes: [], ready: true, text: 'Ein Satz in der Tiefe.' },
    },
  ];
}

describe('hostile e-mails and EPUBs', () => {
  it('a mail over the document size limit is refused at submit with document_too_large', async () => {
    const bytes = mailWithAttachment(40 * 1024 * 1024);
    const error = await loadDocument(file('riesig.eml', bytes), { maxBytes: 50 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 0, urlAllowList: [] }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BelegError);
    expect((error as BelegError).code).toBe('document_too_large');
  });

  it('each ends as a clean per-document error or a correct parse within 30 s, memory < 2 GB, a good mail in the batch ready', async () => {
    const measured = await openMeasuredContext();
    const { context } = measured;
    try {
      const goodMail = encode(`${MAIL_HEADER}Content-Type: text/plain; charset=utf-8\r\n\r\n${GOOD_SENTENCE}\r\n`);
      const submitted: { name: string; record: DocumentRecord; expect?: Expectation }[] = [];
      for (const item of corpus()) {
        submitted.push({ name: item.name, record: await context.ingestion.submit(item.input), expect: item.expect });
        if (item.name === 'EPUB zip bomb') submitted.push({ name: 'good mail', record: await context.ingestion.submit(file('gut.eml', goodMail)) });
      }
      const outcomes = await Promise.all(submitted.map(async (item) => ({ ...item, final: await context.ingestion.settled(item.record.id) })));
      const report = outcomes.map(({ name, final }) => `${name}: ${final.status}${final.errorCode ? ` ${final.errorCode}` : ''}`);
      await expectOutcomes(context, outcomes);
      const slowest = measured.slowest();
      const peakBytes = measured.peakBytes();
      expect(slowest.milliseconds).toBeLessThan(30_000);
      expect(peakBytes).toBeLessThan(2 * 1024 ** 3);

      const ready = await context.ingestion.readyDocumentIds();
      const hits = await context.store.searchText('Müllabfuhr Lindenstraße Dienstag', { limit: 10, documentIds: ready });
      const good = outcomes.find((item) => item.name === 'good mail')!.final;
      expect(hits[0]?.chunk.documentId).toBe(good.id);
      console.info(
        `hostile mail/EPUB: ${outcomes.length} settled, slowest load ${Math.round(slowest.milliseconds)} ms (${slowest.name}), peak RSS (beleg + parser) ${Math.round(peakBytes / 1024 ** 2)} MiB\n  ${report.join('\n  ')}`,
      );
    } finally {
      await measured.close();
    }
  }, 180_000);
});
