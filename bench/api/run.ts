/**
 * Load check of `POST /ask` with autocannon. For every response it records the client's latency
 * and the answer service's own `timings.totalMs`; their difference is beleg's overhead outside
 * answering (HTTP, auth, validation, the generation queue, JSON, metrics, waiting for the event
 * loop). Scenarios:
 * - `fake`: an answerer that returns at once (the HTTP layer alone), 1, 50 and 200 clients;
 * - `extractive`: the real stack with the extractive engine over the fixture documents, 50 and 200
 *   clients (generation limits raised so the queue does not dominate);
 * - `fake, default limits`: 200 clients against the default limits (2 generations, 32 queued):
 *   overload must answer 429 with Retry-After, never 5xx.
 * Also, without sockets: the app's own cost per request (`app.request`, one at a time, fake
 * answerer), which load and contention on the machine cannot inflate by queueing.
 * Prints a table and writes bench/results/api.json.
 *
 * Usage: node --import tsx bench/api/run.ts [--duration SECONDS]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApp } from '../../src/api/app.ts';
import { configSchema } from '../../src/config.ts';
import { FakeAnswerer } from '../../tests/helpers/fake-answerer.ts';
import { FakeIngestion } from '../../tests/helpers/fake-ingestion.ts';

type Mode = 'fake' | 'extractive';
type Scenario = { name: string; mode: Mode; connections: number; limits: Record<string, number> };
type Row = {
  scenario: string;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  overheadP50Ms: number;
  overheadP95Ms: number;
  overheadP99Ms: number;
  status2xx: number;
  status429: number;
  status5xx: number;
  otherStatus: number;
  connectionErrors: number;
};

const raisedLimits = { maxConcurrentGenerations: 1024, maxQueuedGenerations: 1024, rateLimitPerMinute: 0 };
const scenarios: Scenario[] = [
  { name: 'fake', mode: 'fake', connections: 1, limits: raisedLimits },
  { name: 'fake', mode: 'fake', connections: 50, limits: raisedLimits },
  { name: 'fake', mode: 'fake', connections: 200, limits: raisedLimits },
  { name: 'extractive', mode: 'extractive', connections: 50, limits: raisedLimits },
  { name: 'extractive', mode: 'extractive', connections: 200, limits: raisedLimits },
  { name: 'fake, default limits', mode: 'fake', connections: 200, limits: { rateLimitPerMinute: 0 } },
];

const questions = {
  fake: 'Wie lange sind Ausleihen möglich?',
  extractive: 'Wann fuhr die erste elektrische Straßenbahn?',
};

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function startServer(mode: Mode, limits: Record<string, number>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/api/bench-server.ts', mode, JSON.stringify(limits)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code} before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function runScenario(scenario: Scenario, durationSeconds: number): Promise<Row> {
  const { url, child } = await startServer(scenario.mode, scenario.limits);
  try {
    const latencies: number[] = [];
    const overheads: number[] = [];
    const statuses = new Map<number, number>();
    // autocannon calls onResponse and then emits `response` for the same request synchronously,
    // so the service time parsed here belongs to the next `response` event.
    let serviceMs = 0;
    const instance = autocannon({
      url,
      connections: scenario.connections,
      duration: durationSeconds,
      timeout: 120,
      requests: [
        {
          method: 'POST',
          path: '/ask',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question: questions[scenario.mode] }),
          onResponse: (status, body) => {
            serviceMs = status === 200 ? (JSON.parse(body) as { timings: { totalMs: number } }).timings.totalMs : 0;
          },
        },
      ],
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      overheads.push(Math.max(0, responseTime - serviceMs));
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
    const result = await instance;
    latencies.sort((left, right) => left - right);
    overheads.sort((left, right) => left - right);
    const count = (predicate: (status: number) => boolean) =>
      [...statuses].filter(([status]) => predicate(status)).reduce((sum, [, total]) => sum + total, 0);
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      scenario: scenario.name,
      connections: scenario.connections,
      requests: latencies.length,
      requestsPerSecond: Math.round(latencies.length / durationSeconds),
      p50Ms: round(percentile(latencies, 0.5)),
      p95Ms: round(percentile(latencies, 0.95)),
      p99Ms: round(percentile(latencies, 0.99)),
      overheadP50Ms: round(percentile(overheads, 0.5)),
      overheadP95Ms: round(percentile(overheads, 0.95)),
      overheadP99Ms: round(percentile(overheads, 0.99)),
      status2xx: count((status) => status >= 200 && status < 300),
      status429: count((status) => status === 429),
      status5xx: count((status) => status >= 500),
      otherStatus: count((status) => status < 200 || (status >= 300 && status < 500 && status !== 429)),
      connectionErrors: result.errors + result.timeouts,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Per-request time of the app itself, sequentially and in this process. */
async function measureInProcess(requests: number): Promise<{ requests: number; p50Ms: number; p95Ms: number; p99Ms: number }> {
  const ingestion = new FakeIngestion();
  await ingestion.ingest({ kind: 'text', text: 'Die Bibliothek öffnet um neun Uhr. Ausleihen sind vier Wochen lang möglich.' });
  const app = createApp({ config: configSchema.parse({ limits: { rateLimitPerMinute: 0 } }), ingestion, answerer: new FakeAnswerer(ingestion) });
  const body = JSON.stringify({ question: questions.fake });
  const times: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    const started = performance.now();
    const response = await app.request('/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.text();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { requests, p50Ms: round(percentile(times, 0.5)), p95Ms: round(percentile(times, 0.95)), p99Ms: round(percentile(times, 0.99)) };
}

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' } } });
const durationSeconds = Number(values.duration);
const loadBefore = os.loadavg();
const rows: Row[] = [];
const inProcess = await measureInProcess(5000);
for (const scenario of scenarios) rows.push(await runScenario(scenario, durationSeconds));

console.table(rows);
console.log('in-process, one at a time (fake answerer):', inProcess);
const find = (name: string, connections: number) => rows.find((row) => row.scenario === name && row.connections === connections)!;
const summary = {
  targetOverheadP95Ms: 30,
  inProcessP95Ms: inProcess.p95Ms,
  overheadP95Ms: {
    fake1: find('fake', 1).overheadP95Ms,
    fake50: find('fake', 50).overheadP95Ms,
    fake200: find('fake', 200).overheadP95Ms,
    extractive50: find('extractive', 50).overheadP95Ms,
    extractive200: find('extractive', 200).overheadP95Ms,
  },
  total5xx: rows.reduce((sum, row) => sum + row.status5xx, 0),
  note: 'overhead = client latency - the answer service timings.totalMs; at 50 and 200 clients it includes waiting for the one event loop, on a machine shared with other work (see loadAverage).',
};
console.log(summary);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/api.json',
  `${JSON.stringify(
    {
      benchmark: 'api',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
      durationSecondsPerScenario: durationSeconds,
      inProcess,
      rows,
      summary,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote bench/results/api.json');
