import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

afterAll(removeTemporaryDirectories);

const BIN = fileURLToPath(new URL('../bin/beleg.js', import.meta.url));

async function beleg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, BELEG_DATA_DIR: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('beleg ingest, docs, rm', () => {
  it('ingests several files, reports each failure, continues, and lists and removes documents', async () => {
    const directory = temporaryDirectory();
    const dataDir = path.join(directory, 'data');
    const files = {
      good: path.join(directory, 'haus.txt'),
      markdown: path.join(directory, 'bahn.md'),
      empty: path.join(directory, 'leer.txt'),
    };
    writeFileSync(files.good, 'Das Haus am Markt ist alt. Es wurde 1882 gebaut.\n');
    writeFileSync(files.markdown, '# Verkehr\n\nDie Straßenbahn fährt alle zehn Minuten.\n');
    writeFileSync(files.empty, '');
    const missing = path.join(directory, 'fehlt.pdf');

    const ingest = await beleg(['ingest', files.good, files.empty, missing, files.markdown, '--data-dir', dataDir]);
    expect(ingest.code).toBe(1);
    expect(ingest.stdout).toMatch(/failed .*\[empty_document\].*leer\.txt/);
    expect(ingest.stdout).toMatch(/failed .*fehlt\.pdf.*\[file_unreadable\]/);
    expect(ingest.stdout).toContain('2 of 4 ingested, 2 failed.');

    const listed = await beleg(['docs', '--json', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    const { documents, total } = JSON.parse(listed.stdout) as { documents: { id: string; status: string; fileName: string }[]; total: number };
    expect(total).toBe(3);
    expect(documents.map((document) => `${document.fileName}:${document.status}`).sort()).toEqual(['bahn.md:ready', 'haus.txt:ready', 'leer.txt:failed']);

    const table = await beleg(['docs', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/^id\s+status\s+chunks/);

    const haus = documents.find((document) => document.fileName === 'haus.txt')!;
    const removed = await beleg(['rm', haus.id, '--data-dir', dataDir]);
    expect(removed).toMatchObject({ code: 0, stdout: `removed ${haus.id}\n` });
    const missingRemove = await beleg(['rm', haus.id, '--data-dir', dataDir]);
    expect(missingRemove.code).toBe(1);
    expect(missingRemove.stderr).toContain('[not_found]');

    const after = JSON.parse((await beleg(['docs', '--json', '--status', 'ready', '--data-dir', dataDir])).stdout) as { total: number };
    expect(after.total).toBe(1);
  });

  it('prints every result on a terminal too, beside the progress bar', async () => {
    const directory = temporaryDirectory();
    const good = path.join(directory, 'haus.txt');
    writeFileSync(good, 'Das Haus am Markt ist alt. Es wurde 1882 gebaut.\n');
    const missing = path.join(directory, 'fehlt.pdf');
    const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
    const command = [process.execPath, BIN, 'ingest', good, missing, '--data-dir', path.join(directory, 'data')].map(quote).join(' ');
    // script(1) runs the command on a pseudo-terminal: stdout and stderr are a TTY, as in a shell.
    const result = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...process.env, BELEG_DATA_DIR: '' } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ok +\S+ +1 chunks +.*haus\.txt/);
    expect(result.stdout).toMatch(/failed +.*fehlt\.pdf +\[file_unreadable\]/);
    expect(result.stdout).toContain('2/2 documents');
    expect(result.stdout).toContain('1 of 2 ingested, 1 failed.');
  }, 60_000);

  it('ends quietly when its output is closed early (beleg docs | head)', async () => {
    const dataDir = path.join(temporaryDirectory(), 'data');
    const child = spawn(process.execPath, [BIN, 'docs', '--data-dir', dataDir], { env: { ...process.env, BELEG_DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before beleg writes anything: every write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
