/**
 * Isolated parsing: PDFs and HTML pages are parsed in a child process with a heap limit, a
 * resident-memory cap and a deadline, so a document that makes a parser hang, recurse or allocate
 * without end costs one child process, never the server. A parser that runs past the deadline or
 * over its memory is killed and the document fails with `parse_timeout` or `parse_out_of_memory`;
 * the next document gets a fresh parser. A healthy parser is kept for the next document (starting
 * one costs ~0.5 s: Node, tsx and pdf.js load again). At most two parsers run at once; further
 * documents wait their turn, so parsing never holds more than twice the memory cap.
 *
 * OCR (scanned pages, images) takes seconds per page, so the parser reports its progress over the
 * IPC channel (`ParseProgress`): from the first report on, the deadline is the parse timeout plus
 * `ocrPageTimeoutMs` per scanned page, and each page must be done within `ocrPageTimeoutMs` on
 * its own (`ocr_timeout`). A parser that ran OCR lowered its own priority and is not kept.
 *
 * Why a process and not a worker thread: a worker's `resourceLimits` cover only the V8 heap, not
 * the buffers a decompressor fills, and memory a killed worker allocated stays in the server's
 * malloc arenas (measured: each 2 GiB compression bomb left ~550 MB behind). Killing a process
 * returns everything.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BelegError, CancelledError, UnprocessableDocumentError, type ErrorMessage } from '../../errors.ts';
import { errorCodeOf, isMessageId, userMessage, type UserMessage } from '../../messages/index.ts';
import type { OcrProgress } from '../ocr/ocr-settings.ts';
import type { ParsedDocument, ParseRequest, ParserMessage, SerializedError } from './parse-protocol.ts';
import { FORMAT_NAMES } from '../loaders/isolated-loaders.ts';

/** Limits for one parse. */
export type ParseLimits = {
  /** Time allowed for parsing one document (config `limits.parseTimeoutMs`). */
  timeoutMs: number;
  /** Heap limit of the parser process (V8 old generation), in MiB. */
  memoryMb: number;
  /** Resident memory of the parser process (heap, buffers, code) above which it is killed, in MiB. */
  maxResidentMb: number;
  /** Kills the parser and rejects with CancelledError. */
  signal?: AbortSignal;
  /**
   * OCR: time allowed per scanned page. Once the parser reports how many pages it recognises, the
   * deadline becomes `timeoutMs` + pages × this, and each page on its own must finish within it.
   */
  ocrPageTimeoutMs?: number;
  /** Told as OCR advances. */
  onProgress?: (progress: OcrProgress) => void;
};

/** Defaults: 30 s per document, 512 MiB of heap, 1 GiB resident, 60 s per OCR page. */
export const DEFAULT_PARSE_LIMITS: Omit<ParseLimits, 'signal' | 'onProgress'> = { timeoutMs: 30_000, memoryMb: 512, maxResidentMb: 1024, ocrPageTimeoutMs: 60_000 };

/** How often the memory watchdog looks while a document is being parsed. */
const WATCHDOG_INTERVAL_MS = 50;
/** A parser that ends a document above this resident size is retired rather than kept. */
const RETIRE_RESIDENT_BYTES = 384 * 1024 * 1024;
/** stderr kept from a parser, to tell a heap exhaustion from another crash. */
const STDERR_TAIL_CHARS = 4096;

type Parser = { child: ChildProcess; memoryMb: number; stderrTail: string };

/** A parse waiting for one of the `maxParsers` places. */
type Waiting = { start: () => void; cancel: () => void };

/** A small pool of parser processes; see the file comment. */
export class ParserPool {
  readonly #idle: Parser[] = [];
  readonly #busy = new Set<Parser>();
  readonly #waiting: Waiting[] = [];
  readonly #maxIdle: number;
  readonly #maxParsers: number;
  #nextId = 1;
  /** Places taken: running parses, plus one handed to a waiting parse that has not started yet. */
  #places = 0;
  #mostBusy = 0;

  /**
   * @param maxIdle healthy parsers kept for later documents (they do not keep beleg running).
   * @param maxParsers parsers running at once; further documents wait their turn (their deadline
   *   starts when they are handed to a parser), so memory stays bounded by `maxParsers` × the cap.
   */
  constructor(options: { maxIdle?: number; maxParsers?: number } = {}) {
    this.#maxIdle = options.maxIdle ?? 1;
    this.#maxParsers = Math.max(1, options.maxParsers ?? 2);
  }

