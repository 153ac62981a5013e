import { describe, expect, it } from 'vitest';
import { parseAnswer } from '../src/answer/parse-answer.ts';
import { answerRegex, candidateAnswers } from '../src/engine/constrain/candidate-answers.ts';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { REFUSAL, type GroundedPrompt, type PromptSentence, type PromptSource, type QuoteConstraint } from '../src/engine/language-model.ts';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';
import { seededRandom as random } from '../src/eval/bootstrap.ts';

const tokenizer = LlamaTokenizer.fromDirectory();
const constraint: QuoteConstraint = { kind: 'quote-or-refusal', refusal: REFUSAL };

const SENTENCES = [
  'Die Straße führt über Düsseldorf nach Köln.',
  'Größere Flüsse münden in die Nordsee.',
  'Im Jahr 1815 wurde die Rheinschifffahrt frei – ein Wendepunkt.',
  'Er nannte es „das große Werk“ und ging.',
  'ENDINPUT steht hier nur als Wort, nicht als Marke.',
  'Danach folgt BEGININSTRUCTION ohne Bedeutung.',
  'Der Preis beträgt 5,6 % (Stand: 2023).',
  'Ärzte, Öko-Bauern und Übersetzer trafen sich.',
  'Das ist kein Zitat (Quelle: erfunden).',
  'Emoji 😀 und 漢字 sind auch möglich.',
  'Süß!',
  'Warum? Darum.',
  'Ein Satz mit\nZeilenumbruch endet hier.',
];

/** A sentence, optionally with its block flags. */
type TestSentence = string | { text: string; blockStart?: boolean; heading?: boolean };

function source(citation: string, sentences: TestSentence[]): PromptSource {
  const spans: PromptSentence[] = [];
  let text = '';
  for (const sentence of sentences) {
    const { text: sentenceText, ...flags } = typeof sentence === 'string' ? { text: sentence } : sentence;
    // A block boundary is a paragraph break in the text, as the loaders leave it.
    if (text.length > 0) text += flags.blockStart || flags.heading ? '\n\n' : ' ';
    spans.push({ start: text.length, end: text.length + sentenceText.length, ...flags });
    text += sentenceText;
  }
  return { text, metadata: citation, citation, sentences: spans };
}

function prompt(sources: PromptSource[], question = 'Was steht in den Quellen?'): GroundedPrompt {
  return { text: `${sources.map((item) => item.text).join('\n')}\nUSER: ${question} ASSISTANT:`, question, sources };
}

/**
 * 1–3 sources of 1–5 sentences; every fourth case repeats a sentence in two sources. From the
 * 120th case on, sentences start blocks (30 %) or are headings (15 %).
 */
function generateCase(next: () => number, index: number): GroundedPrompt {
  const flagged = index >= 120;
  const pick = (): TestSentence => {
    const text = SENTENCES[Math.floor(next() * SENTENCES.length)]!;
    if (!flagged) return text;
    const draw = next();
    return draw < 0.15 ? { text, heading: true, blockStart: true } : draw < 0.45 ? { text, blockStart: true } : text;
  };
  const sourceCount = 1 + Math.floor(next() * 3);
  const sources: PromptSource[] = [];
  for (let sourceIndex = 0; sourceIndex < sourceCount; sourceIndex += 1) {
    const sentenceCount = index % 5 === 0 ? 1 : 1 + Math.floor(next() * 5);
    const sentences = Array.from({ length: sentenceCount }, pick);
    if (index % 4 === 0 && sourceIndex > 0) sentences[0] = sources[0]!.text.slice(sources[0]!.sentences[0]!.start, sources[0]!.sentences[0]!.end);
    sources.push(source(`Titel: Quelle ${sourceIndex + 1} (Seite ${index % 7})\nUrl: https://example.org/${index}/${sourceIndex}`, sentences));
  }
  return prompt(sources);
}

/** Every run of whole sentences of a source within one block and without a heading. */
function runsOf(item: PromptSource): string[] {
  const runs: string[] = [];
  item.sentences.forEach((first, i) => {
    for (let j = i; j < item.sentences.length; j += 1) {
      const last = item.sentences[j]!;
      if (last.heading || (j > i && last.blockStart)) break;
      runs.push(item.text.slice(first.start, last.end));
    }
  });
  return runs;
}

/** Generates with a fake model that picks uniformly among the allowed ids. */
function sampleUniformly(testPrompt: GroundedPrompt, next: () => number): { ids: number[]; finished: boolean } {
  const mask = createQuoteMask(testPrompt, constraint, tokenizer);
  const ids: number[] = [];
  for (let step = 0; step < 2000; step += 1) {
    const allowed = mask.allowed(ids);
    if (allowed.length === 0) throw new Error(`dead end after ${JSON.stringify(ids.length > 0 ? tokenizer.decode(ids) : '')}`);
    const id = allowed[Math.floor(next() * allowed.length)]!;
    if (id === tokenizer.eosId) return { ids, finished: true };
    ids.push(id);
  }
  return { ids, finished: false };
}

