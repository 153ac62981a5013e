import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from './progress.ts';

/** A stream that records what is written; `isTTY` makes it look like a terminal. */
function recorder(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, columns: 100, text: () => chunks.join('') });
}

afterEach(() => vi.restoreAllMocks());

describe('createProgress', () => {
  it('on a terminal prints every logged line above the bar, also those logged just before stop', () => {
    const terminal = recorder(true);
    const progress = createProgress(3, 'documents', { stream: terminal, output: terminal });
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      progress.log(`ok      ${name}`);
      progress.increment();
    }
    progress.stop();
    const text = terminal.text();
    for (const name of ['a.txt', 'b.txt', 'c.txt']) expect(text).toContain(`ok      ${name}\n`);
    expect(text).toContain('3/3 documents');
  });

  it('sends the lines to a redirected output and keeps the bar on the terminal', () => {
    const terminal = recorder(true);
    const output = recorder(false);
    const progress = createProgress(2, 'documents', { stream: terminal, output });
    progress.log('ok      a.txt');
    progress.increment();
    progress.log('failed  b.txt');
    progress.increment();
    progress.stop();
    expect(output.text()).toBe('ok      a.txt\nfailed  b.txt\n');
    expect(terminal.text()).toContain('2/2 documents');
    expect(terminal.text()).not.toContain('a.txt');
  });

  it('prints plain lines without a bar when the progress stream is not a terminal', () => {
    const stream = recorder(false);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const progress = createProgress(2, 'documents', { stream });
    progress.log('ok      a.txt');
    progress.increment();
    progress.stop();
    expect(lines).toEqual(['ok      a.txt']);
    expect(stream.text()).toBe('');
  });

  it('shows OCR pages as a bar on a terminal, also for a single document', () => {
    const terminal = recorder(true);
    const progress = createProgress(1, 'documents', { stream: terminal, output: terminal });
    for (let done = 0; done <= 4; done++) progress.ocr('scan.pdf', done, 4, `scan.pdf: text recognition, page ${done} of 4`);
    progress.log('ok      scan.pdf');
    progress.stop();
    expect(terminal.text()).toContain('OCR scan.pdf');
    expect(terminal.text()).toContain('ok      scan.pdf');
  });

  it('prints OCR progress as lines on the progress stream when it is not a terminal', () => {
    const stream = recorder(false);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const progress = createProgress(1, 'documents', { stream });
    progress.ocr('scan.pdf', 1, 2, 'scan.pdf: text recognition, page 1 of 2');
    progress.ocr('scan.pdf', 2, 2, 'scan.pdf: text recognition, page 2 of 2');
    progress.stop();
    expect(stream.text()).toBe('scan.pdf: text recognition, page 1 of 2\nscan.pdf: text recognition, page 2 of 2\n');
  });
});