  /** The most parsers that ran at once so far. */
  get mostBusy(): number {
    return this.#mostBusy;
  }

  /**
   * Parses one document in a parser process. Rejects with the loader's own errors
   * (`pdf_corrupt`, …), UnprocessableDocumentError `parse_timeout`, `parse_out_of_memory` or
   * `parse_failed` (the parser died), or CancelledError when `limits.signal` aborts.
   */
  async parse(request: Omit<ParseRequest, 'id'>, limits: ParseLimits): Promise<ParsedDocument> {
    if (limits.signal?.aborted) throw new CancelledError(userMessage('cancelled.parsing'));
    // A finishing parse hands its place straight to the first waiting one.
    if (this.#places >= this.#maxParsers) await this.#waitForTurn(limits.signal);
    else this.#places += 1;
    this.#mostBusy = Math.max(this.#mostBusy, this.#places);
    return this.#run(request, limits);
  }

  #waitForTurn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiting.cancel();
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: () => {
          const index = this.#waiting.indexOf(waiting);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(new CancelledError(userMessage('cancelled.parsing')));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiting);
    });
  }

  #run(request: Omit<ParseRequest, 'id'>, limits: ParseLimits): Promise<ParsedDocument> {
    const parser = this.#take(limits.memoryMb);
    const { child } = parser;
    const id = this.#nextId++;
    this.#busy.add(parser);
    setReferenced(child, true);

    return new Promise<ParsedDocument>((resolve, reject) => {
      let settled = false;
      const startedAt = Date.now();
      // A parser that ran OCR lowered its own priority (src/ingest/ocr/recognize-text.ts): retired after.
      let ranOcr = false;
      let pageDeadline: NodeJS.Timeout | undefined;
      const finish = (outcome: { document: ParsedDocument } | { error: Error }, healthy: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(pageDeadline);
        if (ranOcr) healthy = false;
        clearInterval(watchdog);
        limits.signal?.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onSpawnError);
        this.#busy.delete(parser);
        if (healthy) this.#release(parser);
        else child.kill('SIGKILL');
        const next = this.#waiting.shift();
        if (next) next.start();
        else this.#places -= 1;
        if ('document' in outcome) resolve(outcome.document);
        else reject(outcome.error);
      };
      const onProgress = ({ ocrPagesDone, ocrPagesTotal }: OcrProgress) => {
        ranOcr = true;
        const pageTimeoutMs = limits.ocrPageTimeoutMs ?? DEFAULT_PARSE_LIMITS.ocrPageTimeoutMs!;
        // The whole budget: the usual deadline plus one page allowance per scanned page.
        clearTimeout(deadline);
        const budgetMs = limits.timeoutMs + ocrPagesTotal * pageTimeoutMs;
        deadline = setTimeout(onDeadline, Math.max(0, startedAt + budgetMs - Date.now()), budgetMs);
        clearTimeout(pageDeadline);
        if (ocrPagesDone < ocrPagesTotal) {
          const page = ocrPagesDone + 1;
          pageDeadline = setTimeout(() => {
            const details = { page, timeoutMs: pageTimeoutMs };
            finish({ error: new UnprocessableDocumentError(userMessage('ocr_timeout', details), { details }) }, false);
          }, pageTimeoutMs);
        }
        limits.onProgress?.({ ocrPagesDone, ocrPagesTotal });
      };
      const onMessage = (reply: ParserMessage) => {
        if (reply.id !== id) return;
        if ('progress' in reply) return onProgress(reply.progress);
        const healthy = reply.residentBytes < RETIRE_RESIDENT_BYTES;
        if (reply.ok) finish({ document: reply.document }, healthy);
        else finish({ error: rebuildError(reply.error, request.format) }, healthy);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        const heapExhausted = /heap out of memory|allocation failed/i.test(parser.stderrTail);
        const how = signal ? `signal ${signal}` : `code ${code}`;
        finish({ error: heapExhausted ? outOfMemory(limits.memoryMb, 'heap') : crashed(userMessage('fragment.parser_exited', { how })) }, false);
      };
      const onSpawnError = (error: Error) => finish({ error: crashed(error.message) }, false);
      const onAbort = () => finish({ error: new CancelledError(userMessage('cancelled.parsing')) }, false);

      const onDeadline = (timeoutMs: number) => {
        finish({ error: new UnprocessableDocumentError(userMessage('parse_timeout', { timeoutMs }), { details: { timeoutMs } }) }, false);
      };
      let deadline = setTimeout(onDeadline, limits.timeoutMs, limits.timeoutMs);
      const watchdog = setInterval(() => {
        const resident = residentBytesOf(child.pid);
        if (resident !== null && resident > limits.maxResidentMb * 1024 * 1024) {
          finish({ error: outOfMemory(limits.maxResidentMb, 'resident') }, false);
        }
      }, WATCHDOG_INTERVAL_MS);

      child.on('message', onMessage);
      child.on('exit', onExit);
      child.on('error', onSpawnError);
      limits.signal?.addEventListener('abort', onAbort, { once: true });
      const message: ParseRequest = { ...request, id };
      child.send(message);
    });
  }

  /** Resident memory of all parser processes, in bytes (0 where the platform does not tell). */
  residentBytes(): number {
    return [...this.#idle, ...this.#busy].reduce((sum, parser) => sum + (residentBytesOf(parser.child.pid) ?? 0), 0);
  }

  /** Stops the idle parsers. */
  close(): void {
    for (const parser of this.#idle.splice(0)) parser.child.kill();
  }

  #take(memoryMb: number): Parser {
    // A parser that exited while idle is dropped.
    const alive = this.#idle.filter((parser) => parser.child.exitCode === null && parser.child.signalCode === null);
    this.#idle.splice(0, this.#idle.length, ...alive);
    const index = this.#idle.findIndex((parser) => parser.memoryMb === memoryMb);
    if (index >= 0) return this.#idle.splice(index, 1)[0]!;
    const child = fork(fileURLToPath(new URL('./parser-process.js', import.meta.url)), [], {
      // Not the parent's flags (a test runner's, tsx's): parser-process.js loads tsx itself.
      execArgv: [`--max-old-space-size=${memoryMb}`, '--stack-size=2000'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const parser: Parser = { child, memoryMb, stderrTail: '' };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      parser.stderrTail = (parser.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    return parser;
  }

  #release(parser: Parser): void {
    if (this.#idle.length >= this.#maxIdle) {
      parser.child.kill();
      return;
    }
    setReferenced(parser.child, false);
    this.#idle.push(parser);
  }
}

/** The pool loadDocument uses. */
export const parserPool = new ParserPool();

/** Whether an idle parser's process, IPC channel and stderr pipe keep beleg's event loop alive. */
function setReferenced(child: ChildProcess, referenced: boolean): void {
  const handles = [child, child.channel, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[];
  for (const handle of handles) {
    if (referenced) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** A process's resident memory from /proc (Linux); null elsewhere or once it is gone. */
function residentBytesOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function outOfMemory(limitMb: number, which: 'heap' | 'resident'): UnprocessableDocumentError {
  return new UnprocessableDocumentError(userMessage('parse_out_of_memory', { limit: userMessage(`fragment.parser_limit.${which}`), limitMb }), {
    details: { limitMb, limit: which },
  });
}

function crashed(reason: UserMessage | string): UnprocessableDocumentError {
  return new UnprocessableDocumentError(userMessage('parse_failed', { reason }));
}

/** Turns a parser's serialized error back into the BelegError the loader threw, with its catalogue message. */
function rebuildError(error: SerializedError, format: ParseRequest['format']): BelegError {
  const message = error.userMessage && isMessageId(error.userMessage.id) ? error.userMessage : null;
  if (error.name === 'UnprocessableDocumentError' && message) {
    return new UnprocessableDocumentError(message as ErrorMessage, { details: error.details });
  }
  if (error.name === 'CancelledError') {
    return new CancelledError(message && errorCodeOf(message.id) === 'cancelled' ? (message as ErrorMessage<'cancelled'>) : undefined);
  }
  return new UnprocessableDocumentError(userMessage('parse_failed.parser_error', { format: FORMAT_NAMES[format], reason: error.message }));
}
