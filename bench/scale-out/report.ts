/**
 * The scale-out benchmark's results: medians and spread per configuration, the per-core
 * extrapolation to a three-node deployment, written as JSON (every round kept) and as a short
 * Markdown note.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AskRound } from './ask-load.ts';
import type { IngestRound } from './ingest-load.ts';

const conclusionsFile = path.join(import.meta.dirname, 'conclusions.md');

export type ScaleOutResults = {
  benchmark: 'scale-out';
  date: string;
  quick: boolean;
  /** How long each part took (a part kept from an earlier run by --skip-… keeps its time). */
  seconds: { ask: number; ingest: number };
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  settings: Record<string, unknown>;
  ask: AskRound[];
  ingest: IngestRound[];
  ingestionStatus: string;
  /** Observations written by hand after looking at the rounds (kept by \`--report\`). */
  notes?: string[];
};

/** Median, smallest and largest of one measure over the rounds of a configuration. */
export type Spread = { median: number; min: number; max: number; n: number };

function spread(values: number[]): Spread {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((left, right) => left - right);
  if (sorted.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const round = (value: number) => Math.round(value * 100) / 100;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted.at(-1)!), n: sorted.length };
}

type AskSummary = {
  replicas: number;
  clients: number;
  requestsPerSecond: Spread;
  p50Ms: Spread;
  p95Ms: Spread;
  replicaCpuMsPerRequest: Spread;
  postgresCpuMsPerRequest: Spread;
  loadGeneratorCpuMsPerRequest: Spread;
  /** Share of the machine's CPU time that was busy (all processes, ours and others'). */
  machineBusyShare: Spread;
  /** Busy CPU seconds per second (cores' worth) not spent by this benchmark's processes. */
  otherCores: Spread;
  loadAverage1Min: Spread;
  /** Cores' worth of CPU the replicas and PostgreSQL used (CPU seconds per second of the window). */
  belegCores: Spread;
  non2xx: number;
  connectionErrors: number;
};

type IngestSummary = {
  configuration: string;
  workers: number;
  documentsPerSecond: Spread;
  belegCpuMsPerDocument: Spread;
  postgresCpuMsPerDocument: Spread;
  machineBusyShare: Spread;
  /** Cores' worth of CPU the server, the workers and PostgreSQL used; and what else ran. */
  belegCores: Spread;
  otherCores: Spread;
  loadAverage1Min: Spread;
  failed: number;
};

function summarizeAsk(rounds: AskRound[]): AskSummary[] {
  const keys = [...new Set(rounds.map((round) => `${round.replicas}/${round.clients}`))];
  return keys.map((key) => {
    const group = rounds.filter((round) => `${round.replicas}/${round.clients}` === key);
    return {
      replicas: group[0]!.replicas,
      clients: group[0]!.clients,
      requestsPerSecond: spread(group.map((round) => round.requestsPerSecond)),
      p50Ms: spread(group.map((round) => round.p50Ms)),
      p95Ms: spread(group.map((round) => round.p95Ms)),
      replicaCpuMsPerRequest: spread(group.map((round) => round.replicaCpuMsPerRequest)),
      postgresCpuMsPerRequest: spread(group.map((round) => round.postgresCpuMsPerRequest)),
      loadGeneratorCpuMsPerRequest: spread(group.map((round) => round.loadGeneratorCpuMsPerRequest)),
      machineBusyShare: spread(group.map((round) => round.machineBusySeconds / round.machineCapacitySeconds)),
      otherCores: spread(group.map((round) => round.otherBusySeconds / round.durationSeconds)),
      loadAverage1Min: spread(group.map((round) => round.loadAverageAfter[0]!)),
      belegCores: spread(group.map((round) => (round.replicaCpuSeconds.reduce((sum, value) => sum + value, 0) + round.postgresCpuSeconds) / round.durationSeconds)),
      non2xx: group.reduce((sum, round) => sum + round.requests - round.status2xx, 0),
      connectionErrors: group.reduce((sum, round) => sum + round.connectionErrors, 0),
    };
  }).sort((left, right) => left.clients - right.clients || left.replicas - right.replicas);
}

