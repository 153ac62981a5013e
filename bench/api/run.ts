/**
 * Load check of the HTTP layer: autocannon against `POST /ask` with an answerer that returns at
 * once (tests/helpers/fake-answerer.ts), so the latency measured is beleg's overhead outside
 * generation: routing, auth, validation, the generation queue, JSON and metrics.
 *
 * Scenarios: 1, 50 and 200 concurrent clients with limits raised out of the way, then 200 clients
 * against the default limits (2 generations, 32 queued) to check overload answers 429, never 5xx.
 * Prints a table and writes bench/results/api.json.
 *
 * Usage: node --import tsx bench/api/run.ts [--duration SECONDS]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

type Scenario = { name: string; connections: number; limits: Record<string, number> };
type Row = {
  scenario: string;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  status2xx: number;
  status429: number;
  status5xx: number;
  otherStatus: number;
  connectionErrors: number;
};

const raisedLimits = { maxConcurrentGenerations: 1024, maxQueuedGenerations: 1024, rateLimitPerMinute: 0 };
const defaultLimits = { rateLimitPerMinute: 0 };
const scenarios: Scenario[] = [
  { name: 'overhead', connections: 1, limits: raisedLimits },
  { name: 'overhead', connections: 50, limits: raisedLimits },
  { name: 'overhead', connections: 200, limits: raisedLimits },
  { name: 'default limits', connections: 200, limits: defaultLimits },
];

const body = JSON.stringify({ question: 'Wie lange sind Ausleihen möglich?' });

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function startServer(limits: Record<string, number>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/api/fake-server.ts', JSON.stringify(limits)], {
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
  const { url, child } = await startServer(scenario.limits);
  try {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const instance = autocannon({
      url: `${url}/ask`,
      connections: scenario.connections,
      duration: durationSeconds,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
    const result = await instance;
    latencies.sort((left, right) => left - right);
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

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' } } });
const durationSeconds = Number(values.duration);
const rows: Row[] = [];
for (const scenario of scenarios) rows.push(await runScenario(scenario, durationSeconds));

console.table(rows);
const overhead200 = rows.find((row) => row.scenario === 'overhead' && row.connections === 200)!;
const overhead50 = rows.find((row) => row.scenario === 'overhead' && row.connections === 50)!;
const summary = {
  targetP95Ms: 30,
  p95At50Ms: overhead50.p95Ms,
  p95At200Ms: overhead200.p95Ms,
  total5xx: rows.reduce((sum, row) => sum + row.status5xx, 0),
  note: 'p95 at high concurrency includes waiting for the single event loop; connections=1 is the per-request overhead.',
};
console.log(summary);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/api.json',
  `${JSON.stringify(
    {
      benchmark: 'api',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: os.loadavg() },
      durationSecondsPerScenario: durationSeconds,
      answerer: 'tests/helpers/fake-answerer.ts (answers at once; measures everything but generation)',
      rows,
      summary,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote bench/results/api.json');
