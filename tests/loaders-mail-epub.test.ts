/**
 * E-mail (.eml, Outlook .msg) and EPUB through the real loading path (detection by content, the
 * isolated parser process): text against the source content, headers, title, charsets, quoted
 * replies, chapters as sections, attachments.
 */
import { readFileSync } from 'node:fs';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BelegError } from '../src/errors.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import { detectDocumentType } from '../src/ingest/loaders/detect-document-type.ts';
import { findTextBlocks } from '../src/ingest/text-blocks.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';

const options: LoadOptions = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/mail-epub/${name}`, import.meta.url)));

function load(bytes: Uint8Array, fileName: string, mimeType?: string): Promise<LoadedDocument> {
  return loadDocument({ kind: 'file', fileName, bytes, mimeType }, options);
}

function sectionTexts(document: LoadedDocument): Array<[string, string]> {
  return (document.sections ?? []).map((section) => [section.headingPath.join(' > '), document.text.slice(section.charStart, section.charEnd)]);
}

async function failure(promise: Promise<unknown>): Promise<BelegError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

/** A minimal EPUB: `mimetype` stored first, then the given entries. */
function epub(entries: Record<string, string>): Uint8Array {
  return zipSync({ mimetype: [strToU8('application/epub+zip'), { level: 0 }], ...Object.fromEntries(Object.entries(entries).map(([name, text]) => [name, strToU8(text)])) });
}
const CONTAINER = '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';
const chapter = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>${body}</body></html>`;
const opf = (items: string, spine: string) =>
  `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Buch</dc:title></metadata><manifest>${items}</manifest><spine>${spine}</spine></package>`;

