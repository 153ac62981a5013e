/**
 * E-mail loader for `.eml` files (RFC 5322 / MIME): mailparser, the only module that imports it,
 * decodes the MIME tree (quoted-printable, base64, charsets such as ISO-8859-1 and Windows-1252,
 * encoded-word headers); mail-document.ts turns the result into beleg's text.
 */
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { LoadedDocument } from '../types.ts';
import { mailDocument } from './mail-document.ts';

const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature']);

/** MIME type beleg records for .eml files. */
export const EML_MIME_TYPE = 'message/rfc822';

/**
 * Loads an .eml file. Throws UnprocessableDocumentError `mail_corrupt` when the MIME structure
 * cannot be read and `mail_empty` when nothing of a mail is in it.
 */
export async function loadEml(bytes: Uint8Array): Promise<LoadedDocument> {
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      // The HTML body is read by beleg's own HTML logic, and only when there is no plain part.
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
  } catch (error) {
    throw new UnprocessableDocumentError(userMessage('mail_corrupt', { reason: error instanceof Error ? error.message : String(error) }));
  }
  const attachments = parsed.attachments
    // Inline images of the HTML body are part of its layout, and signatures (S/MIME, PGP) part of
    // the transport: neither is a file the sender attached.
    .filter((attachment) => !(attachment.related && attachment.contentDisposition !== 'attachment'))
    .filter((attachment) => !SIGNATURE_TYPES.has(attachment.contentType.toLowerCase()))
    .map((attachment, index) => ({
      fileName: attachment.filename ?? `anhang-${index + 1}${extensionFor(attachment.contentType)}`,
      mimeType: attachment.contentType,
      bytes: new Uint8Array(attachment.content.buffer, attachment.content.byteOffset, attachment.content.byteLength),
    }));
  return mailDocument(
    {
      subject: parsed.subject ?? null,
      from: addresses(parsed.from),
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      date: parsed.date ?? null,
      plainBody: parsed.text ?? null,
      htmlBody: typeof parsed.html === 'string' ? parsed.html : null,
      attachments,
    },
    bytes,
    EML_MIME_TYPE,
  );
}

/** Addresses as "Name <address>", comma-separated (groups as "Group: members"), as the .msg loader writes them. */
function addresses(value: AddressObject | AddressObject[] | undefined): string | null {
  if (value === undefined) return null;
  const format = (entry: EmailAddress): string => {
    if (entry.group) return `${entry.name}: ${entry.group.map(format).join(', ')}`;
    if (entry.name && entry.address && entry.name !== entry.address) return `${entry.name} <${entry.address}>`;
    return entry.name || entry.address || '';
  };
  const all = (Array.isArray(value) ? value : [value]).flatMap((address) => address.value.map(format));
  return all.filter((entry) => entry.length > 0).join(', ') || null;
}

/** An extension for an attachment without a name, so its type can still be told (`.eml` for a forwarded mail). */
function extensionFor(contentType: string): string {
  const known: Record<string, string> = { 'message/rfc822': '.eml', 'application/pdf': '.pdf', 'text/plain': '.txt', 'text/html': '.html' };
  return known[contentType.toLowerCase()] ?? '';
}
