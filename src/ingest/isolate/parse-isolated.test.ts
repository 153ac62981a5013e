import { describe, expect, it } from 'vitest';
import { makeTextPdf } from '../../../tests/helpers/make-pdf.ts';
import { compressionBombPdf } from '../../../tests/helpers/hostile-documents.ts';
import { BelegError, CancelledError } from '../../errors.ts';
import { loadDocument, type LoadOptions } from '../load-document.ts';
import { DEFAULT_PARSE_LIMITS, ParserPool } from './parse-isolated.ts';

const options: LoadOptions = { maxBytes: 50 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const goodPdf = () => makeTextPdf({ pages: [{ paragraphs: [['Der Bodensee liegt zwischen Deutschland, Österreich und der Schweiz.']] }] });
const bomb = compressionBombPdf(1024 ** 3);

async function failure(promise: Promise<unknown>): Promise<BelegError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(BelegError);
  return error as BelegError;
}

describe('isolated parsing', () => {
  it('stops a parse that runs past the deadline with parse_timeout, and the next document parses', async () => {
    const started = performance.now();
    const error = await failure(loadDocument({ kind: 'file', fileName: 'bombe.pdf', bytes: bomb }, { ...options, parseTimeoutMs: 300 }));
    expect(error.code).toBe('parse_timeout');
    expect(performance.now() - started).toBeLessThan(5000);
    const next = await loadDocument({ kind: 'file', fileName: 'gut.pdf', bytes: await goodPdf() }, options);
    expect(next.text).toBe('Der Bodensee liegt zwischen Deutschland, Österreich und der Schweiz.');
  });

  it('kills a parser that outgrows its memory with parse_out_of_memory, without growing this process', async () => {
    const before = process.memoryUsage.rss();
    const error = await failure(loadDocument({ kind: 'file', fileName: 'bombe.pdf', bytes: bomb }, { ...options, parseMaxResidentMb: 200 }));
    expect(error.code).toBe('parse_out_of_memory');
    expect(error.message).toMatch(/200 MiB/);
    // The inflated stream lived in the parser process only.
    expect(process.memoryUsage.rss() - before).toBeLessThan(150 * 1024 * 1024);
    const next = await loadDocument({ kind: 'file', fileName: 'gut.pdf', bytes: await goodPdf() }, options);
    expect(next.pages).toHaveLength(1);
  });

  it('cancels a running parse when the signal aborts', async () => {
    const controller = new AbortController();
    const loading = loadDocument({ kind: 'file', fileName: 'bombe.pdf', bytes: bomb }, { ...options, signal: controller.signal });
    // The parser has been handed the document (the bomb runs for seconds) when the abort comes.
    controller.abort();
    expect(await failure(loading)).toBeInstanceOf(CancelledError);
  });
});

describe('parser pool', () => {
  it('runs at most maxParsers parses at once; the others wait their turn and all finish', async () => {
    const pool = new ParserPool({ maxParsers: 2 });
    const limits = { ...DEFAULT_PARSE_LIMITS };
    const pdfs = await Promise.all(
      [0, 1, 2, 3, 4].map((index) => makeTextPdf({ pages: [{ paragraphs: [[`Absatz Nummer ${index} über die Weser bei Bremen.`]] }] })),
    );
    const documents = await Promise.all(pdfs.map((bytes) => pool.parse({ format: 'pdf', bytes, contentType: null }, limits)));
    expect(documents.map((document) => document.text)).toEqual([0, 1, 2, 3, 4].map((index) => `Absatz Nummer ${index} über die Weser bei Bremen.`));
    expect(pool.mostBusy).toBe(2);
    pool.close();
  });

  it('a waiting parse that is cancelled leaves the queue', async () => {
    const pool = new ParserPool({ maxParsers: 1 });
    const controller = new AbortController();
    const running = pool.parse({ format: 'pdf', bytes: bomb, contentType: null }, { ...DEFAULT_PARSE_LIMITS, timeoutMs: 1500 });
    const waiting = pool.parse({ format: 'pdf', bytes: await goodPdf(), contentType: null }, { ...DEFAULT_PARSE_LIMITS, signal: controller.signal });
    controller.abort();
    expect(await failure(waiting)).toBeInstanceOf(CancelledError);
    expect((await failure(running)).code).toBe('parse_timeout');
    // The place the timed-out parse held is free again.
    expect((await pool.parse({ format: 'pdf', bytes: await goodPdf(), contentType: null }, DEFAULT_PARSE_LIMITS)).pages).toHaveLength(1);
    pool.close();
  });
});
