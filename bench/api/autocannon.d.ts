// Minimal types for the parts of autocannon that bench/api/run.ts and bench/scale-out use (it ships none).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request is sent; returns the request to send (e.g. with another body). */
    setupRequest?: (request: Request) => Request;
    /** Called with the whole body just before the `response` event of the same request. */
    onResponse?: (status: number, body: string) => void;
  };
  type Options = {
    url: string;
    connections: number;
    duration: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    requests?: Request[];
  };
  type Result = { requests: { total: number; average: number }; errors: number; timeouts: number; non2xx: number };
  type Instance = EventEmitter & Promise<Result>;

  function autocannon(options: Options): Instance;
  export default autocannon;
}
