/**
 * `beleg serve`: opens the data directory and services, starts the HTTP API and web page, and
 * logs where it listens and how to ingest and ask. Without API keys it binds to loopback only,
 * whatever host was asked for, and says so. Everything it says, from start-up to shutdown, is a
 * JSON line on stdout (src/logger.ts), at `BELEG_LOG_LEVEL`. SIGTERM and SIGINT stop it: no new
 * connections, open ones closed, stores released, exit code 0.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import type { Answerer } from '../../answer/answer-contract.ts';
import { createApp } from '../../api/app.ts';
import { appContextHealthProbe } from '../../api/health.ts';
import { openAppContext, type AppContext } from '../../app-context.ts';
import { loadConfig, type Config } from '../../config.ts';
import { createEngines } from '../../engine/create-engine.ts';
import type { LanguageModel } from '../../engine/language-model.ts';
import { answerServiceSettings, createAnswerService } from '../../create-answerer.ts';
import { BelegError } from '../../errors.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { text } from '../../messages/index.ts';

const usage = `Usage: beleg serve [--host H] [--port P] [--data-dir DIR] [--role all|api|worker]

Starts the HTTP API and the web page. Settings also come from BELEG_* environment variables
(see README); API keys from BELEG_API_KEYS=key1:write,key2:read.

--role all     answer requests and index documents (default)
--role api     answer requests; ingestion jobs wait in PostgreSQL for workers
--role worker  index documents from the PostgreSQL work queue; serves only /health and /metrics
api and worker need BELEG_DATABASE_URL and a shared BELEG_LANCEDB_URI (README, "Scale out").`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** How long requests in flight (a streamed answer, say) may take after SIGTERM before they are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/** The start-up line: where beleg listens, and ready-to-copy commands to ingest and ask. */
function logListening(logger: Logger, config: Config, url: string): void {
  if (config.role === 'worker') {
    logger.info(`beleg worker listens on ${url} (/health and /metrics only; it takes ingestion jobs from the PostgreSQL work queue)`, { url, role: config.role, dataDir: config.dataDir });
    return;
  }
  const auth = config.apiKeys.length > 0 ? ` -H "Authorization: Bearer $BELEG_KEY"` : '';
  // The message keeps its old wording (URL, then a space): scripts read the URL from it.
  logger.info(`beleg listens on ${url} (data in ${config.dataDir})`, {
    url,
    role: config.role,
    dataDir: config.dataDir,
    webPage: `${url}/`,
    apiDocs: `${url}/docs`,
    examples: {
      ingestFile: `curl${auth} -F file=@dokument.pdf ${url}/documents`,
      ingestUrl: `curl${auth} -H 'Content-Type: application/json' -d '{"url":"https://example.org/seite"}' ${url}/documents`,
      ask: `curl${auth} -H 'Content-Type: application/json' -d '{"question":"Worum geht es in dem Dokument?"}' ${url}/ask`,
      stream: 'add "stream": true to the question for server-sent events',
    },
  });
  if (config.apiKeys.length === 0) {
    logger.info('No API keys are set (BELEG_API_KEYS), so beleg accepts requests from this machine only (loopback).', { apiKeys: 0 });
  } else {
    const readKeys = config.apiKeys.filter((key) => key.role === 'read').length;
    logger.info(`${config.apiKeys.length} API keys (${readKeys} read-only); every route but /health, /docs and the web page needs one.`, {
      apiKeys: config.apiKeys.length,
      readOnlyKeys: readKeys,
    });
  }
}

/** The address a client on this machine connects to: loopback for a wildcard address. */
function connectableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

/** The one start-up line about retrieval: hybrid with which model, or lexical-only and why. */
function logRetrieval(logger: Logger, context: AppContext): void {
  const fields = { retrieval: context.retrieval.mode, embeddingModel: context.retrieval.embeddingModelId };
  if (context.retrieval.mode === 'hybrid') {
    logger.info(`retrieval: hybrid (German full text with compound parts + vectors of ${context.retrieval.embeddingModelId})`, fields);
  } else {
    logger.info(`retrieval: lexical-only (German full text with compound parts): ${context.retrieval.reason}`, fields);
  }
}

