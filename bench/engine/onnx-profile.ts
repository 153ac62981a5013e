/**
 * Reading onnxruntime's profiler output (a session opened with `profileFilePrefix`) for the
 * profile-* benchmarks.
 */
import { readFileSync, rmSync } from 'node:fs';

export type ProfiledNode = { name: string; operator: string; ms: number };

/** Reads and deletes a profile: each run's duration and every kernel's time, in order. */
export function readOnnxProfile(profilePath: string): { runMs: number[]; nodes: ProfiledNode[] } {
  type Event = { cat: string; name: string; dur: number; args?: { op_name?: string } };
  const events = JSON.parse(readFileSync(profilePath, 'utf8')) as Event[];
  rmSync(profilePath);
  return {
    runMs: events.filter((event) => event.cat === 'Session' && event.name === 'model_run').map((event) => event.dur / 1000),
    nodes: events
      .filter((event) => event.cat === 'Node' && event.name.endsWith('_kernel_time'))
      .map((event) => ({ name: event.name, operator: event.args?.op_name ?? '?', ms: event.dur / 1000 })),
  };
}

/** Milliseconds of `nodes` summed by `key` and divided by `per` (e.g. per run or per step). */
export function sumBy(nodes: readonly ProfiledNode[], key: (node: ProfiledNode) => string, per: number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const node of nodes) sums.set(key(node), (sums.get(key(node)) ?? 0) + node.ms / per);
  return sums;
}
