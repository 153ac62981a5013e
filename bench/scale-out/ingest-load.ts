/**
 * One ingestion round: `documents` small German texts uploaded through `POST /documents` (JSON,
 * `uploaders` requests at a time) to one serving process, then the time until every one of them
 * is `ready`, counted by `GET /documents?status=…` (the totals, looked at every 100 ms: the
 * resolution of the measured time). Measures the CPU seconds of the serving process, of each
 * worker and of PostgreSQL over the round.
 */
import os from 'node:os';
import { machineCpuSeconds, treeCpuSeconds } from './process-cpu.ts';

export type IngestRound = {
  configuration: string;
  workers: number;
  round: number;
  documents: number;
  /** From the first upload until the last document was ready. */
  seconds: number;
  /** Until the last upload was answered (202). */
  uploadSeconds: number;
  documentsPerSecond: number;
  failed: number;
  apiCpuSeconds: number;
  workerCpuSeconds: number[];
  postgresCpuSeconds: number;
  /** This process: the uploads and the polling. */
  loadGeneratorCpuSeconds: number;
  /** Machine busy time not spent by beleg, PostgreSQL or this process: other people's work. */
  otherBusySeconds: number;
  /** All of beleg's processes together (the server and the workers), per document. */
  belegCpuMsPerDocument: number;
  postgresCpuMsPerDocument: number;
  machineBusySeconds: number;
  machineCapacitySeconds: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
};

export type IngestRoundOptions = {
  configuration: string;
  workers: number;
  round: number;
  /** The serving process that takes the uploads. */
  url: string;
  texts: Array<{ title: string; text: string }>;
  uploaders: number;
  apiPid: number;
  workerPids: number[];
  postgresPid: number;
  timeoutMs?: number;
};

async function countWithStatus(url: string, status: string): Promise<number> {
  const response = await fetch(`${url}/documents?status=${status}&limit=1`);
  if (response.status !== 200) throw new Error(`GET /documents?status=${status} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { total: number }).total;
}

/** Uploads the texts, waits until all are ready (or failed) and measures the round. */
export async function runIngestRound(options: IngestRoundOptions): Promise<IngestRound> {
  const readyBefore = await countWithStatus(options.url, 'ready');
  const failedBefore = await countWithStatus(options.url, 'failed');
  const loadAverageBefore = os.loadavg();
  const pids = [options.apiPid, ...options.workerPids, options.postgresPid];
  const cpuBefore = treeCpuSeconds(pids);
  const selfBefore = process.cpuUsage();
  const machineBefore = machineCpuSeconds();
  const started = performance.now();

  let next = 0;
  const upload = async () => {
    while (next < options.texts.length) {
      const text = options.texts[next]!;
      next += 1;
      const response = await fetch(`${options.url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(text) });
      if (response.status !== 202) throw new Error(`POST /documents answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: options.uploaders }, upload));
  const uploadSeconds = (performance.now() - started) / 1000;

  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let ready = 0;
  let failed = 0;
  for (;;) {
    ready = (await countWithStatus(options.url, 'ready')) - readyBefore;
    failed = (await countWithStatus(options.url, 'failed')) - failedBefore;
    if (ready + failed >= options.texts.length) break;
    if (Date.now() > deadline) throw new Error(`${options.configuration}: only ${ready} of ${options.texts.length} documents ready (${failed} failed) after ${options.timeoutMs ?? 600_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const machineAfter = machineCpuSeconds();
  const self = process.cpuUsage(selfBefore);
  const loadGeneratorCpuSeconds = (self.user + self.system) / 1e6;
  const cpu = treeCpuSeconds(pids).map((after, index) => after - cpuBefore[index]!);
  const apiCpuSeconds = cpu[0]!;
  const workerCpuSeconds = cpu.slice(1, 1 + options.workerPids.length);
  const postgresCpuSeconds = cpu.at(-1)!;
  const belegCpu = apiCpuSeconds + workerCpuSeconds.reduce((sum, value) => sum + value, 0);
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return {
    configuration: options.configuration,
    workers: options.workers,
    round: options.round,
    documents: options.texts.length,
    seconds: round3(seconds),
    uploadSeconds: round3(uploadSeconds),
    documentsPerSecond: round1(ready / seconds),
    failed,
    apiCpuSeconds: round3(apiCpuSeconds),
    workerCpuSeconds: workerCpuSeconds.map(round3),
    postgresCpuSeconds: round3(postgresCpuSeconds),
    loadGeneratorCpuSeconds: round3(loadGeneratorCpuSeconds),
    otherBusySeconds: round3(Math.max(0, machineAfter.busy - machineBefore.busy - belegCpu - postgresCpuSeconds - loadGeneratorCpuSeconds)),
    belegCpuMsPerDocument: round1((belegCpu * 1000) / Math.max(1, ready)),
    postgresCpuMsPerDocument: round1((postgresCpuSeconds * 1000) / Math.max(1, ready)),
    machineBusySeconds: round3(machineAfter.busy - machineBefore.busy),
    machineCapacitySeconds: round3(machineAfter.total - machineBefore.total),
    loadAverageBefore,
    loadAverageAfter: os.loadavg(),
  };
}
