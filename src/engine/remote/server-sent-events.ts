/**
 * Reads a `text/event-stream` body into the `data` of each event, following the WHATWG rules that
 * matter here: events end at a blank line; `data:` lines (one optional space after the colon)
 * are joined with newlines; comment lines (`:`) and other fields are ignored; `\r\n`, `\r` and
 * `\n` all end lines; UTF-8 split across network chunks is decoded correctly.
 */

/** The data of each event of a server-sent event stream, in order. */
export async function* readEventData(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      onChunk?.();
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        // A lone \r at the end may be the first half of \r\n: wait for more.
        if (buffer[newline] === '\r' && newline === buffer.length - 1) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
      }
    }
    buffer += decoder.decode();
    // A stream that ends without the final blank line still delivers its last event.
    for (const line of buffer.split(/\r\n|\r|\n/)) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) yield data.join('\n');
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
