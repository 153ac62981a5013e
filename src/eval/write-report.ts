/** Writes report.json, report.md and report.html for a run into one folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvalReport } from './report.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';

/** Writes the three report files into `directory` (created if needed) and returns their paths. */
export async function writeReport(directory: string, report: EvalReport): Promise<{ json: string; markdown: string; html: string }> {
  await mkdir(directory, { recursive: true });
  const files = {
    json: path.join(directory, 'report.json'),
    markdown: path.join(directory, 'report.md'),
    html: path.join(directory, 'report.html'),
  };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.markdown, renderMarkdown(report));
  await writeFile(files.html, renderHtml(report));
  return files;
}
