import { describe, expect, it } from 'vitest';
import { negotiateLanguage } from './negotiate-language.ts';

describe('negotiateLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-DE,de;q=0.9', 'de'],
    ['de-AT', 'de'],
    ['DE-ch;q=0.8', 'de'],
    ['en-US,en;q=0.9,de;q=0.8', 'en'],
    ['en;q=0.5,de;q=0.9', 'de'],
    ['fr-FR,fr;q=0.9,de;q=0.7,en;q=0.5', 'de'],
    ['fr-FR,fr;q=0.9', 'en'],
    ['*', 'en'],
    ['*;q=0.1,de;q=0.5', 'de'],
    ['de;q=0,en', 'en'],
    ['de;q=0', 'en'],
    ['en,de', 'en'],
    ['de,en', 'de'],
    ['deu', 'en'],
  ])('%s → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });
});
