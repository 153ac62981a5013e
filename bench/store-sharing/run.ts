/**
 * The shared chunk store (`BELEG_LANCEDB_URI`) at 20,000 chunks: how long after one process's
 * append is acknowledged another process finds the chunk, and what the read consistency interval
 * costs each query.
 *
 * Processes: a maintainer (tests/helpers/shared-store-worker.ts, started first, so it holds the
 * index maintenance lease; maintenance every 1000 ms, beleg's default), a writer (the same script,
 * without the lease: an ingestion worker) and this process, the reader (an API replica, never the
 * maintainer), with one store per read consistency setting.
 *
 * 1. Visibility: the writer adds one document of one chunk; the reader asks, over and over, by
 *    document (`chunksOf`, LanceDB's `document_id` filter) and by full text (`searchText` for the
 *    document's own word) until each finds it. Delay = the reader's first success minus the moment
 *    the writer's `add()` returned (both epoch clocks of this machine). Two kinds of chunk: the
 *    word once, and the word three times (LanceDB 0.31's flat pass over rows not yet in the
 *    full-text index misses such a row, so it is found only once the maintainer folded it in).
 *    Trials alternate the settings, so load on the machine falls on all alike.
 * 2. Query cost: `searchText` (6 random words) and `chunksOf` latency per setting, alternating
 *    settings query by query: quiet (nobody writes) and busy (the writer appends meanwhile, so
 *    reads find new versions to load). Baseline: the single-process store (no consistency check),
 *    measured quiet before the other processes start.
 *
 * Run: `npx tsx bench/store-sharing/run.ts [chunks, default 20000] [trials per setting, default 20]`
 * Writes bench/results/store-sharing.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import type { ChunkRow } from '../../src/store/chunk-store.ts';
import type { IndexMaintenanceLease } from '../../src/store/index-maintenance-lease.ts';
import { CHUNKS_TABLE, chunkTableSchema, toTableRow } from '../../src/store/lancedb/chunk-table-schema.ts';
import { LanceChunkStore } from '../../src/store/lancedb/index.ts';
import { documentWord } from '../../tests/helpers/shared-store-chunks.ts';
import { SharedStoreProcess } from '../../tests/helpers/shared-store-process.ts';
import { syntheticCorpus } from '../helpers/synthetic-corpus.ts';

const size = Number(process.argv[2] ?? 20_000);
const trialsPerSetting = Number(process.argv[3] ?? 20);
const CHUNKS_PER_DOCUMENT = 20;
const SETTINGS_MS = [0, 100, 1000] as const;
const QUERIES = 200;
const VISIBILITY_TIMEOUT_MS = 15_000;
/** Pause between two polls of the reader: the resolution of the delays, and what keeps the poll from starving the other processes. */
const POLL_MS = 5;
/**
 * While measuring the busy query cost the writer commits one document of 4 chunks, then pauses
 * this long: about 10 commits a second here. Without a pause (one commit every ~20 ms on this
 * loaded machine) the table gained small fragments faster than one maintenance round a second
 * compacted them, and reads slowed from ~3 ms to ~0.5-0.9 s within a minute.
 */
const BUSY_PAUSE_MS = 100;
const progress = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

const { random, words } = syntheticCorpus(17);

type Summary = { n: number; p50: number; p95: number; max: number; mean: number };
function summarize(values: number[]): Summary {
  const sorted = [...values].sort((left, right) => left - right);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1)!), mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length) };
}

/** The reader never maintains the indexes. */
const neverHeld: IndexMaintenanceLease = { tryAcquire: async () => false, release: async () => undefined };
const now = () => performance.timeOrigin + performance.now();

