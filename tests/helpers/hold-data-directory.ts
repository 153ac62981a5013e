/**
 * Takes a data directory's lock in a process of its own and says how it went on stdout:
 * `locked <pid>`, or `refused <code>` (then it exits). A holder keeps the lock until it is killed.
 * It drops its own reference to the lock at once, and with `node --expose-gc` collects garbage
 * before it reports: the lock must hold for as long as the process lives, referenced or not.
 *
 * Usage: node --expose-gc --import tsx tests/helpers/hold-data-directory.ts <data dir>
 */
import { lockDataDirectory } from '../../src/db/data-directory-lock.ts';
import { BelegError } from '../../src/errors.ts';

const dataDir = process.argv[2]!;
try {
  lockDataDirectory(dataDir);
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`locked ${process.pid}`);
  setInterval(() => undefined, 60_000);
} catch (error) {
  if (!(error instanceof BelegError)) throw error;
  console.log(`refused ${error.code}`);
}
