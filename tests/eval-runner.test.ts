/**
 * The evaluation runner end to end with in-memory fakes of Ingestion and Answerer: a dataset on
 * disk is loaded, ingested (idempotently), asked, judged, reported in three formats, gated and
 * compared. The fakes make the suite independent of models and storage.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports, formatComparison } from '../src/eval/compare-reports.ts';
import { InMemoryIngestion, SentenceQuotingAnswerer } from '../src/eval/fakes.ts';
import { checkGates, parseGates } from '../src/eval/gates.ts';
import { InvalidDatasetError } from '../src/eval/invalid-dataset-error.ts';
import { loadDataset, writeDataset } from '../src/eval/load-dataset.ts';
import { parseReport } from '../src/eval/report.ts';
import { runEval, type EvalProgress } from '../src/eval/run-eval.ts';
import { writeReport } from '../src/eval/write-report.ts';

let directory: string;

const corpus = [
  { id: 'heizung', title: 'Merkblatt', text: 'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent. Der Höchstbetrag des Zuschusses ist so hoch wie nie: 9.000 Euro.' },
  { id: 'heizung-2', title: 'Merkblatt (2)', text: 'Der Höchstbetrag des Zuschusses gilt je Wohneinheit. Die Bearbeitung dauert sechs Wochen.' },
  { id: 'bibliothek', file: 'bibliothek.txt' },
  { id: 'kaputt', file: 'kaputt.txt' },
];
const cases = [
  { id: 'hoechstbetrag', question: 'Wie hoch ist der Höchstbetrag des Zuschusses?', goldDocumentIds: ['heizung'], goldAnswers: ['9.000 Euro'], answerable: true },
  { id: 'hoechstbetrag/ohne-quelle', question: 'Wie hoch ist der Höchstbetrag des Zuschusses?', answerable: false, excludeDocumentIds: ['heizung'] },
  { id: 'ausweis', question: 'Was kostet der Jahresausweis der Bibliothek?', goldDocumentIds: ['bibliothek'], goldAnswers: ['15 Euro'], answerable: true },
  { id: 'bearbeitung', question: 'Wie lange dauert die Bearbeitung?', goldDocumentIds: ['heizung-2'], goldAnswers: ['sechs Wochen'], answerable: true },
  { id: 'mitglieder', question: 'Wie viele Mitglieder hat der Ruderclub?', answerable: false },
];

/** The same cases, split: the first question and its twin tune, the rest held out. */
const splitOf: Record<string, 'tune' | 'test'> = { hoechstbetrag: 'tune', 'hoechstbetrag/ohne-quelle': 'tune', ausweis: 'test', bearbeitung: 'test', mitglieder: 'test' };

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'beleg-eval-'));
  await writeDataset(path.join(directory, 'set'), corpus, cases);
  await writeDataset(path.join(directory, 'split-set'), corpus, cases.map((evalCase) => ({ ...evalCase, split: splitOf[evalCase.id] })));
  await writeFile(path.join(directory, 'split-set', 'bibliothek.txt'), 'Der Jahresausweis der Bibliothek kostet 15 Euro. Montags ist geschlossen.');
  await writeFile(path.join(directory, 'split-set', 'kaputt.txt'), 'unlesbar');
  await writeFile(path.join(directory, 'set', 'bibliothek.txt'), 'Der Jahresausweis der Bibliothek kostet 15 Euro. Montags ist geschlossen.');
  await writeFile(path.join(directory, 'set', 'kaputt.txt'), 'unlesbar');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function services(options: ConstructorParameters<typeof SentenceQuotingAnswerer>[1] = {}) {
  const ingestion = new InMemoryIngestion({ failFileNames: ['kaputt.txt'] });
  return { ingestion, answerer: new SentenceQuotingAnswerer(ingestion, options) };
}

