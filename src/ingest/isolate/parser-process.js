// Entry point of a parser child process (see parse-isolated.ts). Plain JavaScript so that it starts
// under any parent (tsx, vitest, bin/beleg.js): it registers tsx, as bin/beleg.js does, and then
// loads the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./parser-process-main.ts');
