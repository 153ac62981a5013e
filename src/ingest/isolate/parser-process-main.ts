/**
 * The child side of isolated parsing: answers each ParseRequest from the parent with the loader's
 * result or its error, then reports its resident memory so that the parent can retire a bloated
 * parser. Runs in its own process, so a runaway document costs this process, never the server.
 */
import { BelegError } from '../../errors.ts';
import { ISOLATED_LOADERS } from '../loaders/isolated-loaders.ts';
import type { ParseReply, ParseRequest, ParserMessage, SerializedError } from './parse-protocol.ts';

if (!process.send) throw new Error('parser-process-main.ts must run as a child process with IPC (see parse-isolated.ts).');
const send = process.send.bind(process) as (message: ParserMessage) => boolean;

process.on('message', (request: ParseRequest) => {
  void parse(request).then((reply) => send(reply));
});
// The parent going away ends the parser too.
process.on('disconnect', () => process.exit(0));

async function parse(request: ParseRequest): Promise<ParseReply> {
  const bytes = new Uint8Array(request.bytes);
  try {
    const load = await ISOLATED_LOADERS[request.format]();
    const { bytes: _bytes, ...document } = await load(bytes, {
      contentType: request.contentType,
      baseUrl: request.baseUrl,
      fileName: request.fileName,
      ocr: request.ocr,
      onOcrProgress: (progress) => send({ id: request.id, progress }),
    });
    return { id: request.id, ok: true, document, residentBytes: process.memoryUsage.rss() };
  } catch (error) {
    return { id: request.id, ok: false, error: serialize(error), residentBytes: process.memoryUsage.rss() };
  }
}

function serialize(error: unknown): SerializedError {
  if (error instanceof BelegError) return { name: error.name, code: error.code, message: error.message, userMessage: error.userMessage, details: error.details };
  const message = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : 'Error', code: null, message };
}
