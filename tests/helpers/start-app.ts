/**
 * Starts the real beleg app on an ephemeral loopback port with fakes (or given services), for
 * integration tests that talk HTTP.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { AccessService } from '../../src/access/access-service.ts';
import type { Answerer } from '../../src/answer/answer-contract.ts';
import { createApp } from '../../src/api/app.ts';
import { configSchema, type ApiKey, type Config } from '../../src/config.ts';
import type { Ingestion } from '../../src/ingest/types.ts';
import type { Logger } from '../../src/logger.ts';
import { FakeAnswerer } from './fake-answerer.ts';
import { FakeIngestion, type FakeIngestionOptions } from './fake-ingestion.ts';

export type StartAppOptions = {
  apiKeys?: ApiKey[];
  limits?: Partial<Config['limits']>;
  /** The server's confidence threshold (BELEG_MIN_CONFIDENCE); the fake answerer applies it too. */
  minConfidence?: number;
  ingestionOptions?: FakeIngestionOptions;
  /** Receives the app's log (none without it). */
  logger?: Logger;
  /** BELEG_OCR (default auto). */
  ocr?: Config['ocr'];
};

export type RunningApp = {
  url: string;
  config: Config;
  ingestion: FakeIngestion;
  answerer: FakeAnswerer;
  close(): Promise<void>;
};

/** Serves `createApp` over HTTP on 127.0.0.1 and an ephemeral port. */
export async function serveApp(
  config: Config,
  ingestion: Ingestion,
  answerer: Answerer,
  logger?: Logger,
  access?: AccessService,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp({ config, ingestion, answerer, logger, access });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve({ server, port: info.port }));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts the app with a FakeIngestion and a FakeAnswerer. */
export async function startApp(options: StartAppOptions = {}): Promise<RunningApp> {
  const config = configSchema.parse({
    dataDir: '/nonexistent/beleg-test',
    apiKeys: options.apiKeys ?? [],
    limits: options.limits ?? {},
    minConfidence: options.minConfidence,
    ocr: options.ocr,
  });
  const ingestion = new FakeIngestion(options.ingestionOptions);
  const answerer = new FakeAnswerer(ingestion, { minConfidence: config.minConfidence });
  const served = await serveApp(config, ingestion, answerer, options.logger);
  return { ...served, config, ingestion, answerer };
}

/** One server-sent event as received. */
export type ReceivedEvent = { event: string; data: string };

/**
 * Reads a `text/event-stream` body to its end and splits it into events, checking the framing:
 * every event is `event:` and `data:` lines ended by a blank line.
 */
export async function readServerSentEvents(response: Response): Promise<ReceivedEvent[]> {
  const text = await response.text();
  if (!text.endsWith('\n\n')) throw new Error(`The event stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .filter((block) => !block.split('\n').every((line) => line.startsWith(':')))
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue; // comment (keep-alive)
        if (line.startsWith('event: ')) event = line.slice('event: '.length);
        else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
        else throw new Error(`Unexpected line in event stream: ${JSON.stringify(line)}`);
      }
      return { event, data: data.join('\n') };
    });
}