function summarizeIngest(rounds: IngestRound[]): IngestSummary[] {
  const names = [...new Set(rounds.map((round) => round.configuration))];
  return names.map((name) => {
    const group = rounds.filter((round) => round.configuration === name);
    return {
      configuration: name,
      workers: group[0]!.workers,
      documentsPerSecond: spread(group.map((round) => round.documentsPerSecond)),
      belegCpuMsPerDocument: spread(group.map((round) => round.belegCpuMsPerDocument)),
      postgresCpuMsPerDocument: spread(group.map((round) => round.postgresCpuMsPerDocument)),
      machineBusyShare: spread(group.map((round) => round.machineBusySeconds / round.machineCapacitySeconds)),
      belegCores: spread(group.map((round) => (round.apiCpuSeconds + round.workerCpuSeconds.reduce((sum, value) => sum + value, 0) + round.postgresCpuSeconds) / round.seconds)),
      otherCores: spread(group.map((round) => (round.otherBusySeconds ?? Number.NaN) / round.seconds)),
      loadAverage1Min: spread(group.map((round) => round.loadAverageAfter[0]!)),
      failed: group.reduce((sum, round) => sum + round.failed, 0),
    };
  });
}

/**
 * Paper capacity of three nodes from the per-answer CPU measured here. Assumptions (also in the
 * note): answering is CPU-bound (true for the extractive engine over a local store), one replica
 * per core, the nodes share nothing but PostgreSQL and the store, and a node is run at most at
 * `targetUtilisation` of its cores so queues stay short.
 */
function extrapolate(rounds: AskRound[], ask: AskSummary[], ingest: IngestSummary[]) {
  const replicaMs = spread(rounds.map((round) => round.replicaCpuMsPerRequest)).median;
  const configurationMedians = spread(ask.map((summary) => summary.replicaCpuMsPerRequest.median));
  const postgresMs = spread(rounds.map((round) => round.postgresCpuMsPerRequest)).median;
  // A deployment of several nodes indexes with workers: their cost when measured, else `serve` alone's.
  const basis = ingest.find((summary) => summary.workers === 1) ?? ingest.find((summary) => summary.workers === 0);
  const documentMs = basis?.belegCpuMsPerDocument.median ?? Number.NaN;
  const documentPostgresMs = basis?.postgresCpuMsPerDocument.median ?? Number.NaN;
  const targetUtilisation = 0.7;
  const nodes = 3;
  const perNodeCores = [2, 4, 8];
  return {
    assumptions: {
      nodes,
      targetUtilisation,
      replicaCpuMsPerAnswer: replicaMs,
      replicaCpuMsPerAnswerConfigurationMedians: { min: configurationMedians.min, max: configurationMedians.max },
      postgresCpuMsPerAnswer: postgresMs,
      ingestionBasis: basis?.configuration ?? 'none',
      belegCpuMsPerDocument: documentMs,
      postgresCpuMsPerDocument: documentPostgresMs,
    },
    ask: perNodeCores.map((cores) => {
      const answersPerSecond = (nodes * cores * targetUtilisation * 1000) / replicaMs;
      return {
        coresPerNode: cores,
        answersPerSecond: Math.round(answersPerSecond),
        postgresCoresNeeded: Math.round(((answersPerSecond * postgresMs) / 1000) * 100) / 100,
        // Little's law for a closed loop of clients: each waits about clients / throughput.
        waitAt200ClientsMs: Math.round((200 / answersPerSecond) * 1000),
      };
    }),
    ingest: Number.isFinite(documentMs)
      ? perNodeCores.map((cores) => ({
          coresPerNode: cores,
          documentsPerSecond: Math.round((nodes * cores * targetUtilisation * 1000) / documentMs),
          postgresCoresNeeded: Math.round(((nodes * cores * targetUtilisation * documentPostgresMs) / documentMs) * 100) / 100,
        }))
      : [],
  };
}