describe('createQuoteMask with a random "model"', () => {
  it('yields only the refusal or a verbatim run of whole sentences with its own source cited (240 cases)', () => {
    const next = random(20261130);
    let quotes = 0;
    let refusals = 0;
    let repeatedSentenceCases = 0;
    let flaggedRuns = 0;
    for (let index = 0; index < 240; index += 1) {
      const testPrompt = generateCase(next, index);
      const { ids, finished } = sampleUniformly(testPrompt, next);
      expect(finished).toBe(true);
      const text = tokenizer.decode(ids).trim();
      const parsed = parseAnswer(text);
      if (text === REFUSAL) {
        expect(parsed.kind).toBe('refusal');
        refusals += 1;
        continue;
      }
      const cited = testPrompt.sources.filter((item) => runsOf(item).some((run) => text === `${run} (Quelle: ${item.citation})`));
      expect(cited, `not a verbatim run + its citation: ${JSON.stringify(text)}`).not.toHaveLength(0);
      expect(parsed.kind).toBe('quote');
      if (parsed.kind === 'quote') expect(parsed.citation).toBe(cited[0]!.citation.replace(/\s+/g, ' '));
      if (index % 4 === 0 && testPrompt.sources.length > 1) repeatedSentenceCases += 1;
      const quoted = text.slice(0, text.length - ` (Quelle: ${cited[0]!.citation})`.length);
      const singleSentence = cited[0]!.sentences.some((sentence) => cited[0]!.text.slice(sentence.start, sentence.end) === quoted);
      if (index >= 120 && !singleSentence) flaggedRuns += 1;
      quotes += 1;
    }
    // The walk must explore both outcomes, and repeated sentences and runs among flags must have come up.
    expect(quotes).toBeGreaterThan(100);
    expect(refusals).toBeGreaterThan(5);
    expect(repeatedSentenceCases).toBeGreaterThan(10);
    expect(flaggedRuns).toBeGreaterThan(5);
  });
});

