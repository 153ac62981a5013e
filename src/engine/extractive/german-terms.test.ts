import { describe, expect, it } from 'vitest';
import { readerSimilarity, stem, stemSimilarity } from './german-terms.ts';

const similarity = (question: string, text: string) => readerSimilarity(stem(question), stem(text));

describe('readerSimilarity', () => {
  it('matches a verb with its noun and a participle with its plural', () => {
    expect(similarity('wiedereröffnet', 'Wiedereröffnung')).toBe(0.8);
    expect(similarity('geplant', 'Plänen')).toBe(0.8);
    expect(similarity('kombiniert', 'Kombination')).toBe(0.8);
    expect(similarity('gegründet', 'Gründung')).toBe(0.8);
  });

  it('matches compound parts, and equal words fully', () => {
    expect(similarity('Beitrag', 'Vereinsbeitrag')).toBeGreaterThanOrEqual(0.6);
    expect(similarity('Brücke', 'Brücke')).toBe(1);
  });

  it('does not match unrelated words or short roots inside longer ones', () => {
    expect(similarity('Rathaus', 'Brücke')).toBe(0);
    expect(similarity('gebaut', 'Gebühr')).toBe(0);
    expect(similarity('Parkausweis', 'Anwohnerausweis')).toBe(0);
  });

  it('leaves retrieval’s stemSimilarity as it was tuned', () => {
    expect(stemSimilarity(stem('geplant'), stem('Plänen'))).toBe(0);
  });
});
