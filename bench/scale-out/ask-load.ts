/**
 * One /ask load round over several replicas: autocannon in this process, the clients split over
 * the replicas as evenly as they go (200 over 3: 67, 67, 66), each replica's clients in up to ten
 * autocannon instances started one after another over the first half of the ramp.
 * That is what a round-robin load balancer in front of the replicas does with long-lived
 * connections, without adding a balancer process of our own to the two cores. Every request
 * takes the next question from one shared list (XQuAD-de's 612, in order), so replicas see the
 * same mix. A round is a ramp and a measured window: with 200 clients in a closed loop an answer
 * waits for the ~199 others ahead of it (seconds), so the first answers of a round only come once
 * the queue has filled; only responses that complete inside the window count, and the CPU
 * seconds each replica, PostgreSQL and this process spent are read at the window's edges.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import { machineCpuSeconds, treeCpuSeconds } from './process-cpu.ts';

export type AskRound = {
  replicas: number;
  clients: number;
  round: number;
  /** Unmeasured seconds before the window. */
  rampSeconds: number;
  /** The measured window, as it was timed. */
  durationSeconds: number;
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
  /** Requests each loaded replica answered. */
  requestsPerReplica: number[];
  /** CPU seconds of each replica's process tree during the round (all replicas, loaded or idle). */
  replicaCpuSeconds: number[];
  postgresCpuSeconds: number;
  /** This process: autocannon and the bookkeeping. */
  loadGeneratorCpuSeconds: number;
  /** Busy CPU seconds of the whole machine (all cores) during the round, and its capacity (cores × seconds). */
  machineBusySeconds: number;
  machineCapacitySeconds: number;
  /** Per 2xx answer, in milliseconds: all replicas together, PostgreSQL. */
  replicaCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  loadGeneratorCpuMsPerRequest: number;
  /** Machine busy time not spent by the replicas, PostgreSQL or this process: other people's work. */
  otherBusySeconds: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
};

export type AskRoundOptions = {
  /** The URLs to load; the first `replicas` of them. */
  urls: string[];
  replicas: number;
  clients: number;
  round: number;
  rampSeconds: number;
  durationSeconds: number;
  questions: string[];
  /** Process trees measured: every running replica, and PostgreSQL's postmaster. */
  replicaPids: number[];
  postgresPid: number;
};

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Splits `total` clients over `parts` replicas as evenly as possible. */
export function splitClients(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0));
}

let nextQuestion = 0;
/** Groups the clients of one replica start in (see the ramp). */
const STAGGER_GROUPS = 10;

