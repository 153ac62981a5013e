import { describe, expect, it } from 'vitest';
import { mailDocument, plainTextBlocks } from './mail-document.ts';

describe('plainTextBlocks', () => {
  it('keeps paragraphs with their line breaks and joins each quoted paragraph into one block quote per level', () => {
    const body = 'Hallo Max,\r\n\r\ndanke für die Nachricht.\nBis morgen!\n\nAm Montag schrieb Eva:\n> Kommst du\n>morgen zum Treffen?\n>\n> > Das Treffen ist\n> > um 10 Uhr.\n';
    expect(plainTextBlocks(body)).toEqual([
      'Hallo Max,',
      'danke für die Nachricht.\nBis morgen!',
      'Am Montag schrieb Eva:',
      '> Kommst du morgen zum Treffen?',
      '> > Das Treffen ist um 10 Uhr.',
    ]);
  });
});

describe('mailDocument', () => {
  const empty = { subject: null, from: null, to: null, cc: null, date: null, plainBody: null, htmlBody: null, attachments: [] };

  it('puts the header fields first, one block each, and takes the subject as title', () => {
    const document = mailDocument(
      { ...empty, subject: 'Termin\r\n verschoben', from: 'Eva <eva@example.org>', date: new Date('2026-03-29T08:30:00Z'), plainBody: 'Der Termin ist jetzt am Dienstag.' },
      new Uint8Array(),
      'message/rfc822',
    );
    expect(document.title).toBe('Termin verschoben');
    // 29 March 2026 is the switch to summer time: 08:30 UTC is 10:30 in Germany.
    expect(document.text).toBe('Betreff: Termin verschoben\n\nVon: Eva <eva@example.org>\n\nDatum: Sonntag, 29. März 2026 um 10:30\n\nDer Termin ist jetzt am Dienstag.');
    expect(document.sections).toEqual([]);
  });

  it('reads the HTML body only when there is no plain one, and refuses a mail with nothing in it', () => {
    const html = mailDocument({ ...empty, subject: 'Info', htmlBody: '<html lang="de"><body><h1>Neu</h1><p>Das Büro ist umgezogen.</p></body></html>' }, new Uint8Array(), 'message/rfc822');
    expect(html.text).toBe('Betreff: Info\n\nNeu\n\nDas Büro ist umgezogen.');
    expect(html.sections?.map((section) => section.headingPath)).toEqual([['Neu']]);
    expect(html.language).toBe('de');
    const both = mailDocument({ ...empty, plainBody: 'Nur der Text.', htmlBody: '<p>Nur das HTML.</p>' }, new Uint8Array(), 'message/rfc822');
    expect(both.text).toBe('Nur der Text.');
    expect(() => mailDocument(empty, new Uint8Array(), 'message/rfc822')).toThrow(expect.objectContaining({ code: 'mail_empty' }));
  });
});