const format = (value: Spread, digits = 1) =>
  value.n === 0 ? '–' : `${value.median.toFixed(digits)} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
const percent = (value: Spread) => (value.n === 0 ? '–' : `${Math.round(value.median * 100)} % (${Math.round(value.min * 100)}–${Math.round(value.max * 100)})`);

/** Writes `<base>.json` and `<base>.md`; returns their paths. */
export function writeReport(results: ScaleOutResults, base: string): string[] {
  const ask = summarizeAsk(results.ask);
  const ingest = summarizeIngest(results.ingest);
  const extrapolation = extrapolate(results.ask, ask, ingest);
  mkdirSync(path.dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...results, summary: { ask, ingest }, extrapolation }, null, 2)}\n`);

  const lines: string[] = [];
  lines.push(`# Scale-out on one machine: replicas and workers on one PostgreSQL and one shared LanceDB`);
  lines.push('');
  lines.push(
    `\`node --import tsx bench/scale-out/run.ts${results.quick ? ' --quick' : ''}\`, ${results.date.slice(0, 16).replace('T', ' ')} UTC, ` +
      `/ask part ${Math.round(results.seconds.ask / 60)} min, ingestion part ${Math.round(results.seconds.ingest / 60)} min (a part can come from another run: \`--skip-ask\`/\`--skip-ingest\`). Machine: ${results.machine.cpus} cores (${results.machine.cpuModel}), ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, ` +
      `shared with other engineers' work (see load average and "other cores"). Medians over the rounds, (min–max) in brackets.`,
  );
  lines.push('');
  lines.push(`## /ask, extractive engine`);
  lines.push('');
  lines.push(
    `${results.settings.corpus} (one document per paragraph, ingested once); every request asks the next question. ` +
      `Real \`beleg serve\` processes, each its own data directory and port, one embedded PostgreSQL, one LanceDB directory. ` +
      `Load: autocannon in the benchmark process, one instance per replica with the clients split evenly (a round-robin balancer with long-lived connections, without a balancer process on the same two cores), ` +
      `Each round: a ramp (${Object.entries(results.settings.askRampSeconds as Record<string, number>).map(([clients, seconds]) => `${seconds} s at ${clients} clients`).join(', ')}; clients started in groups over its first half), then ${results.settings.askDurationSeconds} s measured; ` +
      `configurations alternate (${(results.settings.replicaCounts as number[]).join(',')} then reversed) round by round. Generation limits raised (1024 concurrent, no rate limit) to measure capacity, not admission. ` +
      `All replicas stay up (warm) through every round; in rounds with fewer replicas loaded the idle ones' CPU is counted too (near zero). ` +
      `"beleg cores": CPU seconds per second that the replicas and PostgreSQL used; "other cores": the same for whatever else ran on the machine (other engineers' builds and tests), i.e. busy time not spent by the benchmark's processes. ` +
      `Answers/s = beleg cores × 1000 / CPU ms per answer: the throughput follows the CPU the replicas got.`,
  );
  lines.push('');
  lines.push('| replicas | clients | answers/s | beleg cores | p50 ms | p95 ms | replica CPU ms/answer | PostgreSQL CPU ms/answer | load generator CPU ms/answer | machine busy | other cores | load avg (1 min) | non-2xx |');
  lines.push('| ---: | ---: | --- | ---: | --- | --- | --- | --- | --- | --- | --- | --- | ---: |');
  for (const row of ask) {
    lines.push(
      `| ${row.replicas} | ${row.clients} | ${format(row.requestsPerSecond)} | ${format(row.belegCores, 2)} | ${format(row.p50Ms, 0)} | ${format(row.p95Ms, 0)} | ${format(row.replicaCpuMsPerRequest)} | ` +
        `${format(row.postgresCpuMsPerRequest)} | ${format(row.loadGeneratorCpuMsPerRequest)} | ${percent(row.machineBusyShare)} | ${format(row.otherCores, 2)} | ${format(row.loadAverage1Min, 2)} | ${row.non2xx + row.connectionErrors} |`,
    );
  }
  lines.push('');
  lines.push(`## Ingestion`);
  lines.push('');
  lines.push(
    `${results.settings.ingestRounds ?? results.settings.rounds} rounds of ${results.settings.documentsPerIngestRound} synthetic German texts (~300 words, unique, lexical-only: no embedding model) each through \`POST /documents\` (${results.settings.uploaders} uploads at a time); ` +
      `time from the first upload until all are \`ready\`; configurations alternate (reversed every other round). Fresh processes every round. Status: ${results.ingestionStatus}.`,
  );
  lines.push('');
  lines.push('| configuration | documents/s | beleg CPU ms/document | PostgreSQL CPU ms/document | beleg cores | machine busy | other cores | load avg (1 min) | failed |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | ---: |');
  for (const row of ingest) {
    lines.push(
      `| ${row.configuration} | ${format(row.documentsPerSecond)} | ${format(row.belegCpuMsPerDocument)} | ${format(row.postgresCpuMsPerDocument)} | ${format(row.belegCores, 2)} | ${percent(row.machineBusyShare)} | ${format(row.otherCores, 2)} | ${format(row.loadAverage1Min, 2)} | ${row.failed} |`,
    );
  }
  lines.push('');
  lines.push(`## What it shows (computed)`);
  lines.push('');
  const find = (replicas: number, clients: number) => ask.find((row) => row.replicas === replicas && row.clients === clients);
  const ratio = (top: number | undefined, bottom: number | undefined) => (top === undefined || bottom === undefined || !(bottom > 0) ? '–' : `${(top / bottom).toFixed(2)}×`);
  for (const clients of results.settings.clientCounts as number[]) {
    const one = find(1, clients);
    const three = find(3, clients);
    if (!one || !three) continue;
    lines.push(
      `- ${clients} clients: 3 replicas answered ${ratio(three.requestsPerSecond.median, one.requestsPerSecond.median)} the answers/s of 1 ` +
        `(${three.requestsPerSecond.median} vs ${one.requestsPerSecond.median}); p95 ${Math.round(three.p95Ms.median)} vs ${Math.round(one.p95Ms.median)} ms; ` +
        `machine busy ${Math.round(three.machineBusyShare.median * 100)} % vs ${Math.round(one.machineBusyShare.median * 100)} %, of which other people's work ${three.otherCores.median} vs ${one.otherCores.median} cores.`,
    );
  }
  const byWorkers = (workers: number) => ingest.find((row) => row.workers === workers);
  if (byWorkers(1) && byWorkers(2)) {
    lines.push(
      `- Ingestion: 2 workers indexed ${ratio(byWorkers(2)!.documentsPerSecond.median, byWorkers(1)!.documentsPerSecond.median)} the documents/s of 1 ` +
        `(${byWorkers(2)!.documentsPerSecond.median} vs ${byWorkers(1)!.documentsPerSecond.median}); \`serve\` alone (one process doing everything) ${byWorkers(0)?.documentsPerSecond.median ?? '–'}.`,
    );
  }
  for (const line of results.notes ?? []) lines.push(`- ${line}`);
  lines.push('');
  lines.push(`## On paper: three nodes`);
  lines.push('');
  const assumptions = extrapolation.assumptions;
  lines.push(
    `From the CPU each answer cost the replicas here (${assumptions.replicaCpuMsPerAnswer} ms, median of all rounds; the configurations' medians range ` +
      `${assumptions.replicaCpuMsPerAnswerConfigurationMedians.min}–${assumptions.replicaCpuMsPerAnswerConfigurationMedians.max} ms, so read the answers/s below as ±that) and PostgreSQL (${assumptions.postgresCpuMsPerAnswer} ms), ` +
      `and each document cost ${assumptions.ingestionBasis} (${assumptions.belegCpuMsPerDocument} ms in beleg's processes, ${assumptions.postgresCpuMsPerDocument} ms PostgreSQL), ` +
      `assuming: answering is CPU-bound (the extractive engine over a store on local disk); one replica per core (a replica's JavaScript runs on one thread; one replica used at most 1.3 cores here); ` +
      `the nodes share nothing but PostgreSQL (on its own machine) and the chunk store; each node run at ${Math.round(assumptions.targetUtilisation * 100)} % of its cores; ` +
      `per-answer CPU stays what it is here (no gain from less contention, no loss from network hops to PostgreSQL or object-storage reads of a remote store).`,
  );
  lines.push('');
  lines.push('| cores per node | answers/s (3 nodes) | PostgreSQL cores needed | wait per answer at 200 clients (ms) | documents/s (3 nodes) | PostgreSQL cores for that |');
  lines.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [index, row] of extrapolation.ask.entries()) {
    const documents = extrapolation.ingest[index];
    lines.push(`| ${row.coresPerNode} | ${row.answersPerSecond} | ${row.postgresCoresNeeded} | ${row.waitAt200ClientsMs} | ${documents?.documentsPerSecond ?? '–'} | ${documents?.postgresCoresNeeded ?? '–'} |`);
  }
  lines.push('');
  // Conclusions written by hand after looking at a full run; they name the run they refer to.
  if (!results.quick && existsSync(conclusionsFile)) lines.push(readFileSync(conclusionsFile, 'utf8').trimEnd(), '');
  writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
  return [`${base}.json`, `${base}.md`];
}