/**
 * Resolves with the signal's name on the first SIGTERM or SIGINT. Listening from the start
 * matters in a container, where beleg is PID 1: the kernel does not apply a signal's default
 * action to PID 1, so a SIGTERM that came before any listener would be ignored.
 */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = loadConfig(process.env, { host: values.host, port: values.port, dataDir: values['data-dir'], role: values.role });
  const logger = createLogger({ level: config.logLevel });
  const stopping = stopSignal();
  let started = false;
  // A stop asked for during start-up (opening the stores, converting a model can take minutes)
  // ends the process at once: everything beleg writes survives a killed process (README,
  // "Storage and durability"), and the next start takes over the lock and resumes.
  void stopping.then((signal) => {
    if (started) return;
    logger.warn('stop requested during start-up: exiting without finishing it', { signal });
    process.exit(0);
  });

  let host = config.host;
  if (config.apiKeys.length === 0 && !isLoopback(host)) {
    // Logs are English, from the message catalogue.
    logger.warn(text('en', 'cli.serve.loopback_only', { host }), { host, listensOn: '127.0.0.1' });
    host = '127.0.0.1';
  }

  let context: AppContext;
  try {
    context = await openAppContext(config, { onNotice: (message) => logger.info(message) });
  } catch (error) {
    return failedToStart(logger, error);
  }
  // A composition root that exposes its own answerer takes precedence; otherwise wire the
  // engines and the answer service the way `beleg ask` does.
  const provided = context.answerer;
  let engines: Record<string, LanguageModel> = {};
  let answerer: Answerer;
  try {
    if (provided) {
      answerer = provided;
    } else if (config.role === 'worker') {
      // A worker answers nothing: no engine is loaded.
      answerer = workerAnswerer();
    } else {
      const created = await createEngines(config, { tokenizer: context.tokenizer, onProgress: (message) => logger.info(message) });
      engines = created.engines;
      answerer = createAnswerService(context, engines, created.defaultEngine, answerServiceSettings(config));
    }
  } catch (error) {
    await context.close();
    return failedToStart(logger, error);
  }
  const disposeAll = async () => {
    for (const engine of Object.values(engines).reverse()) await engine.dispose();
    await context.close();
  };
  const app = createApp({
    config,
    ingestion: context.ingestion,
    answerer,
    access: context.access,
    health: appContextHealthProbe(context),
    logger,
  });

  const server = serve({ fetch: app.fetch, hostname: host, port: config.port });
  const listening = await new Promise<AddressInfo | Error>((resolve) => {
    server.once('listening', () => resolve(server.address() as AddressInfo));
    server.once('error', (error) => resolve(error));
  });
  if (listening instanceof Error) {
    await disposeAll();
    const code = (listening as NodeJS.ErrnoException).code;
    logger.fatal(
      code === 'EADDRINUSE'
        ? text('en', 'port_in_use', { port: config.port, host })
        : text('en', 'listen_failed', { host, port: config.port, reason: listening.message }),
      { host, port: config.port, code },
    );
    return 1;
  }
  started = true;
  const shownHost = listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
  // The CLI on this machine finds the server through the data directory's lock.
  context.lock.announce(`http://${connectableHost(listening)}:${listening.port}`);
  logListening(logger, config, `http://${shownHost}:${listening.port}`);
  logRetrieval(logger, context);

  const signal = await stopping;
  context.lock.announce(null);
  logger.info(`shutting down: no new connections, open requests get ${SHUTDOWN_GRACE_MS / 1000} s to finish`, { signal });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if ('closeIdleConnections' in server) {
    server.closeIdleConnections();
    const http = server;
    setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  }
  await closed;
  await disposeAll();
  logger.info('stopped', { signal });
  return 0;
}

/** The answerer of a worker process, whose app serves only /health and /metrics: it has no engines. */
function workerAnswerer(): Answerer {
  const refuse = () => new Error('a worker process answers no questions');
  return {
    engines: () => [],
    answer: () => Promise.reject(refuse()),
    stream: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(refuse()) }),
    }),
  };
}

/** Logs why start-up failed; the exit code is 1. */
function failedToStart(logger: Logger, error: unknown): number {
  if (error instanceof BelegError) logger.fatal(`beleg could not start: ${error.message}`, { code: error.code });
  else logger.fatal('beleg could not start: unexpected error', { error });
  return 1;
}
