import { describe, expect, it } from 'vitest';
import { LlamaTokenizer } from '../engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument, DEFAULT_MAX_CHUNK_TOKENS } from './chunk-document.ts';
import { splitSentences } from './split-sentences.ts';
import type { ChunkDraft, LoadedDocument } from './types.ts';

const tokenizer = LlamaTokenizer.fromDirectory();

function documentOf(text: string, extra: Partial<LoadedDocument> = {}): LoadedDocument {
  return { text, title: null, mimeType: 'text/plain', language: 'de', bytes: new Uint8Array(), ...extra };
}

/** Checks the invariants every chunk must keep. */
function expectExactChunks(document: LoadedDocument, chunks: ChunkDraft[], maxTokens: number): void {
  chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(document.text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
    expect(chunk.tokenCount).toBe(tokenizer.count(chunk.text));
    expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);
    expect(chunk.sentences[0]!.charStart).toBe(chunk.charStart);
    expect(chunk.sentences[chunk.sentences.length - 1]!.charEnd).toBe(chunk.charEnd);
  });
}

const SENTENCES = [
  'Die erste Pferdebahn fuhr am 24. März 1882 durch die Straßen der Stadt.',
  'Sie verband den Bahnhof mit dem Rheinufer und war z. B. für Händler ein wichtiges Verkehrsmittel.',
  'Im 19. Jahrhundert wuchs die Bevölkerung rasch.',
  'Die Nord-Süd-Verbindung wurde 1896 elektrifiziert.',
  'Der Fahrpreis betrug ca. 10 Pfennig, bzw. 5 Pfennig für Schüler.',
  'Nach 1945 mussten viele Gleise erneuert werden.',
  'Im Jahr 1981 begann der Bau der Stadtbahn.',
  'Die Rheinbahn beförderte im Jahr 2019 rund 225 Mio. Fahrgäste.',
];

