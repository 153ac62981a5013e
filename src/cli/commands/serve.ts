/**
 * `beleg serve`: opens the data directory and services, starts the HTTP API and web page, and
 * prints where it listens and how to ingest and ask. Without API keys it binds to loopback only,
 * whatever host was asked for, and says so.
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
import { createAnswerService } from '../../create-answerer.ts';

const usage = `Usage: beleg serve [--host H] [--port P] [--data-dir DIR]

Starts the HTTP API and the web page. Settings also come from BELEG_* environment variables
(see README); API keys from BELEG_API_KEYS=key1:write,key2:read.`;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function startupText(config: Config, url: string): string {
  const auth = config.apiKeys.length > 0 ? ` -H "Authorization: Bearer $BELEG_KEY"` : '';
  const lines = [
    `beleg listens on ${url} (data in ${config.dataDir})`,
    '',
    `  web page    ${url}/`,
    `  API docs    ${url}/docs  (OpenAPI: ${url}/openapi.json)`,
    `  ingest      curl${auth} -F file=@dokument.pdf ${url}/documents`,
    `              curl${auth} -H 'Content-Type: application/json' -d '{"url":"https://example.org/seite"}' ${url}/documents`,
    `  ask         curl${auth} -H 'Content-Type: application/json' -d '{"question":"Worum geht es in dem Dokument?"}' ${url}/ask`,
    `  stream      add "stream": true to the question for server-sent events`,
  ];
  if (config.apiKeys.length === 0) {
    lines.push('', 'No API keys are set (BELEG_API_KEYS), so beleg accepts requests from this machine only (loopback).');
  } else {
    const readKeys = config.apiKeys.filter((key) => key.role === 'read').length;
    lines.push('', `${config.apiKeys.length} API keys (${readKeys} read-only); every route but /health, /docs and the web page needs one.`);
  }
  return lines.join('\n');
}

/** The one start-up line about retrieval: hybrid with which model, or lexical-only and why. */
function retrievalText(context: AppContext): string {
  return context.retrieval.mode === 'hybrid'
    ? `retrieval: hybrid (German full text with compound parts + vectors of ${context.retrieval.embeddingModelId})`
    : `retrieval: lexical-only (German full text with compound parts): ${context.retrieval.reason}`;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = loadConfig(process.env, { host: values.host, port: values.port, dataDir: values['data-dir'] });
  let host = config.host;
  if (config.apiKeys.length === 0 && !isLoopback(host)) {
    console.warn(`warning: BELEG_HOST=${host} ignored: without API keys (BELEG_API_KEYS) beleg listens on 127.0.0.1 only.`);
    host = '127.0.0.1';
  }

  const context = await openAppContext(config, { onNotice: (message) => console.error(message) });
  // A composition root that exposes its own answerer takes precedence; otherwise wire the
  // engines and the answer service the way `beleg ask` does.
  const provided = context.answerer;
  let engines: Record<string, LanguageModel> = {};
  let answerer: Answerer;
  try {
    if (provided) {
      answerer = provided;
    } else {
      const created = await createEngines(config, { tokenizer: context.tokenizer, onProgress: (message) => console.error(message) });
      engines = created.engines;
      answerer = createAnswerService(context, engines, created.defaultEngine, { minConfidence: config.minConfidence });
    }
  } catch (error) {
    await context.close();
    throw error;
  }
  const disposeAll = async () => {
    for (const engine of Object.values(engines).reverse()) await engine.dispose();
    await context.close();
  };
  const app = createApp({
    config,
    ingestion: context.ingestion,
    answerer,
    health: appContextHealthProbe(context),
  });

  const server = serve({ fetch: app.fetch, hostname: host, port: config.port });
  const listening = await new Promise<AddressInfo | Error>((resolve) => {
    server.once('listening', () => resolve(server.address() as AddressInfo));
    server.once('error', (error) => resolve(error));
  });
  if (listening instanceof Error) {
    await disposeAll();
    const code = (listening as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `error: port ${config.port} on ${host} is in use. Stop the other process or choose another with --port or BELEG_PORT.`
        : `error: cannot listen on ${host}:${config.port}: ${listening.message}`,
    );
    return 1;
  }
  const shownHost = listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
  console.log(startupText(config, `http://${shownHost}:${listening.port}`));
  console.log(retrievalText(context));

  await new Promise<void>((resolve) => {
    const stop = () => {
      console.log('beleg: shutting down …');
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await disposeAll();
  return 0;
}
