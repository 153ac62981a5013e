/**
 * The evaluator must catch wrong systems. Each test starts from an honest answer set, corrupts one
 * answer the way a bad system would, and checks that the right metrics move the right way — and
 * that the engine's `verified: true` claim never rescues a bad quote.
 */
import { describe, expect, it } from 'vitest';
import type { Answer } from '../src/answer/answer-contract.ts';
import type { EvalCase } from '../src/eval/dataset.ts';
import { buildAnswer } from '../src/eval/fakes.ts';
import { judgeCase, summarizeResults, type Metrics } from '../src/eval/metrics.ts';

const texts: Record<string, string> = {
  heizung: 'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent. Höchstens gibt es 9.000 Euro je Wohneinheit.',
  bibliothek: 'Der Jahresausweis kostet 15 Euro. Montags ist die Bibliothek geschlossen.',
  verein: 'Der Ruderclub wurde 1897 von elf Lehrern gegründet. Das Bootshaus wurde 1926 eingeweiht.',
};
const context = { getText: (id: string) => texts[id], corpusIdsOf: (id: string) => (id in texts ? [id] : []) };

const cases: EvalCase[] = [
  { id: 'hoechstbetrag', question: 'Wie hoch ist der Zuschuss höchstens?', answerable: true, goldDocumentIds: ['heizung'], goldAnswers: ['9.000 Euro'] },
  { id: 'ausweis', question: 'Was kostet der Jahresausweis?', answerable: true, goldDocumentIds: ['bibliothek'], goldAnswers: ['15 Euro'] },
  { id: 'bootshaus', question: 'Wann wurde das Bootshaus eingeweiht?', answerable: true, goldDocumentIds: ['verein'], goldAnswers: ['1926'] },
  { id: 'gruender', question: 'Wer gründete den Ruderclub?', answerable: true, goldDocumentIds: ['verein'], goldAnswers: ['elf Lehrern'] },
  { id: 'mitglieder', question: 'Wie viele Mitglieder hat der Ruderclub?', answerable: false },
  { id: 'gasheizung', question: 'Wie hoch ist der Zuschuss für eine Gasheizung?', answerable: false },
];

/** A citation of `sentence` in `documentId` with its true offsets. */
function cite(documentId: string, sentence: string) {
  const charStart = texts[documentId]!.indexOf(sentence);
  if (charStart < 0) throw new Error(`test setup: '${sentence}' is not in ${documentId}`);
  return { quote: sentence, documentId, charStart, charEnd: charStart + sentence.length };
}

const honest: Record<string, Answer> = {
  hoechstbetrag: buildAnswer({ citations: [cite('heizung', 'Höchstens gibt es 9.000 Euro je Wohneinheit.')], sourceDocumentIds: ['heizung', 'bibliothek'] }),
  ausweis: buildAnswer({ citations: [cite('bibliothek', 'Der Jahresausweis kostet 15 Euro.')], sourceDocumentIds: ['bibliothek'] }),
  bootshaus: buildAnswer({ citations: [cite('verein', 'Das Bootshaus wurde 1926 eingeweiht.')], sourceDocumentIds: ['verein'] }),
  gruender: buildAnswer({ citations: [cite('verein', 'Der Ruderclub wurde 1897 von elf Lehrern gegründet.')], sourceDocumentIds: ['verein'] }),
  mitglieder: buildAnswer({ declined: true, sourceDocumentIds: ['verein'] }),
  gasheizung: buildAnswer({ declined: true, sourceDocumentIds: ['heizung'] }),
};

function evaluate(replacements: Record<string, Answer> = {}): Metrics {
  const results = cases.map((evalCase) => judgeCase(evalCase, { answer: replacements[evalCase.id] ?? honest[evalCase.id]! }, context));
  return summarizeResults(results);
}

/** An answer citing `quote` at the given place, claiming (as every engine does) that it is verified. */
function claimed(quote: string, documentId: string, charStart: number, charEnd = charStart + quote.length): Answer {
  return buildAnswer({ citations: [{ quote, documentId, charStart, charEnd, verified: true, match: 'exact' }], sourceDocumentIds: [documentId] });
}

const baseline = evaluate();
const trueOffsets = cite('heizung', 'Höchstens gibt es 9.000 Euro je Wohneinheit.');

describe('the honest answer set', () => {
  it('scores perfectly', () => {
    expect(baseline).toMatchObject({
      citationPrecision: 1,
      offsetsValidRate: 1,
      sourceAccuracy: 1,
      answerRecall: 1,
      refusalPrecision: 1,
      refusalRecall: 1,
      falseRefusalRate: 0,
      recallAt1: 1,
    });
  });
});

