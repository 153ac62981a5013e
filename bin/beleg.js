#!/usr/bin/env node
// Entry point of the `beleg` command. Runs the TypeScript sources directly through tsx,
// so `npm ci` is the only set-up step (no separate build output to keep in sync).
import { register } from 'tsx/esm/api';

register();
const { main, endQuietlyOnClosedOutput } = await import('../src/cli/main.ts');
endQuietlyOnClosedOutput();
process.exitCode = await main(process.argv.slice(2));