describe('e-mail loader (.eml)', () => {
  it('reads a multipart/alternative mail: header block, the quoted-printable plain part with umlauts, attachments', async () => {
    const document = await load(fixture('nebenkosten-mit-anhang.eml'), 'nebenkosten.eml');
    expect(document.mimeType).toBe('message/rfc822');
    expect(document.title).toBe('Nebenkostenabrechnung 2025 – Wohnung Lindenstraße 12');
    expect(document.language).toBe('de');
    expect(document.text).toBe(
      [
        'Betreff: Nebenkostenabrechnung 2025 – Wohnung Lindenstraße 12',
        'Von: Jürgen Weiß <j.weiss@hausverwaltung-muessig.example>',
        'An: Anna Schäfer <anna.schaefer@example.org>',
        'Datum: Mittwoch, 3. Dezember 2025 um 09:15',
        'Anhänge: Hausordnung Lindenstraße.txt, strassenbahn-chronik.pdf, grundriss.png',
        'Sehr geehrte Frau Schäfer,',
        'anbei erhalten Sie die Nebenkostenabrechnung für das Jahr 2025. Die Nachzahlung beträgt 148,37 Euro und ist bis zum 15. Januar 2026 fällig.',
        'Die Heizkosten sind gegenüber dem Vorjahr um zwölf Prozent gesunken, weil die Fernwärme günstiger geworden ist.',
        'Bitte überweisen Sie den Betrag auf das bekannte Konto der Hausverwaltung Müßig.',
        'Mit freundlichen Grüßen\nJürgen Weiß\nHausverwaltung Müßig GmbH',
      ].join('\n\n'),
    );
    // The plain part is read, not the HTML one as well.
    expect(document.text.match(/Heizkosten/g)).toHaveLength(1);
    expect(document.attachments?.map((attachment) => [attachment.fileName, attachment.mimeType])).toEqual([
      ['Hausordnung Lindenstraße.txt', 'text/plain'],
      ['strassenbahn-chronik.pdf', 'application/pdf'],
      ['grundriss.png', 'image/png'],
    ]);
    // The attachments arrive byte for byte across the process boundary.
    const pdf = new Uint8Array(readFileSync(new URL('./fixtures/documents/strassenbahn-libreoffice.pdf', import.meta.url)));
    expect(Buffer.from(document.attachments![1]!.bytes).equals(Buffer.from(pdf))).toBe(true);
    expect(new TextDecoder().decode(document.attachments![0]!.bytes)).toContain('Die Mülltonnen werden jeden Dienstag um 7 Uhr geleert.');
  });

  it('decodes an ISO-8859-1 body and encoded-word headers, and keeps quoted replies as block quotes', async () => {
    const document = await load(fixture('antwort-latin1.eml'), 'antwort.eml');
    // Labelled ISO-8859-1, the en dash is Windows-1252 (as mail programs write it): read as the sender meant it.
    expect(document.title).toBe('AW: Nebenkostenabrechnung 2025 – Aufzug außer Betrieb');
    expect(document.text).toContain('Von: Anna Schäfer <anna.schaefer@example.org>');
    expect(document.text).toContain('Cc: Beirat <beirat@lindenstrasse12.example>');
    expect(document.text).toContain('Eine Frage noch: Wann wird der Aufzug repariert? Er ist seit drei Wochen außer Betrieb.');
    expect(document.text).toContain('Viele Grüße\nAnna');
    // The quoted paragraph is one block quote (its wrapped lines joined); a second level keeps its depth.
    expect(document.text).toContain(
      '\n\n> anbei erhalten Sie die Nebenkostenabrechnung für das Jahr 2025. Die Nachzahlung beträgt 148,37 Euro und ist bis zum 15. Januar 2026 fällig.\n\n',
    );
    expect(document.text.endsWith('\n\n> > Frühere Notiz: Der Hausmeister heißt Herr Özdemir.')).toBe(true);
    expect(document.text).not.toMatch(/[\u0080-\u009f\ufffd]|Ã¤|Ã¼/);
    // Block marking keeps reply and quotation apart: no block holds both.
    const blocks = findTextBlocks(document.text, { marking: 'marked' }).map((block) => document.text.slice(block.start, block.end));
    expect(blocks.some((block) => block.includes('überweise') && block.includes('148,37'))).toBe(false);
    expect(document.attachments).toBeUndefined();
  });

  it('reads an HTML-only mail in Windows-1252 through the HTML structure logic: headings become sections', async () => {
    const document = await load(fixture('rundschreiben-html.eml'), 'rundschreiben.eml');
    expect(document.title).toBe('Einladung zur Eigentümerversammlung');
    expect(sectionTexts(document)).toEqual([
      ['Einladung zur Eigentümerversammlung', 'Einladung zur Eigentümerversammlung\n\nDie Eigentümerversammlung findet am 20. Februar 2026 um 18 Uhr im Gemeindesaal statt.'],
      ['Tagesordnung', 'Tagesordnung\n\nBericht des Verwalters über das Wirtschaftsjahr\n\nBeschluss über die Dachsanierung „Nordseite“\n\nGruß – Ihre Verwaltung'],
    ]);
    expect(document.text.startsWith('Betreff: Einladung zur Eigentümerversammlung\n\nVon: verwaltung@hausverwaltung-muessig.example\n\n')).toBe(true);
  });

  it('leaves a signature part (S/MIME) out of the attachments', async () => {
    const signed = new TextEncoder().encode(
      [
        'From: Amt <post@amt.example>',
        'Subject: Bescheid',
        'Date: Tue, 02 Dec 2025 11:00:00 +0100',
        'MIME-Version: 1.0',
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"',
        '',
        '--s',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Ihr Antrag wurde bewilligt.',
        '--s',
        'Content-Type: application/pkcs7-signature; name="smime.p7s"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7s"',
        '',
        'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAA==',
        '--s--',
        '',
      ].join('\r\n'),
    );
    const document = await load(signed, 'bescheid.eml');
    expect(document.text).toBe('Betreff: Bescheid\n\nVon: Amt <post@amt.example>\n\nDatum: Dienstag, 2. Dezember 2025 um 11:00\n\nIhr Antrag wurde bewilligt.');
    expect(document.attachments).toBeUndefined();
  });

  it('is detected by its header fields when the file has no extension, and by message/rfc822', () => {
    const bytes = fixture('antwort-latin1.eml');
    expect(detectDocumentType(bytes, { fileName: 'nachricht' })).toBe('eml');
    expect(detectDocumentType(bytes, { fileName: 'upload.bin', mimeType: 'message/rfc822' })).toBe('eml');
    expect(detectDocumentType(new TextEncoder().encode('Einkaufsliste\nVon: Mama\nMilch, Brot'), { fileName: 'liste' })).toBe('text');
  });
});

