/**
 * PDF text extraction + chunking throughput, single thread (one core): the 51-page LibreOffice
 * fixture and a 120-page pdf-lib PDF written here. Reports pages/s and chunks/s by wall clock and
 * by CPU time of this process (the honest number on a shared machine). Target: >= 50 pages/s per
 * core for extraction + chunking.
 *
 *   npx tsx bench/ingest/pdf-throughput.ts [runs]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { LlamaTokenizer } from '../../src/engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from '../../src/ingest/chunk-document.ts';
import { loadDocument, type LoadOptions } from '../../src/ingest/load-document.ts';
import { makeTextPdf, type TestPdfPage } from '../../tests/helpers/make-pdf.ts';

const RUNS = Number(process.argv[2] ?? 5);
const RESULTS_FILE = fileURLToPath(new URL('../results/ingest-pdf.json', import.meta.url));
const options: LoadOptions = { maxBytes: 100 * 1024 * 1024, fetchTimeoutMs: 1000, maxRedirects: 0, urlAllowList: [] };
const tokenizer = LlamaTokenizer.fromDirectory();

type Measurement = {
  name: string;
  bytes: number;
  pages: number;
  characters: number;
  chunks: number;
  runs: number;
  extractMs: number;
  chunkMs: number;
  pagesPerSecond: number;
  pagesPerCpuSecond: number;
  chunksPerSecond: number;
};

/** A German report of `pageCount` pages, 6 paragraphs of 4 lines each, header and page numbers. */
function syntheticPages(pageCount: number): TestPdfPage[] {
  const words = 'Die Verwaltung der Stadt prüfte im Jahr 1998 den Ausbau der Straßenbahn über die Brücken am Rhein und plante neue Haltestellen für Fußgänger'.split(' ');
  return Array.from({ length: pageCount }, (_, pageIndex) => ({
    paragraphs: Array.from({ length: 6 }, (_, paragraphIndex) =>
      Array.from({ length: 4 }, (_, lineIndex) => {
        const offset = (pageIndex * 7 + paragraphIndex * 3 + lineIndex) % words.length;
        const line = [...words.slice(offset), ...words.slice(0, offset)].slice(0, 11).join(' ');
        return lineIndex === 3 ? `${line}.` : line;
      }),
    ),
  }));
}

async function measure(name: string, bytes: Uint8Array): Promise<Measurement> {
  await loadDocument({ kind: 'file', fileName: `${name}.pdf`, bytes }, options); // warm-up (pdf.js, fonts, JIT)
  let extractMs = 0;
  let chunkMs = 0;
  let cpuMicros = 0;
  let pages = 0;
  let characters = 0;
  let chunks = 0;
  for (let run = 0; run < RUNS; run++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const document = await loadDocument({ kind: 'file', fileName: `${name}.pdf`, bytes }, options);
    const extracted = performance.now();
    const drafts = chunkDocument(document, tokenizer);
    const finished = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    extractMs += extracted - started;
    chunkMs += finished - extracted;
    cpuMicros += cpu.user + cpu.system;
    pages = document.pages?.length ?? 0;
    characters = document.text.length;
    chunks = drafts.length;
  }
  const perRunMs = (extractMs + chunkMs) / RUNS;
  return {
    name,
    bytes: bytes.length,
    pages,
    characters,
    chunks,
    runs: RUNS,
    extractMs: round(extractMs / RUNS),
    chunkMs: round(chunkMs / RUNS),
    pagesPerSecond: round((pages * 1000) / perRunMs),
    pagesPerCpuSecond: round((pages * RUNS * 1_000_000) / cpuMicros),
    chunksPerSecond: round((chunks * 1000) / perRunMs),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const libreOffice = new Uint8Array(readFileSync(new URL('../../tests/fixtures/documents/stadtbericht-libreoffice.pdf', import.meta.url)));
const pdfLib = await makeTextPdf({ header: 'Jahresbericht der Stadtverwaltung', pageNumbers: true, pages: syntheticPages(120) });
const results = [await measure('stadtbericht-libreoffice (51 pages)', libreOffice), await measure('pdf-lib report (120 pages)', pdfLib)];

const header = ['document', 'pages', 'chunks', 'extract ms', 'chunk ms', 'pages/s', 'pages/cpu-s', 'chunks/s'];
const rows = results.map((result) => [result.name, result.pages, result.chunks, result.extractMs, result.chunkMs, result.pagesPerSecond, result.pagesPerCpuSecond, result.chunksPerSecond]);
const cells = [header, ...rows.map((row) => row.map(String))];
const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
for (const row of cells) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
const slowest = Math.min(...results.map((result) => result.pagesPerCpuSecond));
console.log(`\nslowest: ${slowest} pages per CPU-second (target >= 50 per core): ${slowest >= 50 ? 'met' : 'NOT met'}`);

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  RESULTS_FILE,
  `${JSON.stringify(
    {
      benchmark: 'pdf-throughput',
      description: 'PDF text extraction (unpdf/pdf.js) + sentence chunking (Llama-2 tokenizer, 384 tokens), one thread',
      targetPagesPerCoreSecond: 50,
      results,
      measuredAt: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${RESULTS_FILE}`);
