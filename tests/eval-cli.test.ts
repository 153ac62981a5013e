/**
 * `beleg eval` as a user runs it: a small dataset through the real stack (ingestion, LanceDB
 * search, extractive engine), converting SQuAD JSON, comparing two reports, gating (exit code),
 * and clear errors for bad arguments. Reports to compare come from the runner with fakes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { InMemoryIngestion, SentenceQuotingAnswerer } from '../src/eval/fakes.ts';
import { loadDataset, writeDataset } from '../src/eval/load-dataset.ts';
import { runEval } from '../src/eval/run-eval.ts';
import type { EvalReport } from '../src/eval/report.ts';
import { writeReport } from '../src/eval/write-report.ts';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'beleg-eval-cli-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI and returns its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const code = await main(['eval', ...args]);
  vi.restoreAllMocks();
  return { code, output: lines.join('\n') };
}

describe('beleg eval', () => {
  it('--from-squad writes a dataset that loads, with unanswerable twins', async () => {
    const squad = {
      data: [{ title: 'Rhein', paragraphs: [{ context: 'Der Rhein ist 1233 Kilometer lang.', qas: [{ id: 'r1', question: 'Wie lang ist der Rhein?', answers: [{ text: '1233 Kilometer', answer_start: 14 }] }] }] }],
    };
    await writeFile(path.join(directory, 'squad.json'), JSON.stringify(squad));
    const { code, output } = await cli('--from-squad', path.join(directory, 'squad.json'), '--out', path.join(directory, 'rhein'));
    expect(code).toBe(0);
    expect(output).toContain('Wrote 1 documents and 2 cases');
    const dataset = await loadDataset(path.join(directory, 'rhein'));
    expect(dataset.cases.map((evalCase) => evalCase.answerable)).toEqual([true, false]);
    expect(dataset.cases.map((evalCase) => evalCase.split)).toEqual(['tune', 'tune']);
  });

  it('--compare prints deltas and --gate turns a failed gate into exit code 1', async () => {
    const dataset = await loadDataset(path.join(directory, 'rhein'));
    const reports: string[] = [];
    for (const minimumSharedWords of [1, 99]) {
      const ingestion = new InMemoryIngestion();
      const report = await runEval({ ingestion, answerer: new SentenceQuotingAnswerer(ingestion, { minimumSharedWords }) }, dataset, { bootstrap: { resamples: 20 } });
      reports.push((await writeReport(path.join(directory, `run-${minimumSharedWords}`), report)).json);
    }
    const gates = path.join(directory, 'gates.json');
    await writeFile(gates, JSON.stringify({ max: { falseRefusalRate: 0.5 } }));

    const passing = await cli('--compare', reports[1]!, reports[0]!, '--gate', gates);
    expect(passing.output).toMatch(/falseRefusalRate\s+1\.000\s+0\.000\s+-1\.000/);
    expect(passing.output).toContain('All 1 gates pass.');
    expect(passing.code).toBe(0);

    const failing = await cli('--compare', reports[0]!, reports[1]!, '--gate', gates);
    expect(failing.output).toContain('FAIL  falseRefusalRate = 1.000 (gate ≤ 0.5)');
    expect(failing.output).toMatch(/newly failing cases: 1 \(r1\)/);
    expect(failing.code).toBe(1);
  });

  it('runs a dataset through the real ingestion, search and extractive engine, writes reports and gates them', async () => {
    const set = path.join(directory, 'echt');
    await writeFile(path.join(directory, 'gates-strict.json'), JSON.stringify({ min: { citationPrecision: 1, answerRecall: 1 }, max: { errorRate: 0 } }));
    await writeDataset(
      set,
      [
        { id: 'rhein', title: 'Der Rhein', text: 'Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang und mündet in die Nordsee.' },
        { id: 'donau', title: 'Die Donau', text: 'Die Donau fließt durch zehn Länder. Sie mündet in das Schwarze Meer.' },
      ],
      [
        { id: 'laenge', question: 'Wie lang ist der Rhein?', goldDocumentIds: ['rhein'], goldAnswers: ['1233 Kilometer'], answerable: true },
        { id: 'laenge/ohne-quelle', question: 'Wie lang ist der Rhein?', answerable: false, excludeDocumentIds: ['rhein'] },
      ],
    );
    const out = path.join(directory, 'echt-report');
    const args = [set, '--engine', 'extractive', '--data-dir', path.join(directory, 'echt-data'), '--out', out, '--resamples', '50'];
    const { code, output } = await cli(...args, '--gate', path.join(directory, 'gates-strict.json'));
    expect(output).toContain('pass  citationPrecision = 1.000');
    expect(output).toContain('pass  answerRecall = 1.000');
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.run.engine).toBe('extractive');
    expect(report.cases.find((result: { id: string }) => result.id === 'laenge').citations[0].quote).toContain('1233 Kilometer');
    await expect(readFile(path.join(out, 'report.html'), 'utf8')).resolves.toContain('<mark class="quote gold">1233 Kilometer</mark>');
  });

  it('--split runs one split and --min-confidence goes with every question', async () => {
    const set = path.join(directory, 'geteilt');
    await writeDataset(
      set,
      [
        { id: 'rhein', title: 'Der Rhein', text: 'Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang und mündet in die Nordsee.' },
        { id: 'donau', title: 'Die Donau', text: 'Die Donau fließt durch zehn Länder. Sie mündet in das Schwarze Meer.' },
        { id: 'donau-2', title: 'Die Donau (2)', text: 'Die Donau fließt durch Wien. Ihr Wasser ist im Sommer warm.' },
      ],
      [
        { id: 'laenge', question: 'Wie lang ist der Rhein?', goldDocumentIds: ['rhein'], goldAnswers: ['1233 Kilometer'], answerable: true, split: 'tune' },
        { id: 'laender', question: 'Durch wie viele Länder fließt die Donau?', goldDocumentIds: ['donau'], goldAnswers: ['zehn'], answerable: true, split: 'test' },
        { id: 'laender/ohne-quelle', question: 'Durch wie viele Länder fließt die Donau?', answerable: false, excludeDocumentIds: ['donau'], split: 'test' },
        { id: 'winter', question: 'Wie warm ist das Wasser der Donau im Winter?', answerable: false, split: 'test' },
      ],
    );
    const out = path.join(directory, 'geteilt-report');
    const { code, output } = await cli(set, '--engine', 'extractive', '--split', 'test', '--min-confidence', '0.9', '--data-dir', path.join(directory, 'echt-data'), '--out', out, '--resamples', '20');
    expect(code).toBe(0);
    expect(output).toMatch(/held out \(odd articles\), 3 cases: answer precision/);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.run).toMatchObject({ split: 'test', minConfidence: 0.9 });
    expect(report.cases.map((result) => result.id).sort()).toEqual(['laender', 'laender/ohne-quelle', 'winter']);
    // The service held every answer to the threshold sent with the questions: the summer sentence
    // does not answer the winter question (the extractive engine presents it at its own
    // threshold) and is declined, kept as a candidate below 0.9.
    for (const result of report.cases.filter((candidate) => !candidate.declined)) expect(result.confidence ?? 1).toBeGreaterThanOrEqual(0.9);
    const winter = report.cases.find((result) => result.id === 'winter')!;
    expect(winter.declined).toBe(true);
    if (winter.reason === 'below_threshold') expect(winter.bestCandidate!.confidence).toBeLessThan(0.9);
    await expect(readFile(path.join(out, 'report.md'), 'utf8')).resolves.toContain('Only the cases held out (odd articles) were run (--split test).');
  });

  it('explains bad arguments instead of failing obscurely', async () => {
    expect((await cli('--compare', 'only-one.json')).output).toContain('--compare needs exactly two report.json files');
    const missing = await cli(path.join(directory, 'does-not-exist'));
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/invalid_dataset.*Cannot read the dataset folder/);
    expect((await cli(path.join(directory, 'rhein'), '--engine', 'gpt5')).output).toContain('--engine must be one of extractive, gptq, tgi, openai');
    expect((await cli(path.join(directory, 'rhein'), '--limit', 'zehn')).output).toContain("--limit must be a whole number of at least 1, not 'zehn'");
    expect((await cli(path.join(directory, 'rhein'), '--split', 'train')).output).toContain("--split must be one of tune, test, not 'train'");
    expect((await cli(path.join(directory, 'rhein'), '--min-confidence', '1.5')).output).toContain("--min-confidence must be a number from 0 to 1, not '1.5'");
    // The converted one-article set has only the tuning half.
    const noTest = await cli(path.join(directory, 'rhein'), '--split', 'test');
    expect(noTest.code).toBe(1);
    expect(noTest.output).toContain("No case of the dataset is in split 'test'");
    const notReport = path.join(directory, 'not-a-report.json');
    await writeFile(notReport, '{"hello": 1}');
    expect((await cli('--compare', notReport, notReport)).output).toMatch(/is not a beleg evaluation report/);
  });
});
