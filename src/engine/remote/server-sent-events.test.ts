import { describe, expect, it } from 'vitest';
import { readEventData } from './server-sent-events.ts';

/** A body that delivers `chunks` (bytes) one by one, as a network would. */
function body(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function events(chunks: Uint8Array[]): Promise<string[]> {
  const result: string[] = [];
  for await (const data of readEventData(body(chunks))) result.push(data);
  return result;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readEventData', () => {
  it('reads data with and without a space after the colon, ignoring comments and other fields', async () => {
    expect(await events([bytes(': ping\n\ndata:{"a":1}\n\nevent: token\nid: 7\ndata: {"b":2}\n\n')])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('joins multi-line data with newlines and accepts CRLF and CR line ends', async () => {
    expect(await events([bytes('data: eins\r\ndata: zwei\r\n\r\ndata: drei\r\r')])).toEqual(['eins\nzwei', 'drei']);
  });

  it('decodes umlauts split across chunks and CRLF split across chunks', async () => {
    const all = bytes('data: Grüße aus Köln\r\n\r\n');
    const split = all.indexOf(0xc3) + 1; // inside "ü"
    const crlf = all.length - 3; // between \r and \n
    expect(await events([all.slice(0, split), all.slice(split, crlf), all.slice(crlf)])).toEqual(['Grüße aus Köln']);
  });

  it('delivers a last event that is not followed by a blank line', async () => {
    expect(await events([bytes('data: [DONE]')])).toEqual(['[DONE]']);
  });
});
