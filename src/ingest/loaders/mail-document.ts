/**
 * The text beleg stores for an e-mail, whatever file it came in (.eml through load-eml.ts, Outlook
 * .msg through load-msg.ts): a header block, then the body.
 *
 * Decisions:
 * - The header is a run of leading blocks, one per field, in German ("Betreff: …", "Von: …",
 *   "An: …", "Cc: …", "Datum: …", "Anhänge: …"), before any section: each is quotable on its own
 *   ("Wer hat die Mail geschickt?") and no quote runs from a header line into the body. The
 *   subject is the document's title.
 * - The body is the text/plain part; the HTML part (through the HTML loader's structure logic,
 *   headings as sections) only when there is no plain part.
 * - Quoted replies stay in the text as block quotes: each quoted paragraph becomes one line
 *   starting with `> ` per quote level (its hard-wrapped lines joined), which text-blocks.ts keeps
 *   as a block of its own, so a citation never mixes the reply with the quoted mail.
 *   (In an HTML-only mail the quoted mail is a `<blockquote>`: its paragraphs are blocks of their
 *   own as well, without the `>` marker.)
 * - Attachments (not inline images of an HTML body) are named in the "Anhänge" line and returned
 *   with their bytes; ingestion decides which of them become documents of their own.
 */
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { DocumentAttachment, LoadedDocument } from '../types.ts';
import { detectLanguage } from './detect-language.ts';
import { appendHtmlContent } from './load-html.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';

/** An e-mail as the mail loaders read it, before it becomes text. */
export type MailMessage = {
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: Date | null;
  /** The text/plain body, if the mail has one. */
  plainBody: string | null;
  /** The text/html body, if the mail has one. */
  htmlBody: string | null;
  attachments: DocumentAttachment[];
};

/** Mail dates are shown as German readers see them, in German time. */
const DATE_FORMAT = new Intl.DateTimeFormat('de-DE', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Berlin' });

/** A line of a quoted reply: its `>` markers (with the spaces between them) and the rest. */
const QUOTED_LINE = /^((?:>[ \t]?)+)(.*)$/;

/**
 * The loaded document of a mail. Throws UnprocessableDocumentError `mail_empty` when the mail has
 * neither a subject, a sender, a body nor attachments (what was read was no mail).
 */
export function mailDocument(message: MailMessage, bytes: Uint8Array, mimeType: string): LoadedDocument {
  const subject = cleanLine(message.subject);
  const header: Array<[string, string | null]> = [
    ['Betreff', subject],
    ['Von', cleanLine(message.from)],
    ['An', cleanLine(message.to)],
    ['Cc', cleanLine(message.cc)],
    ['Datum', message.date && !Number.isNaN(message.date.getTime()) ? DATE_FORMAT.format(message.date) : null],
    ['Anhänge', message.attachments.length > 0 ? message.attachments.map((attachment) => attachment.fileName).join(', ') : null],
  ];
  const headerLines = header.flatMap(([label, value]) => (value ? [`${label}: ${value}`] : []));
  const builder = new SectionBuilder();
  for (const line of headerLines) builder.addBlock(line);

  let htmlLanguage: string | null = null;
  if (message.plainBody !== null && message.plainBody.trim().length > 0) {
    for (const block of plainTextBlocks(message.plainBody)) builder.addBlock(block);
  } else if (message.htmlBody !== null && message.htmlBody.trim().length > 0) {
    htmlLanguage = appendHtmlContent(builder, message.htmlBody).language;
  }
  const { text, sections } = builder.finish();
  if (text.length === 0) throw new UnprocessableDocumentError(userMessage('mail_empty'));
  const body = text.slice(headerLines.join('\n\n').length);
  return {
    text,
    title: subject,
    mimeType,
    language: htmlLanguage ?? detectLanguage(body.trim().length > 0 ? body : text),
    // Always present (if empty): the blocks above are marked by blank lines, not guessed.
    sections,
    ...(message.attachments.length > 0 ? { attachments: message.attachments } : {}),
    bytes,
  };
}

/**
 * A plain-text body as blocks: paragraphs between blank lines, hard-wrapped lines kept as they
 * are; runs of quoted lines (`> `) become their own blocks, one line per quoted paragraph.
 */
export function plainTextBlocks(body: string): string[] {
  const blocks: string[] = [];
  const lines = normalizeText(body).split('\n');
  let plain: string[] = [];
  let quote: { depth: number; words: string[] } | null = null;
  const flushPlain = () => {
    if (plain.length > 0) blocks.push(plain.join('\n'));
    plain = [];
  };
  const flushQuote = () => {
    if (quote && quote.words.length > 0) blocks.push(`${'> '.repeat(quote.depth)}${quote.words.join(' ')}`);
    quote = null;
  };
  for (const rawLine of lines) {
    const line = rawLine.trimEnd();
    const quoted = QUOTED_LINE.exec(line);
    if (quoted) {
      flushPlain();
      const depth = (quoted[1]!.match(/>/g) ?? []).length;
      const content = quoted[2]!.trim();
      if (quote && (quote.depth !== depth || content.length === 0)) flushQuote();
      if (content.length === 0) continue;
      quote ??= { depth, words: [] };
      quote.words.push(content);
      continue;
    }
    flushQuote();
    if (line.trim().length === 0) flushPlain();
    else plain.push(line);
  }
  flushPlain();
  flushQuote();
  return blocks;
}

/** A header value on one line: folded whitespace collapsed, NFC; null when empty. */
function cleanLine(value: string | null | undefined): string | null {
  const cleaned = normalizeText((value ?? '').replace(/\s+/g, ' '));
  return cleaned.length > 0 ? cleaned : null;
}