describe('e-mail loader (Outlook .msg)', () => {
  it('reads subject, sender, recipient, date, the plain body and attachments of a real Outlook file', async () => {
    const document = await load(fixture('mapi-sample-attachments.msg'), 'sample.msg');
    expect(document.mimeType).toBe('application/vnd.ms-outlook');
    expect(document.title).toBe("Testing Manuel Lemos' MIME E-mail composing and sending PHP class: HTML message");
    expect(document.text).toContain('\n\nVon: mlemos@acm.org\n\nAn: Manuel Lemos <mlemos@linux.local>\n\nDatum: Sonntag, 1. Mai 2005 um 00:28\n\n');
    expect(document.text).toContain('Anhänge: attachment.txt, logo.gif, background.gif');
    expect(document.text).toContain('This message is just to let you know that the MIME E-mail message composing and sending PHP class');
    expect(document.attachments?.map((attachment) => [attachment.fileName, attachment.mimeType, attachment.bytes.length])).toEqual([
      ['attachment.txt', 'text/plain', 64],
      ['logo.gif', 'image/gif', 1195],
      ['background.gif', 'image/gif', 3265],
    ]);
    expect(Buffer.from(document.attachments![1]!.bytes.subarray(0, 4)).toString('latin1')).toBe('GIF8');
  });

  it('reads an Outlook 2003 .msg whose body is compressed RTF only: header without body (known gap)', async () => {
    const document = await load(fixture('mapi-rtf-only-body.msg'), 'rtf.msg');
    expect(document.title).toBe('Swetlana Novikova');
    expect(document.text).toBe('Betreff: Swetlana Novikova\n\nVon: Shkolnik M.I. </o=RS Ukraine/ou=First Administrative Group/cn=Recipients/cn=MShkolnik>\n\nDatum: Dienstag, 7. März 2006 um 14:25');
  });

  it('is told apart from other OLE files by its property streams, whatever its name', () => {
    expect(detectDocumentType(fixture('mapi-sample-attachments.msg'), { fileName: 'nachricht.doc' })).toBe('msg');
    // An old Word file (an OLE file without MAPI streams) keeps its own message, even named .msg.
    expect(() => detectDocumentType(fixture('brief-libreoffice.doc'), { fileName: 'brief.msg' })).toThrow(/old binary Word file \(\.doc\)/);
    expect(() => detectDocumentType(fixture('brief-libreoffice.doc'), { fileName: 'brief.doc' })).toThrow(/old binary Word file \(\.doc\)/);
  });

  it('fails with mail_corrupt for a damaged .msg (its directory cut off)', async () => {
    const damaged = await failure(load(fixture('mapi-sample-attachments.msg').slice(0, 512), 'kaputt.msg'));
    expect(damaged.code).toBe('mail_corrupt');
    expect(damaged.messageIn('de')).toContain('Speichern Sie die Nachricht');
  });
});

