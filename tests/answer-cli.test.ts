/**
 * `beleg ask` end to end on real storage: a document is ingested into a temporary data directory,
 * then asked about; the JSON answer's citation must slice the stored text exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerSchema } from '../src/answer/answer-contract.ts';
import { openAppContext } from '../src/app-context.ts';
import { run } from '../src/cli/commands/ask.ts';
import { loadConfig } from '../src/config.ts';

const TEXT = 'Der Rhein ist ein Strom in Mitteleuropa. Er ist 1233 Kilometer lang.\n\nDie Donau fließt durch Wien. Sie mündet ins Schwarze Meer.\n';

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
    const { code, output } = await ask(['Wie lang ist der Rhein?', '--json', '--engine', 'extractive']);
    expect(code).toBe(0);
    const answer = answerSchema.parse(JSON.parse(output));
    expect(answer.declined).toBe(false);
    expect(answer.answer).toContain('1233 Kilometer');
    const [citation] = answer.citations;
    expect(citation!.documentId).toBe(documentId);
    expect(TEXT.slice(citation!.charStart, citation!.charEnd)).toBe(citation!.quote);
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