describe('runEval', () => {
  it('ingests the corpus, asks every case restricted to the corpus, and scores an honest system', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const { ingestion, answerer } = services();
    const progress: EvalProgress[] = [];
    const report = await runEval({ ingestion, answerer }, dataset, { topK: 3, onProgress: (event) => progress.push(event), bootstrap: { resamples: 200 } });

    expect(report.run.ingestionFailures).toEqual([{ corpusId: 'kaputt', code: 'empty_document', message: 'The document has no text.' }]);
    expect(progress.filter((event) => event.phase === 'ingest')).toHaveLength(4);
    expect(progress.filter((event) => event.phase === 'ask').map((event) => event.done)).toEqual([1, 2, 3, 4, 5]);

    const heizungId = [...ingestion.documents.values()].find((document) => document.text.startsWith('Der Zuschuss'))!.record.id;
    expect(answerer.requests).toHaveLength(5);
    expect(answerer.requests.every((request) => request.topK === 3 && request.documentIds!.length >= 2)).toBe(true);
    expect(answerer.requests[0]!.documentIds).toContain(heizungId);
    expect(answerer.requests[1]!.documentIds).not.toContain(heizungId);

    expect(report.metrics.citationPrecision).toBe(1);
    expect(report.metrics.sourceAccuracy).toBe(1);
    expect(report.metrics.answerRecall).toBe(1);
    expect(report.metrics.recallAt1).toBe(1);
    expect(report.metrics.counts).toMatchObject({ cases: 5, answerable: 3, unanswerable: 2 });
    expect(report.confidence.citationPrecision).toEqual({ low: 1, high: 1 });
    // The hard negative: with its paragraph left out, the sibling still shares words, so the fake
    // answers from it; the report must show that as a failure, first.
    const twin = report.cases.find((result) => result.id === 'hoechstbetrag/ohne-quelle')!;
    expect(twin.problems).toEqual(['answered an unanswerable question']);
    expect(report.cases[0]!.failed).toBe(true);
    expect(report.cases.findIndex((result) => !result.failed)).toBeGreaterThan(report.cases.findLastIndex((result) => result.failed));
  });

  it('is idempotent: a second run over the same ingestion adds no documents and gives the same metrics', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const { ingestion, answerer } = services();
    const first = await runEval({ ingestion, answerer }, dataset, { bootstrap: { resamples: 100 } });
    const documents = ingestion.documents.size;
    const second = await runEval({ ingestion, answerer }, dataset, { bootstrap: { resamples: 100 } });
    expect(ingestion.documents.size).toBe(documents);
    expect(second.metrics.citationPrecision).toBe(first.metrics.citationPrecision);
    expect(second.confidence).toEqual(first.confidence);
  });

  it('catches a system that alters quotes while claiming they are verified', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const { ingestion, answerer } = services({
      tamper: (answer) =>
        answer.declined
          ? answer
          : { ...answer, citations: answer.citations.map((citation) => ({ ...citation, quote: citation.quote.replace(/[äöü]/u, (umlaut) => `${{ ä: 'a', ö: 'o', ü: 'u' }[umlaut]}e`) })) },
    });
    const report = await runEval({ ingestion, answerer }, dataset, { bootstrap: { resamples: 100 } });
    expect(report.metrics.citationPrecision).toBeLessThan(1);
    const gates = parseGates(JSON.stringify({ min: { citationPrecision: 1 }, max: { errorRate: 0 } }), 'gates.json');
    const outcomes = checkGates(report.metrics, gates);
    expect(outcomes.find((outcome) => outcome.metric === 'citationPrecision')!.passed).toBe(false);
    expect(outcomes.find((outcome) => outcome.metric === 'errorRate')!.passed).toBe(true);
  });

  it('records an answerer error per case instead of aborting the run', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const { ingestion, answerer } = services({
      tamper: (answer, request) => {
        if (request.question.includes('Bearbeitung')) throw new Error('engine crashed');
        return answer;
      },
    });
    const report = await runEval({ ingestion, answerer }, dataset, { bootstrap: { resamples: 50 } });
    expect(report.metrics.errorRate).toBeCloseTo(1 / 5, 10);
    expect(report.cases.find((result) => result.id === 'bearbeitung')!.error).toBe('engine crashed');
  });

  it('checks citation pages against page spans it loads itself, only when the loaded text matches the stored text', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const { ingestion, answerer } = services({
      tamper: (answer) => ({ ...answer, citations: answer.citations.map((citation) => ({ ...citation, page: 1 })) }),
    });
    // bibliothek.txt as a "two-page" file whose second page starts at 'Montags'; everything cited from it is on page 1.
    const report = await runEval({ ingestion, answerer }, dataset, {
      bootstrap: { resamples: 10 },
      loadPages: async (input) => {
        const text = input.kind === 'file' ? new TextDecoder().decode(input.bytes) : '';
        const split = text.indexOf('Montags');
        return split < 0 ? { text } : { text, pages: [{ number: 1, charStart: 0, charEnd: split }, { number: 2, charStart: split, charEnd: text.length }] };
      },
    });
    expect(report.run.pagedDocuments).toBe(1);
    expect(report.metrics.pageAccuracy).toBe(1);
    const mismatched = await runEval({ ingestion, answerer }, dataset, {
      bootstrap: { resamples: 10 },
      loadPages: async () => ({ text: 'different text', pages: [{ number: 1, charStart: 0, charEnd: 14 }] }),
    });
    expect(mismatched.run.pagedDocuments).toBe(0);
    expect(mismatched.metrics.pageAccuracy).toBeNull();
  });

  it('hands url entries to ingestion as URLs and text entries as titled texts', async () => {
    const dataset = {
      name: 'urls',
      directory,
      corpus: [
        { id: 'seite', url: 'https://example.org/seite' },
        { id: 'notiz', title: 'Notiz', text: 'Der Schlüssel liegt unter der Matte.' },
      ],
      cases: [{ id: 'c', question: 'Wo liegt der Schlüssel?', answerable: true, goldDocumentIds: ['notiz'], goldAnswers: ['unter der Matte'] }],
    };
    const { ingestion, answerer } = services();
    const report = await runEval({ ingestion, answerer }, dataset, { bootstrap: { resamples: 10 } });
    const records = [...ingestion.documents.values()].map((document) => document.record);
    expect(records.map((record) => [record.sourceKind, record.url, record.title])).toEqual([
      ['url', 'https://example.org/seite', null],
      ['text', null, 'Notiz'],
    ]);
    expect(report.metrics.answerRecall).toBe(1);
  });

  it('honours --limit with a mix of answerable and unanswerable cases', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const report = await runEval(services(), dataset, { limit: 2, bootstrap: { resamples: 10 } });
    expect(report.dataset.selectedCases).toBe(2);
    expect(report.cases.map((result) => result.answerable).sort()).toEqual([false, true]);
  });

  it('--split runs only that split, --limit spreads within it, and minConfidence goes with every request', async () => {
    const dataset = await loadDataset(path.join(directory, 'split-set'));
    const { ingestion, answerer } = services({ estimateConfidence: true });
    const report = await runEval({ ingestion, answerer }, dataset, { split: 'test', limit: 2, minConfidence: 0.25, bootstrap: { resamples: 10 } });
    expect(report.run).toMatchObject({ split: 'test', limit: 2, minConfidence: 0.25 });
    expect(report.cases.map((result) => result.split)).toEqual(['test', 'test']);
    expect(report.cases.map((result) => result.answerable).sort()).toEqual([false, true]);
    expect(answerer.requests.map((request) => request.minConfidence)).toEqual([0.25, 0.25]);
    expect(Object.keys(report.metrics.bySplit)).toEqual(['test']);

    await expect(runEval(services(), await loadDataset(path.join(directory, 'set')), { split: 'tune' })).rejects.toThrow(/No case of the dataset is in split 'tune'/);
  });

  it('a threshold above every confidence declines every quote, and the analysis still sees them as candidates', async () => {
    const dataset = await loadDataset(path.join(directory, 'split-set'));
    const open = await runEval(services({ estimateConfidence: true }), dataset, { bootstrap: { resamples: 10 } });
    const closed = await runEval(services({ estimateConfidence: true }), dataset, { minConfidence: 1, bootstrap: { resamples: 10 } });
    // Without a threshold: three answerable cases answered right, the twin answered from a sibling
    // paragraph (wrong), the club question declined (no sentence shares two words).
    expect(open.metrics.answerPrecision).toBe(3 / 4);
    expect(open.metrics.confidenceAnalysis).toMatchObject({ scoredCases: 4, fromAnswers: 4, fromCandidates: 0, answerableCases: 3 });
    expect(closed.metrics.counts.answered).toBe(0);
    expect(closed.metrics.answerPrecision).toBeNull();
    expect(closed.cases.filter((result) => result.reason === 'below_threshold' && result.bestCandidate !== null)).toHaveLength(4);
    // The same quotes with the same confidences: the analysis does not depend on the threshold used.
    expect(closed.metrics.confidenceAnalysis).toMatchObject({ scoredCases: 4, fromAnswers: 0, fromCandidates: 4 });
    expect(closed.metrics.confidenceAnalysis.curve).toEqual(open.metrics.confidenceAnalysis.curve);
    expect(closed.metrics.expectedCalibrationError).toBe(open.metrics.expectedCalibrationError);
  });
});

