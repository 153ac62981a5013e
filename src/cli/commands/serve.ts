/** `beleg serve`: starts the HTTP service on the configured host and port. */
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../config.ts';
import { createApp } from '../../api/app.ts';

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
    console.log('Usage: beleg serve [--host H] [--port P] [--data-dir DIR]');
    return 0;
  }
  const config = loadConfig(process.env, { host: values.host, port: values.port, dataDir: values['data-dir'] });
  const app = createApp({ config });
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    console.log(`beleg listens on http://${config.host}:${info.port} (data in ${config.dataDir})`);
  });
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
