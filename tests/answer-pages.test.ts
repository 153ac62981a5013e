/**
 * Citations name the PDF page their quote starts on, not the page their chunk starts on: a real
 * two-page LibreOffice PDF goes through real ingestion (SQLite page spans, LanceDB chunks) and is
 * asked about with the extractive engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../src/answer/answer-service.ts';
import type { AppContext } from '../src/app-context.ts';
import { createAnswerService } from '../src/create-answerer.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/index.ts';
import type { PageSpan } from '../src/ingest/types.ts';
import { openTestContext } from './helpers/storage-app.ts';
import { removeTemporaryDirectories } from './helpers/storage-temp-dir.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/documents/rhein-spalten-libreoffice.pdf');

describe('citation pages', () => {
  let context: AppContext;
  let answerer: AnswerService;
  let documentId: string;
  let text: string;
  let pages: PageSpan[];

  beforeAll(async () => {
    context = await openTestContext();
    const record = await context.ingestion.ingest({ kind: 'file', fileName: 'rhein-spalten.pdf', bytes: new Uint8Array(readFileSync(FIXTURE)) });
    expect(record.status).toBe('ready');
    documentId = record.id;
    text = await context.ingestion.text(documentId);
    pages = (await context.ingestion.pages(documentId))!;
    // Pages are under test, not the confidence threshold: every quote the reader picks is presented.
    answerer = createAnswerService(context, { extractive: new ExtractiveLanguageModel() }, 'extractive', { minConfidence: 0 });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    removeTemporaryDirectories();
  });

  it('stores one page span per PDF page and none for texts', async () => {
    expect(pages.map((page) => page.number)).toEqual([1, 2]);
    expect(text.slice(pages[1]!.charStart)).toContain('Rheinradweg');
    const note = await context.ingestion.ingest({ kind: 'text', text: 'Der Rhein ist lang. Er fließt in die Nordsee.' });
    expect(await context.ingestion.pages(note.id)).toBeNull();
  });

  it('cites a quote from page 2 as page 2, even when its chunk starts on page 1', async () => {
    const answer = await answerer.answer({ question: 'Wie viele Kilometer ist der Rheinradweg lang?' });
    expect(answer.declined).toBe(false);
    const [citation] = answer.citations;
    expect(citation!.quote).toContain('1.230 Kilometern');
    expect(text.slice(citation!.charStart, citation!.charEnd)).toBe(citation!.quote);
    expect(citation!.charStart).toBeGreaterThanOrEqual(pages[1]!.charStart);
    expect(citation!.page).toBe(2);
    // The chunk holding the quote starts on page 1: the chunk's page would have been wrong.
    const chunk = answer.sources.find((source) => source.chunkId === citation!.chunkId)!;
    expect(chunk.page).toBe(1);
  });

  it('cites a quote from page 1 as page 1', async () => {
    const answer = await answerer.answer({ question: 'Seit wann ist der Rhein einer der wichtigsten Verkehrswege Europas?' });
    expect(answer.declined).toBe(false);
    expect(answer.citations[0]!.charStart).toBeLessThan(pages[0]!.charEnd);
    expect(answer.citations[0]!.page).toBe(1);
  });
});
