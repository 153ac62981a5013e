import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from '../src/ingest/chunk-document.ts';
import { loadDocument } from '../src/ingest/load-document.ts';
import { makeTextPdf } from './helpers/make-pdf.ts';

const tokenizer = LlamaTokenizer.fromDirectory();
const options = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const folder = new URL('./fixtures/documents/', import.meta.url);
/** Every loadable fixture (the password-protected PDF is refused by design). */
const fixtures = readdirSync(folder).filter((name) => /\.(pdf|html|md|txt)$/.test(name) && name !== 'README.md' && name !== 'strassenbahn-encrypted.pdf');

describe('chunks of every fixture', () => {
  it('has fixtures of every kind', () => {
    expect(fixtures.filter((name) => name.endsWith('.pdf')).length).toBeGreaterThanOrEqual(3);
    expect(fixtures.some((name) => name.endsWith('.html'))).toBe(true);
    expect(fixtures.some((name) => name.endsWith('.md'))).toBe(true);
  });

  it.each(fixtures)('%s: every chunk is the exact slice of the text, within budget, with pages or headings', async (name) => {
    const bytes = new Uint8Array(readFileSync(new URL(name, folder)));
    const document = await loadDocument({ kind: 'file', fileName: name, bytes }, options);
    for (const maxTokens of [384, 64]) {
      const chunks = chunkDocument(document, tokenizer, { maxTokens });
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) {
        expect(document.text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
        expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
        expect(chunk.tokenCount).toBe(tokenizer.count(chunk.text));
        for (const sentence of chunk.sentences) {
          expect(sentence.charStart).toBeGreaterThanOrEqual(chunk.charStart);
          expect(sentence.charEnd).toBeLessThanOrEqual(chunk.charEnd);
        }
        if (document.pages) expect(chunk.page).not.toBeNull();
      }
      // Every sentence of the document is in some chunk.
      const covered = new Set(chunks.flatMap((chunk) => chunk.sentences.map((sentence) => sentence.charStart)));
      const lastEnd = Math.max(...chunks.map((chunk) => chunk.charEnd));
      expect(lastEnd).toBe(document.text.trimEnd().length);
      expect(covered.size).toBeGreaterThan(0);
      if (document.sections && document.sections.length > 0) expect(chunks.some((chunk) => chunk.headingPath !== null)).toBe(true);
    }
  });

  it('a chunk starting on page 2 of a pdf-lib PDF says page 2', async () => {
    const bytes = await makeTextPdf({
      header: 'Kopfzeile',
      pageNumbers: true,
      pages: [{ paragraphs: [['Erste Seite: Die Stadt liegt am Fluss.']] }, { paragraphs: [['Zweite Seite: Der Hafen ist groß.']] }],
    });
    const document = await loadDocument({ kind: 'file', fileName: 'a.pdf', bytes }, options);
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 12, overlapSentences: 0 });
    const second = chunks.find((chunk) => chunk.text.startsWith('Zweite Seite'));
    expect(second?.page).toBe(2);
    expect(chunks[0]!.page).toBe(1);
  });
});
