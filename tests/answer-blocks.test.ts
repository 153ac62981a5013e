/**
 * A quote never crosses a paragraph, heading, list-item or page-section boundary, and a heading is
 * never part of a quote — from the loaders through the stored chunks and the prompt to the
 * engines' constraint and the verification of whatever an engine writes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveAnswer } from '../src/answer/resolve-answer.ts';
import { splitAtBlocks } from '../src/answer/split-at-blocks.ts';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { REFUSAL, type QuoteConstraint } from '../src/engine/language-model.ts';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from '../src/ingest/chunk-document.ts';
import { toChunkRow } from '../src/ingest/ingestion-service.ts';
import { loadHtml } from '../src/ingest/loaders/load-html.ts';
import { loadPdf } from '../src/ingest/loaders/load-pdf.ts';
import { loadText } from '../src/ingest/loaders/load-text.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';
import { buildGroundedPrompt, type BuiltPrompt } from '../src/retrieve/build-prompt.ts';
import { makeTextPdf } from './helpers/make-pdf.ts';

const tokenizer = LlamaTokenizer.fromDirectory();
const constraint: QuoteConstraint = { kind: 'quote-or-refusal', refusal: REFUSAL };

const SATZUNG =
  'Satzung des Sportvereins Lindenau\n\n' +
  '§ 1 Name und Sitz\n' +
  'Der Verein heißt Sportverein Lindenau. Er wurde am 3. April 1905 gegründet.\n' +
  '§ 2 Zweck\n' +
  'Zweck des Vereins ist die Pflege des Sports. Er fördert die Jugend.\n\n' +
  'Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm.\n\n' +
  'Die Wiedereröffnung des Vereinsheims war 1990.';

/** The prompt for one document, built from its chunks as they are stored. */
function promptFor(id: string, document: LoadedDocument, question = 'Was ist der Zweck des Vereins?'): BuiltPrompt {
  const chunks = chunkDocument(document, tokenizer).map((draft) => toChunkRow(id, draft));
  return buildGroundedPrompt({
    question,
    chunks: chunks.map((chunk) => ({ chunk, document: { id, title: document.title, url: null, fileName: `${id}.txt` } })),
  });
}

/** The source's sentences as text with their flags: `|` for blockStart, `H:` for heading. */
function flaggedSentences(prompt: BuiltPrompt): string[] {
  return prompt.sources.flatMap((source) =>
    source.sentences.map((sentence) => `${sentence.blockStart ? '|' : ''}${sentence.heading ? 'H:' : ''}${source.text.slice(sentence.start, sentence.end)}`),
  );
}

/** Whether the quote mask lets the model write `answer` (its natural tokens, then EOS). */
function maskAllows(prompt: BuiltPrompt, answer: string): boolean {
  const mask = createQuoteMask(prompt, constraint, tokenizer);
  const generated: number[] = [];
  for (const id of tokenizer.encode(answer, { addBos: false })) {
    if (!mask.allowed(generated).includes(id)) return false;
    generated.push(id);
  }
  return mask.allowed(generated).includes(tokenizer.eosId);
}

