/**
 * Scale-out on one machine (issue 17): several real `beleg` processes on one PostgreSQL
 * (BELEG_DATABASE_URL, a throwaway embedded server) and one shared LanceDB directory
 * (BELEG_LANCEDB_URI), each process with its own data directory.
 *
 * 1. /ask, extractive engine, over the 120 XQuAD-de paragraphs: 1, 2 and 3 `beleg serve` replicas
 *    at 50 and 200 clients (autocannon, one instance per replica, clients split evenly: see
 *    ask-load.ts), configurations alternating round by round (1,2,3 then 3,2,1 …). Requests/s,
 *    p50/p95/p99, and the CPU seconds per answer of the replicas, PostgreSQL and the load
 *    generator (from /proc), with the machine's busy time and load average.
 * 2. Ingestion: documents/s until `ready`, for `serve` alone (role `all`: one process records
 *    and indexes) and — when the CLI has them — `serve --role api` with 1 and 2 `beleg worker`
 *    processes, configurations alternating round by round.
 * Writes bench/results/scale-out.json (every round, medians, spread) and bench/results/scale-out.md
 * (with the per-core extrapolation to three nodes). Every process it starts is ended at the end,
 * also when it fails or is interrupted.
 *
 * Usage: node --import tsx bench/scale-out/run.ts [--quick] [--rounds R] [--duration SECONDS]
 *          [--documents M] [--skip-ask] [--skip-ingest] [--report] [--keep-logs] [--xquad path/to/xquad.de.dev.json]
 * The full run takes about 25 minutes (/ask 19, ingestion 3–6); `--quick` (about 3): 1 round,
 * 4 s windows, 40 documents per ingestion round, results written to
 * <temp dir>/beleg-scale-out-quick.{json,md} so the real ones are kept. `--skip-ask` / `--skip-ingest` keep that part's rounds from the results file
 * already there (to rerun the other part alone); `--report` only rewrites the summary and the
 * note from the rounds in that file; `--keep-logs` leaves the temporary folder (each process's
 * JSON log and data directory) in place and says where.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres, type TestPostgres } from '../../tests/helpers/start-postgres.ts';
import { runAskRound, type AskRound } from './ask-load.ts';
import { killAllSync, startBeleg, type BelegProcess } from './beleg-process.ts';
import { ingestionTexts, loadXquad } from './corpus.ts';
import { runIngestRound, type IngestRound } from './ingest-load.ts';
import { childrenNamed, waitUntilQuiet } from './process-cpu.ts';
import { writeReport, type ScaleOutResults } from './report.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    documents: { type: 'string' },
    'skip-ask': { type: 'boolean', default: false },
    'skip-ingest': { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    xquad: { type: 'string' },
  },
});
const quick = values.quick;
const rounds = Number(values.rounds ?? (quick ? 1 : 4));
/** Ingestion rounds are short (seconds) and noisy: twice as many. */
const ingestRoundCount = rounds * 2;
const durationSeconds = Number(values.duration ?? (quick ? 4 : 30));
/**
 * Unmeasured start of each /ask round, its first half spent starting the clients in groups (see
 * ask-load.ts): about twice the wait of one answer at that many clients on one replica here
 * (~20 answers/s: 2.5 s at 50 clients, 10 s at 200), so the measured window sees a steady queue.
 */
const rampSeconds = (clients: number) => (clients <= 50 ? 6 : 20) / (quick ? 2 : 1);
const documentsPerRound = Number(values.documents ?? (quick ? 40 : 300));
/** 2 is not asked for by the issue; it shows where two cores top out. */
const REPLICA_COUNTS = [1, 2, 3];
const CLIENT_COUNTS = [50, 200];
const UPLOADERS = 8;
const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const progress = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

