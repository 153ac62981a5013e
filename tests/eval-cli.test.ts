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

  it('explains bad arguments instead of failing obscurely', async () => {
    expect((await cli('--compare', 'only-one.json')).output).toContain('--compare needs exactly two report.json files');
    const missing = await cli(path.join(directory, 'does-not-exist'));
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/invalid_dataset.*Cannot read the dataset folder/);
    expect((await cli(path.join(directory, 'rhein'), '--engine', 'gpt5')).output).toContain('--engine must be one of extractive, gptq, tgi, openai');
    expect((await cli(path.join(directory, 'rhein'), '--limit', 'zehn')).output).toContain("--limit must be a whole number of at least 1, not 'zehn'");
    const notReport = path.join(directory, 'not-a-report.json');
    await writeFile(notReport, '{"hello": 1}');
    expect((await cli('--compare', notReport, notReport)).output).toMatch(/is not a beleg evaluation report/);
  });
});