/** Runs one round and measures it. */
export async function runAskRound(options: AskRoundOptions): Promise<AskRound> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const requestsPerReplica = new Array<number>(options.replicas).fill(0);
  const measuredPids = [...options.replicaPids, options.postgresPid];
  type Snapshot = { at: number; cpu: number[]; self: NodeJS.CpuUsage; machine: { busy: number; total: number }; loadAverage: number[] };
  const snapshot = (): Snapshot => ({ at: performance.now(), cpu: treeCpuSeconds(measuredPids), self: process.cpuUsage(), machine: machineCpuSeconds(), loadAverage: os.loadavg() });
  let measuring = false;
  let windowStart: Snapshot | null = null;
  let windowEnd: Snapshot | null = null;
  const rampTimer = setTimeout(() => {
    windowStart = snapshot();
    measuring = true;
  }, options.rampSeconds * 1000);
  const endTimer = setTimeout(() => {
    measuring = false;
    windowEnd = snapshot();
  }, (options.rampSeconds + options.durationSeconds) * 1000);

  // The clients of each replica start in groups spread over the first half of the ramp: started
  // all at once, answers that share the event loop fairly would all finish together too, and the
  // window would count whole bursts (or none).
  const staggerSeconds = options.rampSeconds / 2;
  const totalSeconds = options.rampSeconds + options.durationSeconds + 1;
  const instances = splitClients(options.clients, options.replicas).flatMap((connections, replica) =>
    splitClients(connections, Math.min(connections, STAGGER_GROUPS)).map(async (groupConnections, group, groups) => {
      const offsetSeconds = (staggerSeconds * group) / groups.length;
      if (offsetSeconds > 0) await new Promise((resolve) => setTimeout(resolve, offsetSeconds * 1000));
      const instance = autocannon({
        url: options.urls[replica]!,
        connections: groupConnections,
        // A second past the window, so the window ends by our timer while the load is still on.
        duration: totalSeconds - offsetSeconds,
        timeout: 120,
        requests: [
          {
            method: 'POST',
            path: '/ask',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => {
              const question = options.questions[nextQuestion % options.questions.length]!;
              nextQuestion += 1;
              return { ...request, body: JSON.stringify({ question }) };
            },
          },
        ],
      });
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        if (!measuring) return;
        latencies.push(responseTime);
        statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
        requestsPerReplica[replica]! += 1;
      });
      return instance;
    }),
  );
  const results = await Promise.all(instances);

  clearTimeout(rampTimer);
  clearTimeout(endTimer);
  if (!windowStart || !windowEnd) throw new Error('autocannon ended before the measured window did');
  const start: Snapshot = windowStart;
  const end: Snapshot = windowEnd;
  const elapsedSeconds = (end.at - start.at) / 1000;
  const cpu = end.cpu.map((after, index) => after - start.cpu[index]!);
  const replicaCpuSeconds = cpu.slice(0, options.replicaPids.length);
  const postgresCpuSeconds = cpu.at(-1)!;
  const loadGeneratorCpuSeconds = (end.self.user - start.self.user + end.self.system - start.self.system) / 1e6;

  latencies.sort((left, right) => left - right);
  const count = (predicate: (status: number) => boolean) => [...statuses].filter(([status]) => predicate(status)).reduce((sum, [, total]) => sum + total, 0);
  const status2xx = count((status) => status >= 200 && status < 300);
  const replicaTotal = replicaCpuSeconds.reduce((sum, value) => sum + value, 0);
  const machineBusySeconds = end.machine.busy - start.machine.busy;
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  const perRequest = (seconds: number) => (status2xx === 0 ? Number.NaN : round1((seconds * 1000) / status2xx));
  return {
    replicas: options.replicas,
    clients: options.clients,
    round: options.round,
    rampSeconds: options.rampSeconds,
    durationSeconds: round3(elapsedSeconds),
    requests: latencies.length,
    requestsPerSecond: round1(latencies.length / elapsedSeconds),
    p50Ms: round1(percentile(latencies, 0.5)),
    p95Ms: round1(percentile(latencies, 0.95)),
    p99Ms: round1(percentile(latencies, 0.99)),
    status2xx,
    status429: count((status) => status === 429),
    status5xx: count((status) => status >= 500),
    otherStatus: count((status) => status < 200 || (status >= 300 && status < 500 && status !== 429)),
    connectionErrors: results.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    requestsPerReplica,
    replicaCpuSeconds: replicaCpuSeconds.map(round3),
    postgresCpuSeconds: round3(postgresCpuSeconds),
    loadGeneratorCpuSeconds: round3(loadGeneratorCpuSeconds),
    machineBusySeconds: round3(machineBusySeconds),
    machineCapacitySeconds: round3(end.machine.total - start.machine.total),
    replicaCpuMsPerRequest: perRequest(replicaTotal),
    postgresCpuMsPerRequest: perRequest(postgresCpuSeconds),
    loadGeneratorCpuMsPerRequest: perRequest(loadGeneratorCpuSeconds),
    otherBusySeconds: round3(Math.max(0, machineBusySeconds - replicaTotal - postgresCpuSeconds - loadGeneratorCpuSeconds)),
    loadAverageBefore: start.loadAverage,
    loadAverageAfter: end.loadAverage,
  };
}
