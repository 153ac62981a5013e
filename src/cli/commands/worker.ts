/**
 * `beleg worker`: `beleg serve --role worker` — a process that takes ingestion jobs from the
 * PostgreSQL work queue and serves only /health and /metrics (README, "Scale out").
 */
import { run as serve } from './serve.ts';

export function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: beleg worker [--host H] [--port P] [--data-dir DIR]

Takes ingestion jobs from the work queue in PostgreSQL (BELEG_DATABASE_URL) and writes chunks to the
shared chunk store (BELEG_LANCEDB_URI); serves only /health and /metrics on its port. The same as
'beleg serve --role worker'.`);
    return Promise.resolve(0);
  }
  return serve(['--role', 'worker', ...args]);
}