describe('block flags from the loaders to the prompt', () => {
  it('a plain-text statute: headings and paragraphs reach the prompt as flags', () => {
    const prompt = promptFor('satzung', loadText(SATZUNG, new TextEncoder().encode(SATZUNG)));
    expect(flaggedSentences(prompt)).toEqual([
      '|H:Satzung des Sportvereins Lindenau',
      '|H:§ 1 Name und Sitz',
      '|Der Verein heißt Sportverein Lindenau.',
      'Er wurde am 3. April 1905 gegründet.',
      '|H:§ 2 Zweck',
      '|Zweck des Vereins ist die Pflege des Sports.',
      'Er fördert die Jugend.',
      '|Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm.',
      '|Die Wiedereröffnung des Vereinsheims war 1990.',
    ]);
  });

  it('a PDF with a heading in the body font: the heading is its own sentence, never glued to the next', async () => {
    const bytes = await makeTextPdf({
      pages: [
        {
          paragraphs: [
            [
              'Der Verein heißt Sportverein Lindenau und hat seinen Sitz in der',
              'Stadt. Er wurde am 3. April 1905 gegründet.',
              '§ 2 Zweck',
              'Zweck des Vereins ist die Pflege des Sports und die Förderung der',
              'Jugend.',
            ],
          ],
        },
      ],
    });
    const prompt = promptFor('satzung-pdf', await loadPdf(bytes));
    expect(flaggedSentences(prompt)).toEqual([
      '|Der Verein heißt Sportverein Lindenau und hat seinen Sitz in der Stadt.',
      'Er wurde am 3. April 1905 gegründet.',
      '|H:§ 2 Zweck',
      '|Zweck des Vereins ist die Pflege des Sports und die Förderung der Jugend.',
    ]);
    expect(maskAllows(prompt, `Er wurde am 3. April 1905 gegründet. § 2 Zweck (Quelle: ${prompt.sources[0]!.citation})`)).toBe(false);
  });

  it('an HTML page: its headings (and only they) are headings; list items are blocks, not headings', () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/documents/stadtinfo-utf8.html', import.meta.url)));
    const prompt = promptFor('stadtinfo', loadHtml(bytes));
    const flagged = flaggedSentences(prompt);
    expect(flagged.filter((sentence) => sentence.includes('H:'))).toEqual(['|H:Münster', '|H:Geschichte', '|H:Mittelalter', '|H:Verkehr']);
    expect(flagged).toContain('|Hauptbahnhof mit Fernverkehr');
    expect(flagged).toContain('|Flughafen Münster/Osnabrück');
  });

  it('a wiki-style paragraph (GermanQuAD): the `== … ==` line is a heading, each line a paragraph', () => {
    const text =
      'Guam\n\n=== Nach dem Zweiten Weltkrieg ===\n' +
      'Nach dem Krieg wurde Guam von der US-Marine verwaltet, bis der Guam Organic Act im Jahr 1950 die Insel zu einem Territorium machte.\n' +
      'Die Wirtschaft der Insel stützt sich heute vor allem auf den Tourismus und das Militär.';
    const prompt = promptFor('guam', loadText(text, new TextEncoder().encode(text)));
    expect(flaggedSentences(prompt).map((sentence) => sentence.slice(0, 24))).toEqual([
      '|H:Guam',
      '|H:=== Nach dem Zweiten ',
      '|Nach dem Krieg wurde Gu',
      '|Die Wirtschaft der Inse',
    ]);
  });
});

describe('the quote mask on an ingested document', () => {
  const prompt = promptFor('satzung', loadText(SATZUNG, new TextEncoder().encode(SATZUNG)));
  const tail = ` (Quelle: ${prompt.sources[0]!.citation})`;

  it('allows runs within a block and refuses runs across a paragraph break or into a heading', () => {
    expect(maskAllows(prompt, `Zweck des Vereins ist die Pflege des Sports. Er fördert die Jugend.${tail}`)).toBe(true);
    expect(maskAllows(prompt, `Die Wiedereröffnung des Vereinsheims war 1990.${tail}`)).toBe(true);
    expect(maskAllows(prompt, `Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm.\n\nDie Wiedereröffnung des Vereinsheims war 1990.${tail}`)).toBe(false);
    expect(maskAllows(prompt, `Er wurde am 3. April 1905 gegründet.\n§ 2 Zweck${tail}`)).toBe(false);
    expect(maskAllows(prompt, `§ 2 Zweck\nZweck des Vereins ist die Pflege des Sports.${tail}`)).toBe(false);
    expect(maskAllows(prompt, `§ 2 Zweck${tail}`)).toBe(false);
  });
});