describe('chunkDocument', () => {
  it('packs whole sentences within the budget with exact offsets', () => {
    const document = documentOf(SENTENCES.join(' '));
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 48 });
    expect(chunks.length).toBeGreaterThan(2);
    expectExactChunks(document, chunks, 48);
    const sentenceTexts = new Set(splitSentences(document.text).map((span) => document.text.slice(span.charStart, span.charEnd)));
    for (const chunk of chunks) {
      for (const sentence of chunk.sentences) expect(sentenceTexts.has(document.text.slice(sentence.charStart, sentence.charEnd))).toBe(true);
    }
  });

  it('repeats one sentence between neighbouring chunks by default', () => {
    const document = documentOf(SENTENCES.join(' '));
    // Premise: any two neighbouring sentences fit into 64 tokens, so overlap is always possible.
    for (let index = 1; index < SENTENCES.length; index++) {
      expect(tokenizer.count(SENTENCES[index - 1]!) + tokenizer.count(SENTENCES[index]!)).toBeLessThanOrEqual(64);
    }
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 64 });
    expect(chunks.length).toBeGreaterThan(2);
    for (let index = 1; index < chunks.length; index++) {
      const previousLast = chunks[index - 1]!.sentences.at(-1)!;
      expect(chunks[index]!.sentences[0]).toEqual(previousLast);
    }
  });

  it('without overlap covers every sentence exactly once, in order', () => {
    const document = documentOf(SENTENCES.join(' '));
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 48, overlapSentences: 0 });
    expect(chunks.flatMap((chunk) => chunk.sentences)).toEqual(splitSentences(document.text));
  });

  it('keeps a whole short document in one chunk under the default budget of 384 tokens', () => {
    const document = documentOf(SENTENCES.join(' '));
    const chunks = chunkDocument(document, tokenizer);
    expect(DEFAULT_MAX_CHUNK_TOKENS).toBe(384);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe(document.text);
  });

  it('gives an over-long sentence its own chunks, cut at whitespace, offsets exact', () => {
    const longSentence = `Die Stadt ${'und ihre Bürgerinnen und Bürger '.repeat(40)}feierten lange.`;
    const document = documentOf(`Kurzer Satz davor. ${longSentence} Kurzer Satz danach.`);
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 40 });
    expectExactChunks(document, chunks, 40);
    const pieces = chunks.filter((chunk) => document.text.indexOf(longSentence) <= chunk.charStart && chunk.charEnd <= document.text.indexOf(longSentence) + longSentence.length);
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.text).not.toMatch(/^\s|\s$/);
    }
    expect(chunks[0]!.text).toBe('Kurzer Satz davor.');
    expect(chunks.at(-1)!.text).toContain('Kurzer Satz danach.');
  });

  it('cuts an over-long sentence after a comma rather than mid-clause when it can', () => {
    const clauses = Array.from({ length: 12 }, (_, index) => `die ${index + 1}. Gruppe der Bürgerinnen und Bürger aus der Altstadt`);
    const sentence = `Zur Versammlung kamen ${clauses.join(', ')}.`;
    const document = documentOf(sentence);
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 40, overlapSentences: 0 });
    expectExactChunks(document, chunks, 40);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text).toMatch(/,$/);
  });

  it('cuts a single word longer than the budget between characters', () => {
    const word = 'Donaudampfschifffahrtsgesellschaftskapitänsmütze'.repeat(8);
    const document = documentOf(`${word}.`);
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 16, overlapSentences: 0 });
    expectExactChunks(document, chunks, 16);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(document.text);
  });

  it('never splits a surrogate pair', () => {
    const document = documentOf(`${'😀'.repeat(60)}.`);
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 10, overlapSentences: 0 });
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(document.text);
    for (const chunk of chunks) expect(chunk.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('sets the page a chunk starts on', () => {
    const pageOne = SENTENCES.slice(0, 4).join(' ');
    const pageTwo = SENTENCES.slice(4).join(' ');
    const text = `${pageOne}\n\n${pageTwo}`;
    const document = documentOf(text, {
      pages: [
        { number: 1, charStart: 0, charEnd: pageOne.length + 2 },
        { number: 2, charStart: pageOne.length + 2, charEnd: text.length },
      ],
    });
    const chunks = chunkDocument(document, tokenizer, { maxTokens: 40, overlapSentences: 0 });
    for (const chunk of chunks) expect(chunk.page).toBe(chunk.charStart < pageOne.length + 2 ? 1 : 2);
    expect(new Set(chunks.map((chunk) => chunk.page))).toEqual(new Set([1, 2]));
  });

  it('does not cross section boundaries and carries the heading path', () => {
    const builder: string[] = [];
    const sections: NonNullable<LoadedDocument['sections']> = [];
    const add = (headingPath: string[], body: string) => {
      const start = builder.join('\n\n').length + (builder.length > 0 ? 2 : 0);
      builder.push(headingPath.at(-1)!, body);
      sections.push({ headingPath, charStart: start, charEnd: builder.join('\n\n').length });
    };
    add(['Köln'], 'Köln liegt am Rhein. Die Stadt ist alt.');
    add(['Köln', 'Geschichte'], 'Die Römer gründeten die Stadt. Der Dom wurde 1880 vollendet.');
    add(['Köln', 'Verkehr'], 'Es gibt viele Brücken.');
    const document = documentOf(builder.join('\n\n'), { sections });
    const chunks = chunkDocument(document, tokenizer);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      ['Köln', 'Köln\n\nKöln liegt am Rhein. Die Stadt ist alt.'],
      ['Köln > Geschichte', 'Geschichte\n\nDie Römer gründeten die Stadt. Der Dom wurde 1880 vollendet.'],
      ['Köln > Verkehr', 'Verkehr\n\nEs gibt viele Brücken.'],
    ]);
  });

  it('gives text before the first heading no heading path', () => {
    const text = 'Vorwort ohne Überschrift.\n\nKapitel\n\nInhalt des Kapitels.';
    const start = text.indexOf('Kapitel');
    const document = documentOf(text, { sections: [{ headingPath: ['Kapitel'], charStart: start, charEnd: text.length }] });
    const chunks = chunkDocument(document, tokenizer);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([null, 'Kapitel']);
  });

  it('stays exact with a token counter that is not additive over words', () => {
    const lumpy = { count: (text: string) => Math.ceil(text.length / 7) + (text.includes('\n') ? 3 : 0) };
    const document = documentOf(`${SENTENCES.slice(0, 4).join(' ')}\n\n${SENTENCES.slice(4).join(' ')}`);
    const chunks = chunkDocument(document, lumpy, { maxTokens: 30 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(document.text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
      expect(chunk.tokenCount).toBe(lumpy.count(chunk.text));
      if (chunk.sentences.length > 1) expect(chunk.tokenCount).toBeLessThanOrEqual(30);
    }
  });

  it('returns no chunks for a document without sentences', () => {
    expect(chunkDocument(documentOf('   '), tokenizer)).toEqual([]);
  });

  it('rejects nonsensical options', () => {
    expect(() => chunkDocument(documentOf('Satz.'), tokenizer, { maxTokens: 0 })).toThrow(RangeError);
    expect(() => chunkDocument(documentOf('Satz.'), tokenizer, { overlapSentences: -1 })).toThrow(RangeError);
  });
});
