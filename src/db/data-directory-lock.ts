/**
 * One beleg process per data directory: start-up reconciliation treats every `indexing` document
 * as interrupted, which is only true when no other process is indexing. A lock file holding the
 * owner's pid; a lock left by a dead process (killed, crashed) is taken over.
 *
 * A lock holding this process's own pid that this process did not take is stale too: in a
 * container beleg is PID 1 at every start, so after a killed run the lock names the new process.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { BelegError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';

/** Another live process uses the data directory. */
export class DataDirectoryLockedError extends BelegError {
  constructor(dataDir: string, pid: number) {
    super(userMessage('data_directory_locked', { dataDir, pid }), { details: { dataDir, pid } });
  }
}

/** Lock files this process holds. */
const held = new Set<string>();

/** A held lock; `release()` removes it. */
export type DataDirectoryLock = { release(): void };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dataDir>/beleg.lock` or throws DataDirectoryLockedError. */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const file = path.join(dataDir, 'beleg.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const descriptor = openSync(file, 'wx');
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      held.add(file);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          held.delete(file);
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      const ownedByOtherProcess = owner !== process.pid || held.has(file);
      if (Number.isInteger(owner) && owner > 0 && ownedByOtherProcess && isAlive(owner)) throw new DataDirectoryLockedError(dataDir, owner);
      rmSync(file, { force: true });
    }
  }
  throw new DataDirectoryLockedError(dataDir, -1);
}