describe('splitAtBlocks', () => {
  const text = 'Er wurde 1905 gegründet.\n§ 2 Zweck\nZweck ist der Sport. Er fördert die Jugend.\n\nDie Wiedereröffnung war 1990.';
  const at = (sentence: string) => ({ charStart: text.indexOf(sentence), charEnd: text.indexOf(sentence) + sentence.length });
  const sentences = [
    { ...at('Er wurde 1905 gegründet.'), blockStart: true },
    { ...at('§ 2 Zweck'), blockStart: true, heading: true },
    { ...at('Zweck ist der Sport.'), blockStart: true },
    at('Er fördert die Jugend.'),
    { ...at('Die Wiedereröffnung war 1990.'), blockStart: true },
  ];
  const parts = (from: string, to: string) =>
    splitAtBlocks(text, { charStart: at(from).charStart, charEnd: at(to).charEnd }, sentences).map((part) => text.slice(part.charStart, part.charEnd));

  it('leaves a quote inside one block whole', () => {
    expect(parts('Zweck ist der Sport.', 'Er fördert die Jugend.')).toEqual(['Zweck ist der Sport. Er fördert die Jugend.']);
  });

  it('cuts a quote at each block boundary and drops the heading', () => {
    expect(parts('Er wurde 1905 gegründet.', 'Zweck ist der Sport.')).toEqual(['Er wurde 1905 gegründet.', 'Zweck ist der Sport.']);
    expect(parts('§ 2 Zweck', 'Er fördert die Jugend.')).toEqual(['Zweck ist der Sport. Er fördert die Jugend.']);
    expect(parts('Er fördert die Jugend.', 'Die Wiedereröffnung war 1990.')).toEqual(['Er fördert die Jugend.', 'Die Wiedereröffnung war 1990.']);
  });

  it('leaves nothing of a quote that is only a heading, or part of one', () => {
    expect(parts('§ 2 Zweck', '§ 2 Zweck')).toEqual([]);
    expect(splitAtBlocks(text, { charStart: at('§ 2 Zweck').charStart + 4, charEnd: at('§ 2 Zweck').charEnd }, sentences)).toEqual([]);
  });

  it('cuts at a blank line even where no sentence says so (a quote found outside the source)', () => {
    expect(splitAtBlocks(text, { charStart: at('Er fördert die Jugend.').charStart, charEnd: text.length }, []).map((part) => text.slice(part.charStart, part.charEnd))).toEqual([
      'Er fördert die Jugend.',
      'Die Wiedereröffnung war 1990.',
    ]);
  });
});

describe('resolving an unconstrained engine’s quote that crosses blocks', () => {
  const document = loadText(SATZUNG, new TextEncoder().encode(SATZUNG));
  const prompt = promptFor('satzung', document);
  const citation = prompt.sources[0]!.citation;
  const resolve = (raw: string) => resolveAnswer(raw, prompt, async () => document.text);

  it('cites a quote within one block as one citation', async () => {
    const resolution = await resolve(`Zweck des Vereins ist die Pflege des Sports. Er fördert die Jugend. (Quelle: ${citation})`);
    expect(resolution.declined).toBe(false);
    expect(resolution.citations.map((item) => item.quote)).toEqual(['Zweck des Vereins ist die Pflege des Sports. Er fördert die Jugend.']);
  });

  it('cites a quote across a paragraph break as two quotes, never as one', async () => {
    const resolution = await resolve(
      `Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm. Die Wiedereröffnung des Vereinsheims war 1990. (Quelle: ${citation})`,
    );
    expect(resolution.declined).toBe(false);
    expect(resolution.citations.map((item) => item.quote)).toEqual([
      'Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm.',
      'Die Wiedereröffnung des Vereinsheims war 1990.',
    ]);
    expect(resolution.answer).toBe('Das Vereinsheim brannte 1944 ab, als die Stadt die Anlage übernahm. … Die Wiedereröffnung des Vereinsheims war 1990.');
    for (const item of resolution.citations) expect(document.text.slice(item.charStart, item.charEnd)).toBe(item.quote);
  });

  it('drops a heading glued into a quote', async () => {
    const resolution = await resolve(`Er wurde am 3. April 1905 gegründet. § 2 Zweck Zweck des Vereins ist die Pflege des Sports. (Quelle: ${citation})`);
    expect(resolution.citations.map((item) => item.quote)).toEqual(['Er wurde am 3. April 1905 gegründet.', 'Zweck des Vereins ist die Pflege des Sports.']);
    expect(resolution.answer).not.toContain('§ 2');
  });

  it('declines a quote that is only a heading as unverifiable', async () => {
    const resolution = await resolve(`§ 2 Zweck (Quelle: ${citation})`);
    expect(resolution).toMatchObject({ declined: true, reason: 'unverifiable_quote', citations: [] });
  });
});
