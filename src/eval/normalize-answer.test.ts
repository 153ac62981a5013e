import { describe, expect, it } from 'vitest';
import { containsAnswer, normalizeAnswer, tokenF1 } from './normalize-answer.ts';

describe('normalizeAnswer', () => {
  it('lowercases, drops German articles, punctuation and German quotation marks', () => {
    expect(normalizeAnswer('„Die Verteidigung der Panthers“, sagte er.')).toBe('verteidigung panthers sagte er');
    expect(normalizeAnswer('Ein  Haus,   einem Mann; eines Tages')).toBe('haus mann tages');
  });

  it('keeps umlauts and ß instead of folding them', () => {
    expect(normalizeAnswer('Größe der Wärmepumpe')).toBe('größe wärmepumpe');
    expect(normalizeAnswer('Groesse')).not.toBe(normalizeAnswer('Größe'));
  });

  it('treats composed and decomposed umlauts alike', () => {
    expect(normalizeAnswer('Wa\u0308rme')).toBe(normalizeAnswer('Wärme'));
  });

  it('splits at dashes and slashes', () => {
    expect(normalizeAnswer('Nord–Süd/Ost-West')).toBe('nord süd ost west');
  });
});

describe('containsAnswer', () => {
  it('finds the gold answer as whole tokens regardless of case, articles and punctuation', () => {
    expect(containsAnswer('Die Verteidigung der Panthers gab nur 308 Punkte ab.', '308')).toBe(true);
    expect(containsAnswer('Kawann Short führte das Team an.', 'Kawann Short')).toBe(true);
    expect(containsAnswer('Er sprach von der Denver Broncos.', 'die Denver Broncos')).toBe(true);
  });

  it('does not match inside longer tokens or out of order', () => {
    expect(containsAnswer('Es waren 3080 Punkte.', '308')).toBe(false);
    expect(containsAnswer('Short Kawann führte', 'Kawann Short')).toBe(false);
  });

  it('never counts an empty gold answer', () => {
    expect(containsAnswer('der die das', 'die')).toBe(false);
  });
});

describe('tokenF1', () => {
  it('is 1 for identical answers after normalisation and 0 without overlap', () => {
    expect(tokenF1('die Denver Broncos', 'Denver Broncos!')).toBe(1);
    expect(tokenF1('Carolina Panthers', 'Denver Broncos')).toBe(0);
  });

  it('balances precision and recall over token multisets', () => {
    // prediction: 5 tokens, gold: 2, overlap 2 → precision 0.4, recall 1 → F1 = 0.8 / 1.4
    expect(tokenF1('gab nur 308 Punkte ab', '308 Punkte')).toBeCloseTo((2 * 0.4 * 1) / 1.4, 10);
    // Repeated tokens count once per occurrence in the gold answer.
    expect(tokenF1('Punkte Punkte', 'Punkte')).toBeCloseTo((2 * 0.5 * 1) / 1.5, 10);
  });
});
