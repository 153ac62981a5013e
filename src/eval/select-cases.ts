/**
 * Picks a deterministic subset of cases for `--limit N`: answerable and unanswerable cases keep
 * their shares of the full set, and each kind is sampled at even spacing across the list, so a
 * small run covers many articles instead of only the first one. Order is kept.
 */
import type { EvalCase, EvalSplit } from './dataset.ts';
import { InvalidDatasetError } from './invalid-dataset-error.ts';
import { userMessage } from '../messages/index.ts';

/** Evenly spaced picks of `count` indices out of `length` (first index always 0). */
function evenlySpaced(length: number, count: number): number[] {
  if (count >= length) return Array.from({ length }, (_, index) => index);
  return Array.from({ length: count }, (_, index) => Math.floor((index * length) / count));
}

/** Returns at most `limit` cases (all when `limit` is undefined or not smaller than the set). */
export function selectCases(cases: readonly EvalCase[], limit?: number): EvalCase[] {
  if (limit === undefined || limit >= cases.length) return [...cases];
  if (limit <= 0) return [];
  const answerable = cases.filter((evalCase) => evalCase.answerable);
  const unanswerable = cases.filter((evalCase) => !evalCase.answerable);
  let answerableCount = Math.round((limit * answerable.length) / cases.length);
  // Keep at least one of each kind when the set has both and the limit allows it.
  if (limit >= 2 && answerable.length > 0 && unanswerable.length > 0) {
    answerableCount = Math.min(Math.max(answerableCount, 1), limit - 1);
  }
  const chosen = new Set<EvalCase>([
    ...evenlySpaced(answerable.length, answerableCount).map((index) => answerable[index]!),
    ...evenlySpaced(unanswerable.length, limit - answerableCount).map((index) => unanswerable[index]!),
  ]);
  return cases.filter((evalCase) => chosen.has(evalCase));
}

/**
 * The cases of one split (all cases when `split` is undefined). Throws InvalidDatasetError when
 * no case is in the split, so `--split` on a dataset without splits says so instead of running nothing.
 */
export function casesOfSplit(cases: readonly EvalCase[], split: EvalSplit | undefined): EvalCase[] {
  if (split === undefined) return [...cases];
  const chosen = cases.filter((evalCase) => evalCase.split === split);
  if (chosen.length === 0) {
    throw new InvalidDatasetError(userMessage('invalid_dataset.no_case_in_split', { split }));
  }
  return chosen;
}
