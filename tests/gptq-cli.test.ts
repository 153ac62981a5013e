/** `beleg generate` end to end on the fixture checkpoint, as a user runs it. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const reference = JSON.parse(readFileSync(path.join(FIXTURE, 'reference.json'), 'utf8'));
const dataDir = mkdtempSync(path.join(tmpdir(), 'beleg-gptq-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const beleg = (args: string[]) => run(process.execPath, ['bin/beleg.js', 'generate', '--data-dir', dataDir, '--threads', '1', ...args], { timeout: 60_000 });

describe('beleg generate', () => {
  it('prints prompt tokens, greedy tokens and text as JSON', async () => {
    const short = reference.prompts.find((prompt: { name: string }) => prompt.name === 'short_5');
    const { stdout } = await beleg(['--model', FIXTURE, '--greedy', '--max-new-tokens', '24', '--json', short.text]);
    const output = JSON.parse(stdout);
    expect(output.promptTokens).toEqual(short.input_ids);
    expect(output.tokens).toEqual(short.greedy.new_tokens);
    expect(typeof output.text).toBe('string');
    expect(output.text.length).toBeGreaterThan(0);
  });

  it('starts from --prompt-ids', async () => {
    const short = reference.prompts.find((prompt: { name: string }) => prompt.name === 'short_5');
    const { stdout } = await beleg(['--model', FIXTURE, '--greedy', '--max-new-tokens', '3', '--json', '--prompt-ids', short.input_ids.join(',')]);
    expect(JSON.parse(stdout).tokens).toEqual(short.greedy.new_tokens.slice(0, 3));
  });

  it('runs the fast (int8 activation) conversion with --fast, next to the exact one', async () => {
    const short = reference.prompts.find((prompt: { name: string }) => prompt.name === 'short_5');
    const converted = path.join(dataDir, 'models', 'converted');
    await beleg(['--model', FIXTURE, '--greedy', '--max-new-tokens', '2', '--json', '--prompt-ids', short.input_ids.join(',')]);
    const exactOnly = readdirSync(converted).length;
    const { stdout } = await beleg(['--model', FIXTURE, '--fast', '--greedy', '--max-new-tokens', '6', '--json', '--prompt-ids', short.input_ids.join(',')]);
    expect(readdirSync(converted).length).toBe(exactOnly + 1);
    const tokens = JSON.parse(stdout).tokens as number[];
    expect(tokens).toHaveLength(6);
    // int8 activations move logits by up to ~5e-2: the first token of this prompt has a clear margin.
    expect(tokens[0]).toBe(short.greedy.new_tokens[0]);
  });

  it('explains a bad flag', async () => {
    await expect(beleg(['--model', FIXTURE, '--prompt-ids', '1,x'])).rejects.toMatchObject({ stderr: expect.stringContaining('--prompt-ids must be') });
  });
});