// ---- Clean-up that also runs on failure and on Ctrl-C: beleg processes, PostgreSQL, temp files.
const root = mkdtempSync(path.join(os.tmpdir(), 'beleg-scale-out-'));
let postgres: TestPostgres | null = null;
let postgresPid: number | null = null;
process.on('exit', () => {
  killAllSync();
  // PostgreSQL's immediate shutdown; it ends its own backends. Only reached when stop() was not,
  // so its temporary folder (the parent of its data directory, `-D`) is removed here too.
  if (postgresPid !== null) {
    try {
      const argv = readFileSync(`/proc/${postgresPid}/cmdline`, 'utf8').split('\0');
      process.kill(postgresPid, 'SIGQUIT');
      const dataDirectory = argv[argv.indexOf('-D') + 1];
      if (argv.includes('-D') && dataDirectory && path.basename(path.dirname(dataDirectory)).startsWith('beleg-postgres-')) {
        rmSync(path.dirname(dataDirectory), { recursive: true, force: true });
      }
    } catch {
      // Already gone.
    }
  }
  if (values['keep-logs']) process.stderr.write(`logs of every beleg process kept in ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

/**
 * The settings every process gets: the shared metadata and store, the extractive engine, and
 * generation limits raised (as in bench/api) so what is measured is capacity, not admission
 * control; the JSON log at its default level, into a file.
 */
function sharedEnvironment(databaseUrl: string): Record<string, string> {
  return {
    BELEG_DATABASE_URL: databaseUrl,
    BELEG_LANCEDB_URI: path.join(root, 'lancedb'),
    BELEG_ENGINE: 'extractive',
    BELEG_MAX_CONCURRENT_GENERATIONS: '1024',
    BELEG_MAX_QUEUED_GENERATIONS: '1024',
    BELEG_RATE_LIMIT_PER_MINUTE: '0',
    BELEG_LOG_LEVEL: 'info',
  };
}

let processCount = 0;
async function start(name: string, args: string[], environment: Record<string, string>, readyPattern: RegExp): Promise<BelegProcess> {
  processCount += 1;
  const dataDir = path.join(root, `data-${processCount}`);
  mkdirSync(dataDir);
  return startBeleg({ name, args: [...args, '--data-dir', dataDir], environment, logFile: path.join(root, `${processCount}-${name.replaceAll(' ', '-')}.log`), readyPattern });
}
const LISTENING = /listens on http:\/\/\S+/;
const serveReplica = (name: string, environment: Record<string, string>, role?: string) =>
  start(name, ['serve', '--port', '0', ...(role ? ['--role', role] : [])], environment, LISTENING);

/** Whether this checkout's CLI has `serve --role` and `beleg worker` (the job queue of issue 17). */
function rolesAvailable(): boolean {
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(repositoryRoot, 'bin/beleg.js'), ...args], { encoding: 'utf8', cwd: repositoryRoot });
  const serveHelp = cli(['serve', '--help']);
  return serveHelp.status === 0 && serveHelp.stdout.includes('--role') && cli(['worker', '--help']).status === 0;
}

async function uploadAll(url: string, texts: Array<{ title: string; text: string }>): Promise<void> {
  let next = 0;
  const upload = async () => {
    while (next < texts.length) {
      const text = texts[next++]!;
      const response = await fetch(`${url}/documents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(text) });
      if (response.status !== 202) throw new Error(`POST /documents answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: UPLOADERS }, upload));
  for (;;) {
    const listed = (await (await fetch(`${url}/documents?status=ready&limit=1`)).json()) as { total: number };
    if (listed.total >= texts.length) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Asks each replica `count` questions, four at a time, so JIT and word caches are warm in all of them. */
async function warmUp(replicas: BelegProcess[], questions: string[], count: number): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      for (let index = 0; index < count; index += 4) {
        await Promise.all(
          questions.slice(index, index + 4).map(async (question) => {
            const response = await fetch(`${replica.url}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
            if (response.status !== 200) throw new Error(`${replica.name}: /ask answered ${response.status}: ${await response.text()}`);
            await response.arrayBuffer();
          }),
        );
      }
    }),
  );
}

