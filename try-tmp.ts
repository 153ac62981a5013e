import { readFileSync } from 'node:fs';
import { loadImage } from './src/ingest/loaders/load-image.ts';
const png = new Uint8Array(readFileSync('tests/fixtures/ocr/wohngeld-seite-1.png'));
png.fill(0x5a, 64, png.length - 12);
try { await loadImage(png); } catch (e) { console.log('caught', e); }
console.log('alive');
