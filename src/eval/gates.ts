/**
 * Quality gates: a JSON file of minimum and maximum values for metrics of a report. `beleg eval
 * --gate eval/gates.json` exits non-zero when any gate fails, so regressions fail CI.
 *
 * ```json
 * { "min": { "citationPrecision": 1, "recallAt5": 0.7 }, "max": { "falseRefusalRate": 0.3 } }
 * ```
 * Names are metric names of report.json, nested ones dotted (`latency.totalMs.p95`).
 */
import { z } from 'zod';
import { userMessage } from '../messages/index.ts';
import { InvalidDatasetError, listProblems } from './invalid-dataset-error.ts';
import type { Metrics } from './metrics.ts';
import { metricValue } from './report.ts';

export const gatesSchema = z
  .object({
    $comment: z.string().optional(),
    min: z.record(z.string(), z.number()).default({}),
    max: z.record(z.string(), z.number()).default({}),
  })
  .strict();
export type Gates = z.infer<typeof gatesSchema>;

export type GateOutcome = {
  metric: string;
  bound: 'min' | 'max';
  limit: number;
  /** The measured value; null when the run could not measure it (which fails the gate). */
  value: number | null;
  passed: boolean;
};

/** Parses a gates file's text; throws InvalidDatasetError naming the bad field. */
export function parseGates(text: string, where: string): Gates {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidDatasetError(userMessage('invalid_dataset.not_json', { file: where, reason: (error as Error).message, hint: '' }));
  }
  const parsed = gatesSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidDatasetError(userMessage('invalid_dataset.not_gates', { file: where, problems: listProblems(problems) }), problems);
  }
  return parsed.data;
}

/**
 * Checks every gate against the metrics. A metric that is null (nothing to measure it on) fails
 * its gate: a gate nobody can check is not a passed gate. Throws InvalidDatasetError for names
 * that are not metrics, so a typo cannot silently disable a gate.
 */
export function checkGates(metrics: Metrics, gates: Gates): GateOutcome[] {
  const outcomes: GateOutcome[] = [];
  const unknown: string[] = [];
  for (const bound of ['min', 'max'] as const) {
    for (const [metric, limit] of Object.entries(gates[bound])) {
      const value = metricValue(metrics, metric);
      if (value === undefined) {
        unknown.push(`${bound}.${metric}: not a metric of the report`);
        continue;
      }
      const passed = value !== null && (bound === 'min' ? value >= limit : value <= limit);
      outcomes.push({ metric, bound, limit, value, passed });
    }
  }
  if (unknown.length > 0) throw new InvalidDatasetError(userMessage('invalid_dataset.unknown_metrics', { problems: listProblems(unknown) }), unknown);
  return outcomes;
}