// Quick runs are for trying the benchmark out: their results go to the temporary folder, never into bench/results.
const resultsBase = quick ? path.join(os.tmpdir(), 'beleg-scale-out-quick') : path.join(repositoryRoot, 'bench/results/scale-out');
/** The results file already there, whose rounds a skipped part keeps. */
const previous = existsSync(`${resultsBase}.json`) ? (JSON.parse(readFileSync(`${resultsBase}.json`, 'utf8')) as ScaleOutResults) : null;
if (values.report) {
  if (!previous) throw new Error(`--report rewrites ${resultsBase}.{json,md} from the JSON, which is not there`);
  const { summary: _summary, extrapolation: _extrapolation, ...rounds } = previous as ScaleOutResults & { summary?: unknown; extrapolation?: unknown };
  progress(`rewrote ${writeReport(rounds, resultsBase).join(' and ')}`);
  process.exit(0);
}
const askRounds: AskRound[] = [];
const ingestRounds: IngestRound[] = [];
let ingestionStatus = 'not run';
let askSeconds = 0;
const started = performance.now();
try {
  postgres = await startPostgres();
  postgresPid = childrenNamed(process.pid, 'postgres')[0] ?? null;
  if (postgresPid === null) throw new Error('PostgreSQL started, but its process was not found among this process’s children');
  const environment = sharedEnvironment(await postgres.createDatabase());
  const corpus = loadXquad(values.xquad);
  progress(`PostgreSQL ${postgresPid}; corpus ${corpus.documents.length} paragraphs, ${corpus.questions.length} questions (${corpus.file})`);

  // ---- 1. /ask with 1, 2 and 3 replicas.
  if (!values['skip-ask']) {
    const replicas: BelegProcess[] = [await serveReplica('api 1', environment)];
    await uploadAll(replicas[0]!.url!, corpus.documents);
    progress(`${corpus.documents.length} paragraphs ready`);
    // All three run through every round, so each stays warm; in 1-replica rounds the two others are
    // idle and their CPU is measured (maintenance rounds on an unchanged table: near zero).
    for (let index = 2; index <= Math.max(...REPLICA_COUNTS); index += 1) replicas.push(await serveReplica(`api ${index}`, environment));
    await warmUp(replicas, corpus.questions, quick ? 20 : 100);
    progress(`${replicas.length} replicas warm: ${replicas.map((replica) => replica.url).join(' ')}`);
    const pids = replicas.map((replica) => replica.pid);
    for (let round = 1; round <= rounds; round += 1) {
      for (const clients of CLIENT_COUNTS) {
        const order = round % 2 === 1 ? REPLICA_COUNTS : [...REPLICA_COUNTS].reverse();
        for (const count of order) {
          // Answers still running from the round before (a closed connection does not stop them all at once) must not count here.
          if (!(await waitUntilQuiet(pids))) progress('replicas did not go quiet within 60 s; measuring anyway');
          const result = await runAskRound({
            urls: replicas.map((replica) => replica.url!),
            replicas: count,
            clients,
            round,
            rampSeconds: rampSeconds(clients),
            durationSeconds,
            questions: corpus.questions,
            replicaPids: pids,
            postgresPid,
          });
          askRounds.push(result);
          progress(
            `ask round ${round}: ${count} replica(s), ${clients} clients: ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ` +
              `${result.replicaCpuMsPerRequest} ms replica CPU/answer, machine busy ${Math.round((100 * result.machineBusySeconds) / result.machineCapacitySeconds)} %, ` +
              `non-2xx ${result.requests - result.status2xx}, errors ${result.connectionErrors}`,
          );
        }
      }
    }
    for (const replica of replicas) await replica.stop();
  }

  askSeconds = (performance.now() - started) / 1000;

  // ---- 2. Ingestion: serve alone, then api + 1 and api + 2 workers when the CLI has the roles.
  if (!values['skip-ingest']) {
    const withRoles = rolesAvailable();
    ingestionStatus = withRoles ? 'run with the job queue' : 'only `serve` alone: this checkout has no `serve --role` / `beleg worker` yet';
    type Configuration = { name: string; workers: number };
    const configurations: Configuration[] = [{ name: 'serve alone', workers: 0 }];
    if (withRoles) configurations.push({ name: 'api + 1 worker', workers: 1 }, { name: 'api + 2 workers', workers: 2 });
    let textRound = 0;
    for (let round = 1; round <= ingestRoundCount; round += 1) {
      const order = round % 2 === 1 ? configurations : [...configurations].reverse();
      for (const configuration of order) {
        // Fresh processes per round: an idle worker would take jobs, and a `serve` of every role is one too.
        const server = configuration.workers === 0 ? await serveReplica('serve alone', environment) : await serveReplica('api', environment, 'api');
        const workers: BelegProcess[] = [];
        try {
          for (let index = 1; index <= configuration.workers; index += 1) workers.push(await start(`worker ${index}`, ['worker', '--port', '0'], environment, LISTENING));
          textRound += 1;
          const result = await runIngestRound({
            configuration: configuration.name,
            workers: configuration.workers,
            round,
            url: server.url!,
            texts: ingestionTexts(textRound, documentsPerRound),
            uploaders: UPLOADERS,
            apiPid: server.pid,
            workerPids: workers.map((worker) => worker.pid),
            postgresPid,
          });
          ingestRounds.push(result);
          progress(
            `ingest round ${round}: ${configuration.name}: ${result.documentsPerSecond} documents/s (${result.documents} in ${result.seconds} s, uploads ${result.uploadSeconds} s), ` +
              `${result.belegCpuMsPerDocument} ms beleg CPU/document, failed ${result.failed}`,
          );
        } finally {
          for (const worker of workers) await worker.stop();
          await server.stop();
        }
      }
    }
  }

  const results: ScaleOutResults = {
    benchmark: 'scale-out',
    date: new Date().toISOString(),
    quick,
    seconds: {
      ask: values['skip-ask'] ? (previous?.seconds?.ask ?? 0) : Math.round(askSeconds),
      ingest: values['skip-ingest'] ? (previous?.seconds?.ingest ?? 0) : Math.round((performance.now() - started) / 1000 - askSeconds),
    },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    settings: {
      rounds,
      ingestRounds: ingestRoundCount,
      askDurationSeconds: durationSeconds,
      askRampSeconds: Object.fromEntries(CLIENT_COUNTS.map((clients) => [clients, rampSeconds(clients)])),
      replicaCounts: REPLICA_COUNTS,
      clientCounts: CLIENT_COUNTS,
      documentsPerIngestRound: documentsPerRound,
      uploaders: UPLOADERS,
      corpus: `${corpus.documents.length} XQuAD-de dev paragraphs, ${corpus.questions.length} questions`,
      environment: Object.fromEntries(Object.entries(environment).filter(([key]) => key !== 'BELEG_DATABASE_URL' && key !== 'BELEG_LANCEDB_URI')),
    },
    ask: values['skip-ask'] ? (previous?.ask ?? []) : askRounds,
    ingest: values['skip-ingest'] ? (previous?.ingest ?? []) : ingestRounds,
    ingestionStatus: values['skip-ingest'] ? (previous?.ingestionStatus ?? ingestionStatus) : ingestionStatus,
  };
  const written = writeReport(results, resultsBase);
  progress(`wrote ${written.join(' and ')} after ${Math.round((performance.now() - started) / 1000)} s`);
} finally {
  killAllSync();
  await postgres?.stop();
  postgresPid = null;
}
