/**
 * beleg started the way the container image starts it: the Dockerfile's CMD, with the runtime
 * stage's ENV and user, as PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`).
 * PID 1 matters: the kernel applies no default signal action to it, so a server that did not
 * handle SIGTERM itself would ignore `docker stop` and be killed 10 s later.
 *
 * Deviations from the image, each one unavoidable outside it: the data directory (the image's
 * VOLUME) is a temporary directory, the port is a free one (8080 may be taken on a shared
 * machine), and API keys are set, as a deployment must for BELEG_HOST=0.0.0.0 to take effect.
 *
 * Needs root for the namespace (as `docker run` does); without it the test fails, it never skips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, temporaryDirectory } from './helpers/storage-temp-dir.ts';

/** The exit bound: `docker stop` waits 10 s before it kills. */
const STOP_BOUND_MS = 10_000;
/** uid and gid of the user `node` of the official Node.js images. */
const IMAGE_USERS: Record<string, number> = { node: 1000 };

type LogLine = Record<string, unknown> & { level: string; msg: string };

/** The runtime stage of the Dockerfile: CMD, ENV, USER and the HEALTHCHECK's command. */
function runtimeStage(): { command: string[]; environment: Record<string, string>; user: string; healthCheck: string[] } {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const stage = instructions.slice(instructions.findLastIndex((line) => /^FROM\s/i.test(line)));
  const argument = (name: string) => stage.filter((line) => line.toUpperCase().startsWith(`${name} `)).map((line) => line.slice(name.length).trim());
  const command = JSON.parse(argument('CMD').at(-1)!) as string[];
  const environment: Record<string, string> = {};
  for (const line of argument('ENV')) {
    for (const pair of line.split(/\s+/)) {
      const separator = pair.indexOf('=');
      environment[pair.slice(0, separator)] = pair.slice(separator + 1);
    }
  }
  const healthCheck = JSON.parse(/\bCMD\s+(\[.*\])$/.exec(argument('HEALTHCHECK').at(-1)!)![1]!) as string[];
  return { command, environment, user: argument('USER').at(-1)!, healthCheck };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something can listen on the port again. */
async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

type Started = { child: ChildProcess; lines: () => LogLine[]; listening: LogLine; serverPid: number; exited: Promise<number | null> };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTemporaryDirectories();
});

/** Runs the image's HEALTHCHECK command against the port; its exit code. */
async function healthCheck(port: number): Promise<number | null> {
  const [command, ...args] = runtimeStage().healthCheck;
  const check = spawn(command!, args, { env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, BELEG_PORT: String(port) }, stdio: 'ignore' });
  return new Promise((resolve) => check.once('exit', (code) => resolve(code)));
}

/** Starts the image's command as PID 1 of a new PID namespace, as the image's user. */
async function startLikeTheImage(dataDir: string, port: number): Promise<Started> {
  const stage = runtimeStage();
  const uid = IMAGE_USERS[stage.user];
  expect(uid, `the Dockerfile's USER '${stage.user}' is not one this test knows`).toBeDefined();
  const home = temporaryDirectory('beleg-container-home-');
  chownSync(home, uid!, uid!);
  const environment = {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    ...stage.environment,
    BELEG_DATA_DIR: dataDir,
    BELEG_PORT: String(port),
    BELEG_API_KEYS: 'container-test-write-key-0123456789:write',
  };
  // setpriv switches to the image's user and execs the command, so the command keeps PID 1.
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', 'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...stage.command],
    { cwd: path.resolve(import.meta.dirname, '..'), env: environment, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = () =>
    stdout
      .slice(0, stdout.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogLine);
  const listening = await new Promise<LogLine>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = lines().find((entry) => entry.msg.startsWith('beleg listens on'));
      if (line) resolve(line);
    });
    void exited.then((code) => reject(new Error(`unshare/beleg exited with ${code} before listening (root needed for unshare --pid): ${stderr}${stdout}`)));
  });
  // unshare's only child is the namespace's PID 1: beleg, seen from here under another pid.
  const serverPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim());
  return { child, lines, listening, serverPid, exited };
}

describe('the container command', () => {
  it('runs as PID 1, listens on 0.0.0.0, and on SIGTERM exits 0 within 10 s and frees the port', async () => {
    const dataDir = temporaryDirectory('beleg-container-data-');
    chownSync(dataDir, IMAGE_USERS.node!, IMAGE_USERS.node!);
    const port = await freePort();
    const server = await startLikeTheImage(dataDir, port);
    expect(server.listening.pid).toBe(1);
    expect(server.listening.url).toBe(`http://0.0.0.0:${port}`);
    expect(readFileSync(`/proc/${server.serverPid}/status`, 'utf8')).toMatch(/^Uid:\s+1000\b/m);

    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    expect(await healthCheck(port)).toBe(0);

    const stoppedAt = performance.now();
    // As `docker stop` does: SIGTERM to the container's PID 1, from outside its namespace.
    process.kill(server.serverPid, 'SIGTERM');
    const code = await Promise.race([server.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), STOP_BOUND_MS).unref())]);
    const stopMs = performance.now() - stoppedAt;
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(STOP_BOUND_MS);
    expect(server.lines().map((line) => line.msg)).toContain('stopped');
    expect(await portIsFree(port)).toBe(true);
    expect(await healthCheck(port)).toBe(1);
  });

  it('starts again on the same data directory after PID 1 was killed (the lock holder was pid 1, as the new server is)', async () => {
    const dataDir = temporaryDirectory('beleg-container-data-');
    mkdirSync(dataDir, { recursive: true });
    chownSync(dataDir, IMAGE_USERS.node!, IMAGE_USERS.node!);
    const port = await freePort();
    const first = await startLikeTheImage(dataDir, port);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'beleg.lock.json'), 'utf8'))).toMatchObject({ pid: 1 });
    process.kill(first.serverPid, 'SIGKILL');
    await first.exited;

    const second = await startLikeTheImage(dataDir, port);
    expect(second.listening.pid).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    process.kill(second.serverPid, 'SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
