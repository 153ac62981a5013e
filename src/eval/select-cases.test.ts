import { describe, expect, it } from 'vitest';
import type { EvalCase } from './dataset.ts';
import { InvalidDatasetError } from './invalid-dataset-error.ts';
import { casesOfSplit, selectCases } from './select-cases.ts';

const cases: EvalCase[] = Array.from({ length: 40 }, (_, index) => ({
  id: `c${index}`,
  question: `Frage ${index}?`,
  answerable: index % 2 === 0,
}));

describe('selectCases', () => {
  it('keeps the share of unanswerable cases and spreads picks over the whole list', () => {
    const selected = selectCases(cases, 10);
    expect(selected).toHaveLength(10);
    expect(selected.filter((evalCase) => evalCase.answerable)).toHaveLength(5);
    expect(Number(selected.at(-1)!.id.slice(1))).toBeGreaterThan(30);
  });

  it('returns the same subset every time, in dataset order', () => {
    const ids = selectCases(cases, 7).map((evalCase) => evalCase.id);
    expect(selectCases(cases, 7).map((evalCase) => evalCase.id)).toEqual(ids);
    expect([...ids].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(ids);
  });

  it('keeps one of each kind even when one kind is rare', () => {
    const skewed = cases.map((evalCase, index) => ({ ...evalCase, answerable: index !== 5 }));
    expect(selectCases(skewed, 4).some((evalCase) => !evalCase.answerable)).toBe(true);
  });

  it('returns everything without a limit or when the limit is larger', () => {
    expect(selectCases(cases)).toHaveLength(40);
    expect(selectCases(cases, 100)).toHaveLength(40);
  });
});

describe('casesOfSplit', () => {
  const split: EvalCase[] = cases.map((evalCase, index) => ({ ...evalCase, split: index < 20 ? 'tune' : 'test' }));

  it('keeps the cases of one split, and all without a split; --limit then spreads over that split', () => {
    expect(casesOfSplit(split, 'test').map((evalCase) => evalCase.id)).toEqual(split.slice(20).map((evalCase) => evalCase.id));
    expect(casesOfSplit(split, undefined)).toHaveLength(40);
    const limited = selectCases(casesOfSplit(split, 'test'), 4);
    expect(limited.map((evalCase) => evalCase.id)).toEqual(['c20', 'c21', 'c30', 'c31']);
    expect(limited.filter((evalCase) => evalCase.answerable)).toHaveLength(2);
  });

  it('says so when no case is in the split', () => {
    expect(() => casesOfSplit(cases, 'tune')).toThrow(InvalidDatasetError);
    expect(() => casesOfSplit(cases, 'tune')).toThrow(/No case of the dataset is in split 'tune'/);
  });
});
