/**
 * What the async repository contract costs the embedded default: documents per second through the
 * whole ingestion pipeline (IngestionService, SQLite, LanceDB) for N small documents submitted at
 * once, with the metadata in SQLite or (`--postgres`) in a throwaway PostgreSQL started for the
 * run (tests/helpers/start-postgres.ts; fsync off there, so it measures beleg's side, not a disk).
 * Run it from two checkouts (before and after a change) alternately; it prints one JSON line per run.
 *
 *   npx tsx bench/ingest/metadata-overhead.ts [documents, default 1000] [--postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAppContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config.ts';
import { startPostgres } from '../../tests/helpers/start-postgres.ts';

const count = Number(process.argv.slice(2).find((argument) => !argument.startsWith('--')) ?? 1000);
const postgres = process.argv.includes('--postgres') ? await startPostgres() : null;
const CITIES = ['Köln', 'Hamburg', 'Leipzig', 'Dresden', 'Bremen', 'Erfurt', 'Kiel', 'Mainz'];

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'beleg-bench-metadata-'));
try {
  const databaseUrl = postgres ? await postgres.createDatabase() : undefined;
  const context = await openAppContext(
    loadConfig({ BELEG_DATA_DIR: dataDir, BELEG_INGEST_QUEUE_SIZE: String(count + 1), ...(databaseUrl ? { BELEG_DATABASE_URL: databaseUrl } : {}) }),
  );
  const started = performance.now();
  const submitted = [];
  for (let index = 0; index < count; index += 1) {
    const city = CITIES[index % CITIES.length]!;
    submitted.push(await context.ingestion.submit({ kind: 'text', text: `Bericht ${index}: In ${city} wurden ${index * 7} Häuser gebaut. Die Straßenbahn fährt seit ${1880 + (index % 40)}.` }));
  }
  const submitSeconds = (performance.now() - started) / 1000;
  for (const document of submitted) await context.ingestion.settled(document.id);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ metadata: postgres ? 'postgres' : 'sqlite', documents: count, submitSeconds: Number(submitSeconds.toFixed(3)), seconds: Number(seconds.toFixed(3)), documentsPerSecond: Number((count / seconds).toFixed(1)) }));
  await context.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  await postgres?.stop();
}