describe('EPUB loader', () => {
  it('reads title, language and the chapters in spine order, each a section (named from the nav document without a heading)', async () => {
    const document = await load(fixture('lindenstrasse-chronik.epub'), 'chronik.epub');
    expect(document.mimeType).toBe('application/epub+zip');
    expect(document.title).toBe('Die Chronik der Lindenstraße');
    expect(document.language).toBe('de');
    expect(sectionTexts(document)).toEqual([
      ['Der Bau des Hauses', 'Der Bau des Hauses\n\nDas Haus in der Lindenstraße wurde 1911 von dem Baumeister Friedrich Köhler errichtet.'],
      ['Der Bau des Hauses > Die Fassade', 'Die Fassade\n\nDie Fassade aus gelbem Klinker ist seit 1987 denkmalgeschützt.'],
      [
        'Zweites Kapitel: Die Bewohner',
        'Zweites Kapitel: Die Bewohner\n\nIm Jahr 1925 wohnten vierzehn Familien im Haus, darunter die Familie Großmann.\n\nErdgeschoss: eine Bäckerei\n\nDachgeschoss: ein Atelier',
      ],
      ['Die Sanierung', 'Die Sanierung\n\nJahr\n\nMaßnahme\n\n1998\n\nNeue Fenster\n\n2019\n\nAufzug eingebaut\n\nDie Sanierung kostete insgesamt 2,4 Millionen Euro.'],
    ]);
    // Nothing of the table of contents, the <title> or the markup leaks into the text.
    expect(document.text).not.toMatch(/Inhalt|Kapitel 1|<|Erstes Kapitel/);
  });

  it('reads a real calibre-made EPUB (non-linear nav document in the spine)', async () => {
    const document = await load(fixture('epubjs-alice-without-cover.epub'), 'alice.epub');
    expect(document.title).toBe("Alice's Adventures in Wonderland");
    expect(document.language).toBe('en');
    expect(document.text).toBe("Alice's Adventures In Wonderland\n\nCopyright, 1916, By Sam'l Gabriel Sons & Company New York\n\nAlice in the Room of the Duchess.");
  });

  it('names a chapter without a heading from an EPUB 2 NCX table of contents (paths relative to the package, URL-encoded)', async () => {
    const container = CONTAINER.replace('book.opf', 'OEBPS/book.opf');
    const items =
      '<item id="k1" href="Text/Kapitel%20eins.xhtml" media-type="application/xhtml+xml"/><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>';
    const ncx =
      '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap><navPoint id="p1" playOrder="1"><navLabel><text>Erstes Kapitel</text></navLabel><content src="Text/Kapitel%20eins.xhtml#anfang"/></navPoint></navMap></ncx>';
    const document = await load(
      epub({
        'META-INF/container.xml': container,
        'OEBPS/book.opf': opf(items, '<itemref idref="k1"/>').replace('<spine>', '<spine toc="ncx">'),
        'OEBPS/toc.ncx': ncx,
        'OEBPS/Text/Kapitel eins.xhtml': chapter('<p>Es war einmal ein Haus.</p>'),
      }),
      'ncx.epub',
    );
    expect(sectionTexts(document)).toEqual([['Erstes Kapitel', 'Erstes Kapitel\n\nEs war einmal ein Haus.']]);
    expect(document.title).toBe('Buch');
  });

  it('skips spine entries missing from the archive, and fails clearly when none is there', async () => {
    const items = '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/><item id="b" href="fehlt.xhtml" media-type="application/xhtml+xml"/>';
    const partial = await load(
      epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': opf(items, '<itemref idref="b"/><itemref idref="a"/>'), 'a.xhtml': chapter('<h1>Vorhanden</h1><p>Dieses Kapitel ist da.</p>') }),
      'teil.epub',
    );
    expect(partial.text).toBe('Vorhanden\n\nDieses Kapitel ist da.');
    const none = await failure(load(epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': opf(items, '<itemref idref="b"/>') }), 'leer.epub'));
    expect(none.code).toBe('epub_corrupt');
    expect(none.message).toContain('no chapter');
  });

  it('refuses a DRM-encrypted EPUB with epub_encrypted, but not one whose fonts alone are obfuscated', async () => {
    const items = '<item id="a" href="text/a.xhtml" media-type="application/xhtml+xml"/><item id="f" href="font.otf" media-type="font/otf"/>';
    const encryption = (uri: string) =>
      `<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><enc:CipherData><enc:CipherReference URI="${uri}"/></enc:CipherData></enc:EncryptedData></encryption>`;
    const book = (uri: string) =>
      epub({
        'META-INF/container.xml': CONTAINER,
        'META-INF/encryption.xml': encryption(uri),
        'book.opf': opf(items, '<itemref idref="a"/>'),
        'text/a.xhtml': chapter('<p>Geheimer Inhalt des Buchs.</p>'),
      });
    const drm = await failure(load(book('text/a.xhtml'), 'drm.epub'));
    expect(drm.code).toBe('epub_encrypted');
    expect(drm.messageIn('de')).toContain('DRM');
    expect((await load(book('font.otf'), 'schrift.epub')).text).toBe('Geheimer Inhalt des Buchs.');
  });

  it('fails with epub_corrupt without a container and xml_invalid for a damaged package file', async () => {
    expect((await failure(load(epub({ 'book.opf': opf('', '') }), 'ohne.epub'))).code).toBe('epub_corrupt');
    const broken = await failure(load(epub({ 'META-INF/container.xml': CONTAINER, 'book.opf': '<package><manifest>' }), 'kaputt.epub'));
    expect(broken.code).toBe('xml_invalid');
  });
});
