/**
 * The harness of the hostile-file tests (PDF/HTML/images, office documents, presentations and
 * spreadsheets, e-mails and EPUBs): a test context whose every load is timed and whose memory
 * (beleg + parser processes) is sampled, and the check every hostile batch makes of its outcomes.
 */
import { expect } from 'vitest';
import type { AppContext } from '../../src/app-context.ts';
import { parserPool } from '../../src/ingest/isolate/parse-isolated.ts';
import { loadDocument } from '../../src/ingest/load-document.ts';
import type { DocumentRecord } from '../../src/ingest/types.ts';
import { openTestContext } from './storage-app.ts';

/** What a hostile file may end as: one of `codes`, or (with `ready`) a correct parse holding `text`. */
export type Expectation = { codes: string[]; ready?: boolean; text?: string };

/** A submitted document once settled; without `expect` it is a good document that must be ready. */
export type Outcome = { name: string; final: DocumentRecord; expect?: Expectation };

export type MeasuredContext = {
  context: AppContext;
  /** The longest load so far and what was loaded. */
  slowest(): { name: string; milliseconds: number };
  /** Highest resident memory of beleg and its parser processes seen so far, in bytes (sampled every 25 ms). */
  peakBytes(): number;
  /** Stops sampling and closes the context. */
  close(): Promise<void>;
};

/**
 * A test context whose loads are timed, with the parse deadline a server on a slow machine would
 * set so that, with the parser's start, a load ends within 30 s.
 */
export async function openMeasuredContext(): Promise<MeasuredContext> {
  let slowest = { name: '', milliseconds: 0 };
  const context = await openTestContext(undefined, {
    load: async (input, options) => {
      const started = performance.now();
      try {
        return await loadDocument(input, { ...options, parseTimeoutMs: 25_000 });
      } finally {
        const milliseconds = performance.now() - started;
        if (milliseconds > slowest.milliseconds) slowest = { name: input.kind === 'file' ? input.fileName : input.kind, milliseconds };
      }
    },
  });
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss() + parserPool.residentBytes()));
  const sampler = setInterval(sample, 25);
  return {
    context,
    slowest: () => slowest,
    peakBytes: () => {
      sample();
      return peak;
    },
    close: async () => {
      clearInterval(sampler);
      await context.close();
    },
  };
}

/**
 * Each outcome as expected: good documents ready; a hostile one ready only where a correct parse
 * is allowed (holding its text), else failed with one of its codes and a message for people (what
 * happened and what to do).
 */
export async function expectOutcomes(context: AppContext, outcomes: readonly Outcome[]): Promise<void> {
  for (const { name, final, expect: expected } of outcomes) {
    if (!expected) {
      expect(final.status, `${name}: ${final.errorCode} ${final.errorMessage}`).toBe('ready');
      continue;
    }
    if (final.status === 'ready') {
      expect(expected.ready, `${name} was expected to fail with ${expected.codes.join('/')}`).toBe(true);
      if (expected.text) expect(await context.ingestion.text(final.id), name).toContain(expected.text);
    } else {
      expect(final.status, name).toBe('failed');
      expect(expected.codes, `${name} failed with ${final.errorCode}: ${final.errorMessage}`).toContain(final.errorCode);
      expect(final.errorMessage?.length ?? 0, name).toBeGreaterThan(40);
    }
  }
}
