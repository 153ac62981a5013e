/**
 * E-mail loader for Outlook `.msg` files (an OLE compound file with MAPI property streams):
 * @kenjiuno/msgreader, the only module that imports it, reads subject, sender, recipients, date,
 * body and attachments; mail-document.ts turns them into beleg's text.
 *
 * Known gap: a .msg that carries its body only as compressed RTF (no plain-text body stream) is
 * read without its body (header and attachments only): decompressing and de-formatting RTF is not
 * done. Outlook writes a plain-text body beside the RTF one in practice.
 */
import MsgReaderModule from '@kenjiuno/msgreader';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import type { DocumentAttachment, LoadedDocument } from '../types.ts';
import { mailDocument } from './mail-document.ts';

/** MIME type beleg records for Outlook .msg files. */
export const MSG_MIME_TYPE = 'application/vnd.ms-outlook';

// The package is CommonJS with an `exports.default`: Node's ESM loader hands over the exports
// object (class under `.default`), some bundlers (vitest) the class itself.
const loadedModule: unknown = MsgReaderModule;
const MsgReader: typeof MsgReaderModule.default =
  typeof loadedModule === 'function' ? (loadedModule as typeof MsgReaderModule.default) : MsgReaderModule.default;

/** Loads an Outlook .msg file. Throws UnprocessableDocumentError `mail_corrupt` when the file cannot be read. */
export function loadMsg(bytes: Uint8Array): LoadedDocument {
  let reader: InstanceType<typeof MsgReader>;
  let data: ReturnType<InstanceType<typeof MsgReader>['getFileData']>;
  try {
    reader = new MsgReader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    data = reader.getFileData();
  } catch (error) {
    throw new UnprocessableDocumentError(userMessage('mail_corrupt', { reason: error instanceof Error ? error.message : String(error) }));
  }
  if (data.error) throw new UnprocessableDocumentError(userMessage('mail_corrupt', { reason: data.error }));
  const recipients = (kind: 'to' | 'cc') =>
    (data.recipients ?? [])
      .filter((recipient) => (recipient.recipType ?? 'to') === kind)
      .map((recipient) => person(recipient.name, recipient.email))
      .join(', ') || null;
  const attachments: DocumentAttachment[] = [];
  for (const [index, attachment] of (data.attachments ?? []).entries()) {
    // Inline images of the HTML body and embedded messages (no file of their own) are left out.
    if (attachment.attachmentHidden || attachment.innerMsgContent) continue;
    try {
      const file = reader.getAttachment(attachment);
      attachments.push({
        fileName: file.fileName || attachment.fileName || attachment.fileNameShort || `anhang-${index + 1}`,
        mimeType: attachment.attachMimeTag ?? 'application/octet-stream',
        bytes: file.content,
      });
    } catch (error) {
      throw new UnprocessableDocumentError(userMessage('mail_corrupt', { reason: error instanceof Error ? error.message : String(error) }));
    }
  }
  // Sent (or received) time only: a file's creation time is when it was saved, not when the mail went out.
  const time = data.clientSubmitTime ?? data.messageDeliveryTime;
  return mailDocument(
    {
      subject: data.subject ?? null,
      from: person(data.senderName, data.senderSmtpAddress ?? data.senderEmail),
      to: recipients('to'),
      cc: recipients('cc'),
      date: time ? new Date(time) : null,
      plainBody: data.body ?? null,
      htmlBody: data.bodyHtml ?? (data.html ? new TextDecoder('utf-8').decode(data.html) : null),
      attachments,
    },
    bytes,
    MSG_MIME_TYPE,
  );
}

/** "Name <address>", or whichever of the two is known. */
function person(name: string | undefined, address: string | undefined): string | null {
  const cleanName = name?.trim();
  const cleanAddress = address?.trim();
  if (cleanName && cleanAddress && cleanName !== cleanAddress) return `${cleanName} <${cleanAddress}>`;
  return cleanName || cleanAddress || null;
}