describe('reports', () => {
  it('writes JSON that reads back, Markdown, and self-contained HTML with charts and highlighted quotes', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const report = await runEval(services(), dataset, { bootstrap: { resamples: 50 } });
    const files = await writeReport(path.join(directory, 'out'), report);
    const readBack = parseReport(await readFile(files.json, 'utf8'), files.json);
    expect(readBack.metrics.citationPrecision).toBe(1);

    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain('| Citation precision | 1.000 | 1.000–1.000 |');
    expect(markdown).toMatch(/## Failed cases \(1\)/);

    const html = await readFile(files.html, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    // The quote is marked inside its source, and the gold answer inside the quote.
    expect(html).toContain('<mark class="quote">Der Höchstbetrag des Zuschusses ist so hoch wie nie: </mark><mark class="quote gold">9.000 Euro</mark>');
  });

  it('shows answer precision per split, the threshold curve and the reliability diagram in every format', async () => {
    const dataset = await loadDataset(path.join(directory, 'split-set'));
    const report = await runEval(services({ estimateConfidence: true }), dataset, { bootstrap: { resamples: 50 } });
    const files = await writeReport(path.join(directory, 'out-split'), report);
    const readBack = parseReport(await readFile(files.json, 'utf8'), files.json);
    expect(readBack.metrics.bySplit.tune).toMatchObject({ cases: 2, answerPrecision: 0.5 });
    expect(readBack.metrics.bySplit.test).toMatchObject({ cases: 3, answerPrecision: 1 });
    expect(readBack.splitConfidence.test!.answerPrecision).toEqual({ low: 1, high: 1 });
    expect(readBack.metrics.confidenceAnalysis.reliability).toHaveLength(10);

    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain('| metric | all · 5 cases | tuned on (even articles) · 2 cases | held out (odd articles) · 3 cases |');
    expect(markdown).toMatch(/\| Answer precision \| 0\.750 \(.+\) \| 0\.500 \(.+\) \| 1\.000 \(1\.000–1\.000\) \|/);
    expect(markdown).toContain('## Confidence');
    expect(markdown).toMatch(/Expected calibration error \d\.\d{3} \(10 equal-width bins/);
    expect(markdown).toMatch(/Precision (first reaches|never reaches) 0\.95/);
    expect(markdown).toContain('| 0.9–1.0 |');

    const html = await readFile(files.html, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain('aria-label="Reliability diagram"');
    expect(html).toContain('aria-label="Precision and recall over the confidence threshold"');
    expect(html).toContain('held out (odd articles)');
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
  });

  it('compares two reports metric by metric and lists cases that started failing', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const before = await runEval(services(), dataset, { bootstrap: { resamples: 20 } });
    const after = await runEval(services({ minimumSharedWords: 99 }), dataset, { bootstrap: { resamples: 20 } });
    const comparison = compareReports(before, after);
    const falseRefusals = comparison.deltas.find((delta) => delta.metric === 'falseRefusalRate')!;
    expect(falseRefusals).toEqual({ metric: 'falseRefusalRate', before: 0, after: 1, delta: 1 });
    expect(comparison.newFailures.sort()).toEqual(['ausweis', 'bearbeitung', 'hoechstbetrag']);
    expect(comparison.fixed).toEqual(['hoechstbetrag/ohne-quelle']);
    expect(formatComparison(comparison, ['a', 'b'])).toMatch(/falseRefusalRate\s+0\.000\s+1\.000\s+\+1\.000/);
    // Answer precision sits among the compared rates: before, three right answers and the twin
    // answered from a sibling paragraph; after, nothing answered, so unmeasured.
    expect(comparison.deltas.find((delta) => delta.metric === 'answerPrecision')).toEqual({ metric: 'answerPrecision', before: 3 / 4, after: null, delta: null });
    // Without confidences or splits, the optional rows stay out.
    expect(comparison.deltas.some((delta) => delta.metric.startsWith('bySplit.') || delta.metric.startsWith('confidenceAnalysis.'))).toBe(false);
  });

  it('compares per split and the precision-target threshold when the reports have them', async () => {
    const dataset = await loadDataset(path.join(directory, 'split-set'));
    const before = await runEval(services({ estimateConfidence: true }), dataset, { bootstrap: { resamples: 20 } });
    const after = await runEval(services({ estimateConfidence: true, minimumSharedWords: 99 }), dataset, { bootstrap: { resamples: 20 } });
    const text = formatComparison(compareReports(before, after), ['a', 'b']);
    expect(text).toMatch(/bySplit\.test\.answerPrecision\s+1\.000\s+—\s+—/);
    expect(text).toMatch(/bySplit\.tune\.answerRecall\s+1\.000\s+0\.000\s+-1\.000/);
  });
});

describe('dataset validation', () => {
  it('names the file, line and field of every bad line', async () => {
    const bad = path.join(directory, 'bad');
    await writeDataset(bad, corpus.slice(0, 2), []);
    await writeFile(
      path.join(bad, 'cases.jsonl'),
      ['{"id":"a","question":"Frage?","answerable":true}', '{"id":"b","question":"","answerable":"ja"}', 'kein json'].join('\n'),
    );
    const error = await loadDataset(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidDatasetError);
    const message = (error as Error).message;
    expect(message).toContain('cases.jsonl:2: question: must not be empty');
    expect(message).toMatch(/cases\.jsonl:2: answerable: .*boolean/);
    expect(message).toMatch(/cases\.jsonl:3: not valid JSON/);
  });

  it('rejects cases that name documents the corpus lacks, and corpus files that do not exist', async () => {
    const dangling = path.join(directory, 'dangling');
    await writeDataset(dangling, [{ id: 'x', file: 'fehlt.pdf' }], [{ id: 'c', question: 'Frage?', answerable: true, goldDocumentIds: ['y'] }]);
    await expect(loadDataset(dangling)).rejects.toThrow(/goldDocumentIds names 'y', which is not in the corpus/);
    await writeDataset(dangling, [{ id: 'x', file: 'fehlt.pdf' }], [{ id: 'c', question: 'Frage?', answerable: true }]);
    await expect(loadDataset(dangling)).rejects.toThrow(/file 'fehlt\.pdf' does not exist/);
  });

  it('rejects a corpus line with both text and file', async () => {
    const both = path.join(directory, 'both');
    await writeDataset(both, [{ id: 'x', text: 'a', file: 'b.txt' }], [{ id: 'c', question: 'Frage?', answerable: false }]);
    await expect(loadDataset(both)).rejects.toThrow(/corpus\.jsonl:1: text: needs exactly one of 'text', 'file' or 'url' \(found 2\)/);
  });

  it('rejects gates that name unknown metrics, so a typo cannot switch a gate off', async () => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const report = await runEval(services(), dataset, { bootstrap: { resamples: 10 } });
    expect(() => checkGates(report.metrics, parseGates('{"min":{"citationPrecison":1}}', 'gates.json'))).toThrow(/citationPrecison: not a metric/);
    const latency = checkGates(report.metrics, parseGates('{"max":{"latency.totalMs.p95":5}}', 'gates.json'));
    expect(latency).toEqual([{ metric: 'latency.totalMs.p95', bound: 'max', limit: 5, value: 10, passed: false }]);
  });

  it('accepts answer precision, the calibration error and per-split rates as gates', async () => {
    const dataset = await loadDataset(path.join(directory, 'split-set'));
    const report = await runEval(services({ estimateConfidence: true }), dataset, { bootstrap: { resamples: 10 } });
    const outcomes = checkGates(
      report.metrics,
      parseGates('{"min":{"answerPrecision":0.8,"bySplit.test.answerPrecision":0.9},"max":{"expectedCalibrationError":1}}', 'gates.json'),
    );
    expect(outcomes).toEqual([
      { metric: 'answerPrecision', bound: 'min', limit: 0.8, value: 0.75, passed: false },
      { metric: 'bySplit.test.answerPrecision', bound: 'min', limit: 0.9, value: 1, passed: true },
      { metric: 'expectedCalibrationError', bound: 'max', limit: 1, value: report.metrics.expectedCalibrationError, passed: true },
    ]);
    // Without confidences the calibration error is unmeasured, which fails its gate.
    const unmeasured = await runEval(services(), dataset, { bootstrap: { resamples: 10 } });
    expect(checkGates(unmeasured.metrics, parseGates('{"max":{"expectedCalibrationError":0.1}}', 'gates.json'))).toEqual([
      { metric: 'expectedCalibrationError', bound: 'max', limit: 0.1, value: null, passed: false },
    ]);
  });

  it.each(['gates.json', 'gates-beleg-de-blind.json'])('the shipped eval/%s names only real metrics and requires verbatim citations', async (file) => {
    const dataset = await loadDataset(path.join(directory, 'set'));
    const report = await runEval(services(), dataset, { bootstrap: { resamples: 10 } });
    const gates = parseGates(await readFile(path.resolve(import.meta.dirname, '..', 'eval', file), 'utf8'), `eval/${file}`);
    expect(gates.min.citationPrecision).toBe(1);
    const outcomes = checkGates(report.metrics, gates);
    // The fake's corpus has one broken file, which the ingestion-failure gate must catch.
    expect(outcomes.find((outcome) => outcome.metric === 'counts.ingestionFailures')).toMatchObject({ value: 1, passed: false });
  });
});