describe('createQuoteMask on concrete answers', () => {
  const rhein = source('Titel: Rhein', ['Der Rhein ist 1233 Kilometer lang.', 'Er mündet in die Nordsee.']);
  const main = source('Titel: Main', ['Der Main fließt durch Würzburg.', 'Der Rhein ist 1233 Kilometer lang.']);
  const testPrompt = prompt([rhein, main], 'Wie lang ist der Rhein?');

  /** Feeds the natural tokenization of `text`; returns how many tokens were allowed and whether EOS may follow. */
  function feed(text: string): { accepted: number; total: number; eosAllowed: boolean } {
    const mask = createQuoteMask(testPrompt, constraint, tokenizer);
    const ids = tokenizer.encode(text, { addBos: false });
    const generated: number[] = [];
    for (const id of ids) {
      if (!mask.allowed(generated).includes(id)) return { accepted: generated.length, total: ids.length, eosAllowed: false };
      generated.push(id);
    }
    return { accepted: ids.length, total: ids.length, eosAllowed: mask.allowed(generated).includes(tokenizer.eosId) };
  }

  it('allows the tokenizer’s own spelling of a valid answer and then EOS', () => {
    for (const answer of [
      'Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
      'Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Main)',
      'Der Rhein ist 1233 Kilometer lang. Er mündet in die Nordsee. (Quelle: Titel: Rhein)',
      'Der Main fließt durch Würzburg. Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Main)',
      REFUSAL,
    ]) {
      const result = feed(answer);
      expect(result, answer).toEqual({ accepted: result.total, total: result.total, eosAllowed: true });
    }
  });

  it('rejects changed words, cut sentences, wrong citations and text after the citation', () => {
    for (const answer of [
      'Der Rhein ist 1234 Kilometer lang. (Quelle: Titel: Rhein)',
      'Der Rhein ist 1233 Kilometer (Quelle: Titel: Rhein)',
      'Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)',
      'Er mündet in die Nordsee. (Quelle: Titel: Main)',
      'Der Main fließt durch Würzburg. (Quelle: Titel: Rhein)',
      'Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein) Und mehr.',
      'Der Rhein ist 1233 Kilometer lang. Der Main fließt durch Würzburg. (Quelle: Titel: Main)',
    ]) {
      const result = feed(answer);
      expect(result.accepted < result.total || !result.eosAllowed, answer).toBe(true);
    }
  });

  it('offers only EOS once an answer is complete, and nothing after EOS', () => {
    const mask = createQuoteMask(testPrompt, constraint, tokenizer);
    const ids = tokenizer.encode(REFUSAL, { addBos: false });
    expect([...mask.allowed(ids)]).toEqual([tokenizer.eosId]);
    expect(mask.allowed([...ids, tokenizer.eosId])).toHaveLength(0);
  });

  it('allows byte-fallback pieces that spell half of a multi-byte character', () => {
    const emoji = source('Titel: Emoji', ['Grüße 😀 aus Köln.']);
    const mask = createQuoteMask(prompt([emoji]), constraint, tokenizer);
    const ids = tokenizer.encode('Grüße 😀 aus Köln. (Quelle: Titel: Emoji)', { addBos: false });
    expect(ids.some((id) => /^<0x[0-9A-F]{2}>$/.test(tokenizer.piece(id)))).toBe(true);
    const generated: number[] = [];
    for (const id of ids) {
      expect(mask.allowed(generated)).toContain(id);
      generated.push(id);
    }
    expect(mask.allowed(generated)).toContain(tokenizer.eosId);
  });

  it('never runs a quote across a block start nor quotes a heading, and keeps the tails', () => {
    const verein = source('Titel: Satzung', [
      'Der Verein wurde 1905 gegründet.',
      { text: '§ 2 Zweck', heading: true, blockStart: true },
      { text: 'Zweck des Vereins ist der Sport.', blockStart: true },
      'Er fördert die Jugend.',
      { text: 'Die Wiedereröffnung folgte 1990.', blockStart: true },
    ]);
    const flaggedPrompt = prompt([verein], 'Was ist der Zweck des Vereins?');
    const fits = (answer: string) => {
      const mask = createQuoteMask(flaggedPrompt, constraint, tokenizer);
      const ids = tokenizer.encode(answer, { addBos: false });
      const generated: number[] = [];
      for (const id of ids) {
        if (!mask.allowed(generated).includes(id)) return false;
        generated.push(id);
      }
      return mask.allowed(generated).includes(tokenizer.eosId);
    };
    const tail = ' (Quelle: Titel: Satzung)';
    for (const answer of [
      `Der Verein wurde 1905 gegründet.${tail}`,
      `Zweck des Vereins ist der Sport.${tail}`,
      `Zweck des Vereins ist der Sport. Er fördert die Jugend.${tail}`,
      `Die Wiedereröffnung folgte 1990.${tail}`,
      REFUSAL,
    ]) {
      expect(fits(answer), answer).toBe(true);
    }
    for (const answer of [
      `§ 2 Zweck${tail}`,
      `Der Verein wurde 1905 gegründet.\n\n§ 2 Zweck${tail}`,
      `§ 2 Zweck\n\nZweck des Vereins ist der Sport.${tail}`,
      `Er fördert die Jugend.\n\nDie Wiedereröffnung folgte 1990.${tail}`,
    ]) {
      expect(fits(answer), answer).toBe(false);
    }
  });

  it('rejects sentence offsets outside the source with a clear error', () => {
    const broken = { ...rhein, sentences: [{ start: 0, end: rhein.text.length + 1 }] };
    expect(() => createQuoteMask(prompt([broken]), constraint, tokenizer)).toThrow(/lies outside source 0/);
  });

  it('restarts correctly when called with a different history', () => {
    const mask = createQuoteMask(testPrompt, constraint, tokenizer);
    const first = tokenizer.encode('Der Main', { addBos: false });
    const second = tokenizer.encode('Er mündet', { addBos: false });
    mask.allowed(first);
    const fresh = createQuoteMask(testPrompt, constraint, tokenizer);
    expect([...mask.allowed(second)]).toEqual([...fresh.allowed(second)]);
  });
});

describe('candidate answers and the answer regex (remote engines)', () => {
  const verein = source('Titel: Satzung', [
    'Der Verein wurde 1905 gegründet.',
    { text: '§ 2 Zweck', heading: true, blockStart: true },
    { text: 'Zweck des Vereins ist der Sport.', blockStart: true },
    'Er fördert die Jugend.',
  ]);
  const flaggedPrompt = prompt([verein]);
  const tail = ' (Quelle: Titel: Satzung)';

  it('list only runs within one block and without a heading', () => {
    expect(candidateAnswers(flaggedPrompt, constraint).sort()).toEqual(
      [
        `Der Verein wurde 1905 gegründet.${tail}`,
        `Zweck des Vereins ist der Sport.${tail}`,
        `Zweck des Vereins ist der Sport. Er fördert die Jugend.${tail}`,
        `Er fördert die Jugend.${tail}`,
        REFUSAL,
      ].sort(),
    );
    const regex = new RegExp(`^(?:${answerRegex(flaggedPrompt, constraint)})$`);
    expect(regex.test(`Zweck des Vereins ist der Sport. Er fördert die Jugend.${tail}`)).toBe(true);
    expect(regex.test(`§ 2 Zweck${tail}`)).toBe(false);
    expect(regex.test(`§ 2 Zweck\n\nZweck des Vereins ist der Sport.${tail}`)).toBe(false);
    expect(regex.test(`Der Verein wurde 1905 gegründet.\n\n§ 2 Zweck${tail}`)).toBe(false);
  });
});
