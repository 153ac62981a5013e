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
          // The sentence is exactly its slice, and no sentence crosses a block: no blank line, no
          // page break, and a heading is one line of its own.
          const sentenceText = document.text.slice(sentence.charStart, sentence.charEnd);
          expect(sentenceText).toBe(sentenceText.trim());
          expect(sentenceText.length).toBeGreaterThan(0);
          expect(sentenceText).not.toMatch(/\n[^\S\n]*\n|\f/);
          if (sentence.heading) expect(sentenceText, sentenceText).not.toContain('\n');
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

  it('flags the headings of each kind of document', async () => {
    const headings = async (name: string) => {
      const bytes = new Uint8Array(readFileSync(new URL(name, folder)));
      const document = await loadDocument({ kind: 'file', fileName: name, bytes }, options);
      return chunkDocument(document, tokenizer, { overlapSentences: 0 })
        .flatMap((chunk) => chunk.sentences)
        .filter((sentence) => sentence.heading)
        .map((sentence) => document.text.slice(sentence.charStart, sentence.charEnd));
    };
    expect(await headings('vereinssatzung.txt')).toEqual(['§ 1 Name und Sitz', '§ 2 Zweck', '§ 3 Mitgliedschaft', '== Geschichte ==']);
    expect(await headings('gemeinde-notizen.md')).toEqual(['Notizen zur Gemeindeversammlung', 'Haushalt', 'Verschiedenes', 'Spielplatz']);
    expect(await headings('stadtinfo-utf8.html')).toEqual(['Münster', 'Geschichte', 'Mittelalter', 'Verkehr']);
    expect(await headings('stadtbericht-libreoffice.pdf')).toContain('Kapitel 50: Bericht über das Jahr 1998');
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
