/**
 * Writes the OCR fixtures in tests/fixtures/ocr/ from the text PDF in its sources/ folder
 * (LibreOffice, see sources/make-ocr-sources.py): the pages as a scanner would deliver them, and
 * the text each page should give, as beleg's PDF loader extracts it from the text layer.
 *
 *   npx tsx bench/ingest/make-ocr-fixtures.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPdf } from '../../src/ingest/loaders/load-pdf.ts';
import { imagePdf, scanPdf } from './simulate-scan.ts';

const FOLDER = fileURLToPath(new URL('../../tests/fixtures/ocr/', import.meta.url));
const source = readFileSync(`${FOLDER}sources/wohngeld-bescheid.pdf`);

// The truth: each page's text from the text layer.
const truth = await loadPdf(new Uint8Array(source), { ocr: { mode: 'off', pageTimeoutMs: 0, maxPages: 0 } });
const pages = (truth.pages ?? []).map((span) => truth.text.slice(span.charStart, span.charEnd).trim());
writeFileSync(`${FOLDER}wohngeld-bescheid.truth.json`, `${JSON.stringify({ source: 'sources/wohngeld-bescheid.pdf', pages }, null, 2)}\n`);

// A clean black-and-white scan of all three pages at 300 dpi.
const clean = await scanPdf(source, { bilevel: true });
writeFileSync(`${FOLDER}wohngeld-bescheid-scan.pdf`, await imagePdf(clean));
writeFileSync(`${FOLDER}wohngeld-seite-1.png`, clean[0]!.png);

// Page 3's upper part as a grey JPEG at 200 dpi, as a phone or a colour scanner would deliver it.
const [photo] = await scanPdf(source, { quality: 60, dpi: 200, keepTopShare: 0.42, seed: 3 }, [3]);
writeFileSync(`${FOLDER}wohngeld-seite-3-oben.jpg`, photo!.jpeg);

// Page 2 turned by 1.5°, with noise and specks, black and white: a cheap office scanner.
const [skewed] = await scanPdf(source, { bilevel: true, rotateDegrees: 1.5, noise: 30, specks: 80, seed: 2 }, [2]);
writeFileSync(`${FOLDER}wohngeld-seite-2-schief.png`, skewed!.png);

console.log('written to', FOLDER);
