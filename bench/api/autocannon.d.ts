// Minimal types for the parts of autocannon that bench/api/run.ts uses (it ships none).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  type Options = {
    url: string;
    connections: number;
    duration: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  };
  type Result = { requests: { total: number; average: number }; errors: number; timeouts: number; non2xx: number };
  type Instance = EventEmitter & Promise<Result>;

  function autocannon(options: Options): Instance;
  export default autocannon;
}