const root = mkdtempSync(path.join(tmpdir(), 'beleg-store-sharing-'));
const workers: SharedStoreProcess[] = [];
try {
  // ---- 20,000 chunks written in the store's schema, then indexed by opening the store alone.
  const directory = path.join(root, 'lancedb');
  mkdirSync(directory);
  const writer = await lancedb.connect(directory);
  const rows: ChunkRow[] = Array.from({ length: size }, (_, index) => {
    const text = words(60 + Math.floor(random() * 60));
    const documentId = `document-${Math.floor(index / CHUNKS_PER_DOCUMENT)}`;
    return { id: `${documentId}-${index % CHUNKS_PER_DOCUMENT}`, documentId, ordinal: index % CHUNKS_PER_DOCUMENT, text, charStart: 0, charEnd: text.length, page: null, headingPath: null, tokenCount: 0, sentenceOffsets: [0, text.length], sentenceFlags: [0] };
  });
  const table = await writer.createTable(CHUNKS_TABLE, rows.map((row) => toTableRow(row, null)), { schema: chunkTableSchema(null) });
  table.close();
  writer.close();
  const single = await LanceChunkStore.open({ directory });
  await single.optimize();

  // ---- Baseline: the single-process store, quiet.
  const queries = Array.from({ length: QUERIES + 20 }, () => words(6));
  const documents = Array.from({ length: QUERIES + 20 }, () => `document-${Math.floor(random() * (size / CHUNKS_PER_DOCUMENT))}`);
  const baseline = { searchText: [] as number[], chunksOf: [] as number[] };
  for (let index = 0; index < queries.length; index += 1) {
    let begin = performance.now();
    await single.searchText(queries[index]!, { limit: 50 });
    const textMs = performance.now() - begin;
    begin = performance.now();
    await single.chunksOf(documents[index]!);
    const filterMs = performance.now() - begin;
    if (index < 20) continue;
    baseline.searchText.push(textMs);
    baseline.chunksOf.push(filterMs);
  }
  await single.close();
  progress(`${size} chunks written and indexed; baseline measured`);

  // ---- The processes: maintainer first (takes the lease), then the writer, then the readers.
  const maintainer = await SharedStoreProcess.start(directory, { maintenanceIntervalMs: 1000 });
  workers.push(maintainer);
  const appender = await SharedStoreProcess.start(directory, { maintenanceIntervalMs: 1000 });
  workers.push(appender);
  const maintainers = (await Promise.all(workers.map((worker) => worker.status()))).map((status) => status.maintainer);
  if (maintainers.join() !== 'true,false') throw new Error(`expected the first worker to maintain: ${maintainers.join()}`);
  const readers = new Map<number, LanceChunkStore>();
  for (const ms of SETTINGS_MS) readers.set(ms, await LanceChunkStore.open({ directory, shared: { lease: neverHeld, readConsistencyMs: ms } }));

  // ---- 1. Visibility delay.
  type Delays = { byDocument: number[]; byFullText: number[]; timeouts: number };
  const visibility: Record<string, Record<string, Delays>> = {};
  for (const kind of ['once', 'thrice'] as const) {
    visibility[kind] = Object.fromEntries(SETTINGS_MS.map((ms) => [String(ms), { byDocument: [], byFullText: [], timeouts: 0 }]));
    for (let trial = 0; trial < trialsPerSetting * SETTINGS_MS.length; trial += 1) {
      const ms = SETTINGS_MS[trial % SETTINGS_MS.length]!;
      const reader = readers.get(ms)!;
      const id = `probe-${kind}-${trial}`;
      const word = documentWord(id);
      const answer = appender.send({ add: [id], chunks: 1, repeat: kind === 'once' ? 1 : 3 });
      let foundByDocument: number | null = null;
      let foundByFullText: number | null = null;
      const deadline = Date.now() + VISIBILITY_TIMEOUT_MS;
      while ((foundByDocument === null || foundByFullText === null) && Date.now() < deadline) {
        if (foundByDocument === null && (await reader.chunksOf(id)).length > 0) foundByDocument = now();
        if (foundByFullText === null && (await reader.searchText(word, { limit: 5 })).some((hit) => hit.chunk.documentId === id)) foundByFullText = now();
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const acknowledged = ((await answer).at as number[])[0]!;
      const delays = visibility[kind]![String(ms)]!;
      if (foundByDocument === null || foundByFullText === null) delays.timeouts += 1;
      if (foundByDocument !== null) delays.byDocument.push(foundByDocument - acknowledged);
      if (foundByFullText !== null) delays.byFullText.push(foundByFullText - acknowledged);
      progress(`${id} (${ms} ms): by document ${foundByDocument === null ? 'never' : (foundByDocument - acknowledged).toFixed(1)}, by full text ${foundByFullText === null ? 'never' : (foundByFullText - acknowledged).toFixed(1)}`);
    }
  }

  // ---- 2. Query cost per setting, quiet and while the writer appends.
  type Cost = { searchText: number[]; chunksOf: number[] };
  const measureCost = async (): Promise<Record<string, Cost>> => {
    const cost: Record<string, Cost> = Object.fromEntries(SETTINGS_MS.map((ms) => [String(ms), { searchText: [], chunksOf: [] }]));
    for (let index = 0; index < queries.length; index += 1) {
      const order = index % 2 === 0 ? SETTINGS_MS : [...SETTINGS_MS].reverse();
      for (const ms of order) {
        const reader = readers.get(ms)!;
        let begin = performance.now();
        await reader.searchText(queries[index]!, { limit: 50 });
        const textMs = performance.now() - begin;
        begin = performance.now();
        await reader.chunksOf(documents[index]!);
        const filterMs = performance.now() - begin;
        if (index % 20 === 0 && ms === order[0]) progress(`query ${index}: ${textMs.toFixed(1)} ms full text, ${filterMs.toFixed(1)} ms by document`);
        if (index < 20) continue;
        cost[String(ms)]!.searchText.push(textMs);
        cost[String(ms)]!.chunksOf.push(filterMs);
      }
    }
    return cost;
  };
  progress('query cost, quiet');
  const quiet = await measureCost();
  progress('query cost, while appending');
  let appending = true;
  const appended = (async () => {
    let batch = 0;
    while (appending) {
      await appender.send({ add: [`busy-${batch}`], chunks: 4 });
      batch += 1;
      if (batch % 50 === 0) progress(`appended ${batch} documents; maintainer ${JSON.stringify(await maintainer.status())}`);
      await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
    }
    return batch;
  })();
  const busyStarted = performance.now();
  const busy = await measureCost();
  appending = false;
  const busyDocuments = await appended;
  const busySeconds = (performance.now() - busyStarted) / 1000;

  const maintainerStatus = await maintainer.status();
  const appenderStatus = await appender.status();
  for (const reader of readers.values()) await reader.close();
  for (const worker of workers) await worker.close();

  const summarizeCost = (cost: Record<string, Cost>) =>
    Object.fromEntries(Object.entries(cost).map(([ms, values]) => [ms, { searchText: summarize(values.searchText), chunksOf: summarize(values.chunksOf) }]));
  const result = {
    date: new Date().toISOString(),
    machine: { loadAverage: loadavg().map((value) => Math.round(value * 100) / 100) },
    chunks: size,
    maintenanceIntervalMs: 1000,
    busyWriterPauseMs: BUSY_PAUSE_MS,
    visibilityTrialsPerSetting: trialsPerSetting,
    note: 'delay = reader first finds the chunk − writer add() returned (ms); readers are separate stores in one process, one per BELEG_LANCEDB_READ_CONSISTENCY_MS; "thrice": the word three times in the chunk, which LanceDB 0.31 flat pass misses until the maintainer folds the row into the index',
    visibility: Object.fromEntries(
      Object.entries(visibility).map(([kind, bySetting]) => [
        kind,
        Object.fromEntries(Object.entries(bySetting).map(([ms, delays]) => [ms, { byDocument: summarize(delays.byDocument), byFullText: summarize(delays.byFullText), timeouts: delays.timeouts }])),
      ]),
    ),
    queryCostMs: {
      singleProcessBaseline: { searchText: summarize(baseline.searchText), chunksOf: summarize(baseline.chunksOf) },
      quiet: summarizeCost(quiet),
      busy: { ...summarizeCost(busy), appendedDocumentsPerSecond: Math.round((busyDocuments / busySeconds) * 10) / 10 },
    },
    maintenance: { maintainer: maintainerStatus, appender: appenderStatus },
  };
  mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
  writeFileSync(path.resolve(import.meta.dirname, '../results/store-sharing.json'), `${JSON.stringify(result, null, 2)}\n`);

  console.log(`visibility delay (ms) after add() returned, ${trialsPerSetting} trials per setting, maintenance every 1000 ms`);
  console.log('kind    consistency  by document p50/p95   by full text p50/p95   timeouts');
  for (const [kind, bySetting] of Object.entries(result.visibility)) {
    for (const [ms, value] of Object.entries(bySetting)) {
      console.log(`${kind.padEnd(8)}${`${ms} ms`.padEnd(13)}${`${value.byDocument.p50} / ${value.byDocument.p95}`.padEnd(22)}${`${value.byFullText.p50} / ${value.byFullText.p95}`.padEnd(23)}${value.timeouts}`);
    }
  }
  console.log('query cost (ms) p50/p95       searchText        chunksOf');
  console.log(`single process       ${`${result.queryCostMs.singleProcessBaseline.searchText.p50} / ${result.queryCostMs.singleProcessBaseline.searchText.p95}`.padEnd(18)}${result.queryCostMs.singleProcessBaseline.chunksOf.p50} / ${result.queryCostMs.singleProcessBaseline.chunksOf.p95}`);
  for (const phase of ['quiet', 'busy'] as const) {
    for (const ms of SETTINGS_MS) {
      const value = (result.queryCostMs[phase] as Record<string, { searchText: Summary; chunksOf: Summary }>)[String(ms)]!;
      console.log(`${phase.padEnd(6)}${`${ms} ms`.padEnd(15)}${`${value.searchText.p50} / ${value.searchText.p95}`.padEnd(18)}${value.chunksOf.p50} / ${value.chunksOf.p95}`);
    }
  }
  console.log(`load average ${result.machine.loadAverage.join(' ')}`);
} finally {
  for (const worker of workers) if (worker.child.exitCode === null) await worker.kill();
  rmSync(root, { recursive: true, force: true });
}