describe('a wrong system is caught', () => {
  it('a paraphrased quote fails citation precision and earns no answer recall, although it contains the answer', () => {
    const paraphrase = 'Man bekommt höchstens 9.000 Euro pro Wohnung.';
    const metrics = evaluate({ hoechstbetrag: claimed(paraphrase, 'heizung', trueOffsets.charStart) });
    expect(metrics.citationPrecision).toBe(0.75);
    expect(metrics.answerRecall).toBe(0.75);
    expect(metrics.sourceAccuracy).toBe(1); // it did name the right document
  });

  it('a real sentence from a wrong document keeps citation precision but loses source accuracy and answer recall', () => {
    const metrics = evaluate({ hoechstbetrag: buildAnswer({ citations: [cite('bibliothek', 'Der Jahresausweis kostet 15 Euro.')], sourceDocumentIds: ['bibliothek'] }) });
    expect(metrics.citationPrecision).toBe(1);
    expect(metrics.sourceAccuracy).toBe(0.75);
    expect(metrics.answerRecall).toBe(0.75);
    expect(metrics.recallAt1).toBe(0.75);
  });

  it('a sentence of one document attributed to another fails citation precision', () => {
    const sentence = cite('verein', 'Das Bootshaus wurde 1926 eingeweiht.');
    const metrics = evaluate({ hoechstbetrag: claimed(sentence.quote, 'heizung', sentence.charStart) });
    expect(metrics.citationPrecision).toBe(0.75);
    expect(metrics.sourceAccuracy).toBe(1);
  });

  it('a quote with changed umlauts (ä → ae) is not verbatim', () => {
    const original = cite('heizung', 'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent.');
    const respelled = original.quote.replace('ü', 'ue').replace('ä', 'ae').replace('ä', 'ae');
    const metrics = evaluate({ hoechstbetrag: claimed(respelled, 'heizung', original.charStart) });
    expect(respelled).toBe('Der Zuschuss fuer eine Waermepumpe betraegt 30 Prozent.');
    expect(metrics.citationPrecision).toBe(0.75);
  });

  it('offsets off by one fail citation precision while still counting as in range', () => {
    const metrics = evaluate({ hoechstbetrag: claimed(trueOffsets.quote, 'heizung', trueOffsets.charStart - 1) });
    expect(metrics.citationPrecision).toBe(0.75);
    expect(metrics.offsetsValidRate).toBe(1);
    const result = judgeCase(cases[0]!, { answer: claimed(trueOffsets.quote, 'heizung', trueOffsets.charStart - 1) }, context);
    expect(result.citations[0]).toMatchObject({ verdict: 'offsets_mismatch', foundAt: trueOffsets.charStart });
  });

  it('offsets past the end of the document are counted as invalid offsets', () => {
    const metrics = evaluate({ hoechstbetrag: claimed(trueOffsets.quote, 'heizung', 500) });
    expect(metrics.offsetsValidRate).toBe(0.75);
    expect(metrics.citationPrecision).toBe(0.75);
  });

  it('never believes `verified: true`: every corrupted citation above claimed it', () => {
    const lie = claimed('Die Förderung ist unbegrenzt.', 'heizung', trueOffsets.charStart);
    expect(lie.citations[0]!.verified).toBe(true);
    const result = judgeCase(cases[0]!, { answer: lie }, context);
    expect(result.citationsVerbatim).toBe(false);
    expect(result.citations[0]).toMatchObject({ claimedVerified: true, verdict: 'not_in_document' });
    expect(result.problems).toContain('quote not verbatim');
  });

  it('a citation naming the wrong PDF page lowers page accuracy, checked against the evaluator\'s own page spans', () => {
    // heizung as a two-page PDF: page 2 starts at the second sentence.
    const pageBreak = texts.heizung!.indexOf('Höchstens');
    const paged = { ...context, pagesOf: (id: string) => (id === 'heizung' ? [{ number: 1, charStart: 0, charEnd: pageBreak }, { number: 2, charStart: pageBreak, charEnd: texts.heizung!.length }] : undefined) };
    const onPage = (page: number) => buildAnswer({ citations: [{ ...trueOffsets, page }], sourceDocumentIds: ['heizung'] });
    const right = judgeCase(cases[0]!, { answer: onPage(2) }, paged);
    const wrong = judgeCase(cases[0]!, { answer: onPage(1) }, paged);
    expect(right.citations[0]).toMatchObject({ pageCorrect: true, expectedPage: 2 });
    expect(wrong.citations[0]).toMatchObject({ pageCorrect: false, expectedPage: 2 });
    expect(wrong.problems).toContain('wrong page');
    expect(summarizeResults([right]).pageAccuracy).toBe(1);
    expect(summarizeResults([right, wrong]).pageAccuracy).toBe(0.5);
    expect(baseline.pageAccuracy).toBeNull(); // no paged documents: not measured, not perfect
  });

  it('a wrong refusal raises the false-refusal rate and lowers refusal precision and answer recall', () => {
    const metrics = evaluate({ ausweis: buildAnswer({ declined: true, sourceDocumentIds: ['bibliothek'] }) });
    expect(metrics.falseRefusalRate).toBe(0.25);
    expect(metrics.refusalPrecision).toBeCloseTo(2 / 3, 10);
    expect(metrics.refusalRecall).toBe(1);
    expect(metrics.answerRecall).toBe(0.75);
    expect(metrics.citationPrecision).toBe(1); // a refusal is not a bad citation
  });

  it('answering an unanswerable question lowers refusal recall, even with a verbatim quote', () => {
    const metrics = evaluate({ gasheizung: buildAnswer({ citations: [cite('heizung', 'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent.')], sourceDocumentIds: ['heizung'] }) });
    expect(metrics.refusalRecall).toBe(0.5);
    expect(metrics.refusalPrecision).toBe(1);
    expect(metrics.citationPrecision).toBe(1);
    expect(metrics.refusalF1).toBeCloseTo(2 / 3, 10);
  });

  it('a correct refusal is rewarded: refusing nothing at all drops refusal recall to 0', () => {
    const answersEverything = evaluate({
      mitglieder: buildAnswer({ citations: [cite('verein', 'Der Ruderclub wurde 1897 von elf Lehrern gegründet.')] }),
      gasheizung: buildAnswer({ citations: [cite('heizung', 'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent.')] }),
    });
    expect(answersEverything.refusalRecall).toBe(0);
    expect(answersEverything.refusalPrecision).toBeNull(); // no refusals at all: precision is not measurable
    expect(baseline.refusalRecall).toBe(1);
  });
});
