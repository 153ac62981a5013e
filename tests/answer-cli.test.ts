/**
 * `beleg ask` end to end on real storage: a document is ingested into a temporary data directory,
 * then asked about; the JSON answer's citation must slice the stored text exactly. Then with a
 * fake answerer of chosen confidences: the confidence in words and number, a declined answer's
 * reason and "Mögliche Fundstellen", `--min-confidence`. The CLI speaks the locale's language:
 * these tests read its German (LANG=de_DE.UTF-8), and check the English once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerSchema } from '../src/answer/answer-contract.ts';
import { openAppContext } from '../src/app-context.ts';
import { run, type AskDependencies } from '../src/cli/commands/ask.ts';
import { loadConfig } from '../src/config.ts';
import { FakeAnswerer } from './helpers/fake-answerer.ts';
import { FakeIngestion } from './helpers/fake-ingestion.ts';

const TEXT = 'Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang.\n\nDie Donau fließt durch Wien. Sie mündet ins Schwarze Meer.\n';

beforeEach(() => {
  vi.stubEnv('LANG', 'de_DE.UTF-8');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('beleg ask', () => {
  let dataDir: string;
  let documentId: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'beleg-ask-'));
    const context = await openAppContext(loadConfig({}, { dataDir }));
    try {
      const record = await context.ingestion.ingest({ kind: 'text', fileName: 'fluesse.txt', text: TEXT });
      expect(record.status).toBe('ready');
      documentId = record.id;
    } finally {
      await context.close();
    }
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function ask(args: string[]): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void lines.push(values.join(' ')));
    try {
      const code = await run([...args, '--data-dir', dataDir]);
      return { code, output: lines.join('\n') };
    } finally {
      log.mockRestore();
    }
  }

  it('answers with a verified quote whose offsets slice the stored text', async () => {
    const { code, output } = await ask(['Wie lang ist der Rhein?', '--json', '--engine', 'extractive', '--min-confidence', '0']);
    expect(code).toBe(0);
    const answer = answerSchema.parse(JSON.parse(output));
    expect(answer.declined).toBe(false);
    expect(answer.answer).toContain('1233 Kilometer');
    const [citation] = answer.citations;
    expect(citation!.documentId).toBe(documentId);
    expect(TEXT.slice(citation!.charStart, citation!.charEnd)).toBe(citation!.quote);
  }, 60_000);

  it('prints the answer with how sure it is, in words and number', async () => {
    const { code, output } = await ask(['Wie lang ist der Rhein?', '--engine', 'extractive', '--min-confidence', '0']);
    expect(code).toBe(0);
    const lines = output.split('\n');
    expect(lines[0]).toContain('Er ist 1233 Kilometer lang.');
    expect(lines[1]).toMatch(/^Sicherheit: (sicher|wahrscheinlich|unsicher) \(\d{1,3} %\)$/);
    expect(lines[2]).toMatch(/^\[1\] fluesse\.txt \(Dokument /);
  }, 60_000);

  it('declines a question the documents do not answer', async () => {
    const { code, output } = await ask(['Wer erfand den Buchdruck?', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(output)).toMatchObject({ declined: true, citations: [] });
  }, 60_000);

  it('rejects a missing question and an unknown engine', async () => {
    await expect(ask([])).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(ask(['Frage?', '--engine', 'gpt4'])).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('beleg ask: confidence and possible passages', () => {
  const text = 'Die Bibliothek öffnet um neun Uhr. Ausleihen sind vier Wochen lang möglich. Verlängern kann man zweimal.';
  const question = 'Wie lange sind Ausleihen möglich?';
  let ingestion: FakeIngestion;
  let answerer: FakeAnswerer;

  beforeAll(async () => {
    ingestion = new FakeIngestion();
    await ingestion.ingest({ kind: 'text', title: 'Benutzungsordnung', text });
  });
  afterEach(() => vi.unstubAllEnvs());

  /** Runs `beleg ask` on a fake answerer that judges its quote with `confidence`. */
  async function ask(args: string[], confidence: number | null): Promise<{ code: number; output: string }> {
    const dependencies: AskDependencies = {
      openAnswerer: async (config) => {
        answerer = new FakeAnswerer(ingestion, { minConfidence: config.minConfidence });
        answerer.judgeWith({ confidence });
        return { answerer, close: async () => {} };
      },
    };
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => void lines.push(values.join(' ')));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const code = await run(args, dependencies);
      return { code, output: lines.join('\n') };
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
  }

  it('calls an answer sure from 0.9, likely from the server threshold, unsure below it', async () => {
    vi.stubEnv('BELEG_MIN_CONFIDENCE', '0.5');
    const sure = await ask([question], 0.93);
    expect(sure.output.split('\n').slice(0, 2)).toEqual(['Ausleihen sind vier Wochen lang möglich.', 'Sicherheit: sicher (93 %)']);
    expect((await ask([question], 0.7)).output).toContain('Sicherheit: wahrscheinlich (70 %)');
    // A request may lower the threshold; what it lets through stays "unsicher".
    const lowered = await ask([question, '--min-confidence', '0.2'], 0.3);
    expect(answerer.requests[0]!.minConfidence).toBe(0.2);
    expect(lowered.output.split('\n').slice(0, 2)).toEqual(['Ausleihen sind vier Wochen lang möglich.', 'Sicherheit: unsicher (30 %)']);
    expect((await ask([question], null)).output).toContain('Sicherheit: nicht geschätzt');
  });

  it('prints a declined answer with its reason and the candidates to read', async () => {
    vi.stubEnv('BELEG_MIN_CONFIDENCE', '0.5');
    const { code, output } = await ask([question], 0.3);
    expect(code).toBe(0);
    const start = text.indexOf('Ausleihen');
    expect(output.split('\n').slice(0, 7)).toEqual([
      'Mit den gegebenen Informationen ist diese Frage nicht zu beantworten.',
      'Abgelehnt: Keine Stelle passt sicher genug zur Frage. [below_threshold]',
      '',
      'Mögliche Fundstellen:',
      'Keine sichere Antwort. Diese Stellen könnten passen – bitte selbst prüfen.',
      `[1] Benutzungsordnung (Dokument doc-1, Zeichen ${start}–${start + 40}), geschätzt 30 %`,
      '    „Ausleihen sind vier Wochen lang möglich.“',
    ]);
    expect(output).not.toContain('Sicherheit:');
  });

  it('prints the same answer in English under an English locale', async () => {
    vi.stubEnv('BELEG_MIN_CONFIDENCE', '0.5');
    vi.stubEnv('LANG', 'en_US.UTF-8');
    const declined = (await ask([question], 0.3)).output.split('\n');
    expect(declined.slice(1, 5)).toEqual([
      'Declined: No passage fits the question surely enough. [below_threshold]',
      '',
      'Possible passages:',
      'No sure answer. These passages might fit – please check them yourself.',
    ]);
    expect(declined[5]).toMatch(/^\[1\] Benutzungsordnung \(document doc-1, characters \d+–\d+\), estimated 30 %$/);
    expect((await ask([question], 0.93)).output.split('\n')[1]).toBe('Confidence: sure (93 %)');
  });

  it('passes --min-confidence to the answerer, and --json carries confidence and candidates', async () => {
    const { output } = await ask([question, '--json', '--min-confidence', '0.9'], 0.8);
    expect(answerer.requests[0]!.minConfidence).toBe(0.9);
    const answer = answerSchema.parse(JSON.parse(output));
    expect(answer).toMatchObject({ declined: true, reason: 'below_threshold', confidence: 0.8 });
    expect(answer.candidates.map((candidate) => [candidate.quote, candidate.confidence])).toEqual([['Ausleihen sind vier Wochen lang möglich.', 0.8]]);
  });

  it('streams a decline and then lists the candidates', async () => {
    vi.stubEnv('BELEG_MIN_CONFIDENCE', '0.5');
    const { output } = await ask([question, '--stream'], 0.3);
    expect(output).toContain('Abgelehnt: Keine Stelle passt sicher genug zur Frage. [below_threshold]');
    expect(output).toContain('Mögliche Fundstellen:');
    expect(output).toContain('„Ausleihen sind vier Wochen lang möglich.“');
  });

  it('rejects a --min-confidence outside 0..1, naming the flag', async () => {
    for (const value of ['1.5', '-0.1', 'hoch', '']) {
      await expect(ask([question, `--min-confidence=${value}`], 0.8)).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('--min-confidence'),
      });
    }
  });
});
