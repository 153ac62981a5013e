import { describe, expect, it } from 'vitest';
import { pageAt } from './resolve-answer.ts';

const PAGES = [
  { number: 1, charStart: 0, charEnd: 100 },
  { number: 2, charStart: 102, charEnd: 200 },
  { number: 3, charStart: 200, charEnd: 250 },
];

describe('pageAt', () => {
  it('names the page whose span holds the quote start', () => {
    expect(pageAt(PAGES, 0)).toBe(1);
    expect(pageAt(PAGES, 99)).toBe(1);
    expect(pageAt(PAGES, 102)).toBe(2);
    expect(pageAt(PAGES, 200)).toBe(3);
  });

  it('names the earlier page for a start in the break between two pages, and null without pages', () => {
    expect(pageAt(PAGES, 101)).toBe(1);
    expect(pageAt(PAGES, 260)).toBe(3);
    expect(pageAt(null, 5)).toBeNull();
    expect(pageAt([], 5)).toBeNull();
  });
});
