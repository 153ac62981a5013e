/**
 * CPU time of processes from Linux's /proc, for per-request costs: a process and all its live
 * descendants (beleg's parser subprocesses, PostgreSQL's backends), plus what the reaped ones
 * left in their parent's `cutime`/`cstime`. Also the machine's busy share from /proc/stat, to
 * tell how much of the two cores other work took during a round.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (`getconf CLK_TCK`; 100 on every Linux beleg runs on). */
const TICKS_PER_SECOND = 100;

type Stat = { pid: number; parentPid: number; ticks: number };

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { pid, parentPid: Number(fields[1]), ticks };
  } catch {
    return null;
  }
}

function allStats(): Stat[] {
  const stats: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The pids of `root` and every live descendant. */
export function processTree(root: number, stats: Stat[] = allStats()): number[] {
  const children = new Map<number, number[]>();
  for (const stat of stats) children.set(stat.parentPid, [...(children.get(stat.parentPid) ?? []), stat.pid]);
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (!stats.some((stat) => stat.pid === pid)) continue;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) of each root's process tree, read at one moment. */
export function treeCpuSeconds(roots: number[]): number[] {
  const stats = allStats();
  const byPid = new Map(stats.map((stat) => [stat.pid, stat]));
  return roots.map((root) => processTree(root, stats).reduce((sum, pid) => sum + byPid.get(pid)!.ticks, 0) / TICKS_PER_SECOND);
}

/** The machine's CPU counters (all cores): busy and total seconds since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // cpu user nice system idle iowait irq softirq steal …
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = values[3]! + values[4]!;
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Pids of the direct children of `parent` whose command name (/proc/<pid>/comm) is `name`. */
export function childrenNamed(parent: number, name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.parentPid !== parent) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(stat.pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * Resolves once `pids` together use less than `threshold` of one core over a window of
 * `windowMs` (a replica finished the answers still queued when the load stopped), or after
 * `timeoutMs`; returns whether they went quiet.
 */
export async function waitUntilQuiet(pids: number[], options: { threshold?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
  const { threshold = 0.1, windowMs = 500, timeoutMs = 60_000 } = options;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = treeCpuSeconds(pids).reduce((sum, value) => sum + value, 0);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const used = treeCpuSeconds(pids).reduce((sum, value) => sum + value, 0) - before;
    if (used < threshold * (windowMs / 1000)) return true;
  }
  return false;
}
