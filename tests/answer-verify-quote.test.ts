import { describe, expect, it } from 'vitest';
import { normalizeForMatch, verifyQuote } from '../src/answer/verify-quote.ts';

/** Asserts the contract every verified quote must keep. */
function expectSliceInvariant(stored: string, result: ReturnType<typeof verifyQuote>) {
  expect(result).not.toBeNull();
  expect(stored.slice(result!.charStart, result!.charEnd)).toBe(result!.quote);
}

describe('verifyQuote: exact matches', () => {
  it('finds an exact quote with umlauts and ß at its offsets', () => {
    const stored = 'Einleitung. Die Straße führt über Düsseldorf nach Köln. Ende.';
    const result = verifyQuote(stored, 'Die Straße führt über Düsseldorf nach Köln.');
    expectSliceInvariant(stored, result);
    expect(result).toMatchObject({ charStart: 12, match: 'exact' });
  });

  it('prefers the occurrence inside the retrieved chunk when a sentence repeats', () => {
    const stored = 'Der Rhein ist lang. Anderes Thema. Der Rhein ist lang. Schluss.';
    const second = stored.lastIndexOf('Der Rhein');
    expect(verifyQuote(stored, 'Der Rhein ist lang.')!.charStart).toBe(0);
    const preferred = verifyQuote(stored, 'Der Rhein ist lang.', { preferRange: { charStart: 30, charEnd: stored.length } });
    expect(preferred!.charStart).toBe(second);
    expectSliceInvariant(stored, preferred);
  });

  it('ignores whitespace the model put around the quote', () => {
    const stored = 'Ein Satz. Noch einer.';
    const result = verifyQuote(stored, '  Noch einer.\n');
    expect(result).toMatchObject({ quote: 'Noch einer.', match: 'exact', charStart: 10, charEnd: 21 });
  });

  it('rejects text that is not in the document, and empty quotes', () => {
    const stored = 'Berlin ist die Hauptstadt Deutschlands.';
    expect(verifyQuote(stored, 'München ist die Hauptstadt Deutschlands.')).toBeNull();
    expect(verifyQuote(stored, 'Berlin ist die Hauptstadt von Deutschland.')).toBeNull();
    expect(verifyQuote(stored, '   ')).toBeNull();
    // Case is meaning for a verbatim quote: no case folding.
    expect(verifyQuote(stored, 'berlin ist die Hauptstadt Deutschlands.')).toBeNull();
  });
});

describe('verifyQuote: normalised matches mapped back to exact offsets', () => {
  it('matches straight quotation marks against German typographic ones', () => {
    const stored = 'Er nannte es „das große Werk“ und ging.';
    const result = verifyQuote(stored, 'Er nannte es "das große Werk" und ging.');
    expectSliceInvariant(stored, result);
    expect(result).toMatchObject({ match: 'normalized', quote: stored });
  });

  it('matches curly single quotes, guillemets and apostrophes', () => {
    const stored = 'Sie sagte: »Geht’s noch?« und ‚lachte‘.';
    const result = verifyQuote(stored, 'Sie sagte: "Geht\'s noch?" und \'lachte\'.');
    expectSliceInvariant(stored, result);
    expect(result!.quote).toBe(stored);
  });

  it('matches across line breaks and runs of spaces in the stored text', () => {
    const stored = 'Vorher.\nDie Donau fließt\n  durch   Wien\tund Budapest. Nachher.';
    const result = verifyQuote(stored, 'Die Donau fließt durch Wien und Budapest.');
    expectSliceInvariant(stored, result);
    expect(result!.quote).toBe('Die Donau fließt\n  durch   Wien\tund Budapest.');
    expect(result!.charStart).toBe(8);
  });

  it('matches a quote with a line break against single spaces', () => {
    const stored = 'Die Donau fließt durch Wien.';
    const result = verifyQuote(stored, 'Die Donau\nfließt durch Wien.');
    expect(result).toMatchObject({ quote: stored, match: 'normalized', charStart: 0, charEnd: stored.length });
  });

  it('matches dashes of every width', () => {
    const stored = 'Die Jahre 1914–1918 – der Erste Weltkrieg – waren hart.';
    const result = verifyQuote(stored, 'Die Jahre 1914-1918 - der Erste Weltkrieg — waren hart.');
    expectSliceInvariant(stored, result);
    expect(result!.quote).toBe(stored);
  });

  it('ignores soft hyphens in the stored text and keeps them in the returned quote', () => {
    const stored = 'Die Donau\u00addampf\u00adschiff\u00adfahrt ist alt.';
    const result = verifyQuote(stored, 'Donaudampfschifffahrt ist alt.');
    expectSliceInvariant(stored, result);
    expect(result!.charStart).toBe(4);
    expect(result!.quote).toBe('Donau\u00addampf\u00adschiff\u00adfahrt ist alt.');
  });

  it('matches a decomposed (NFD) quote against composed (NFC) stored text', () => {
    const stored = 'Die Bürger wählten in Göttingen.';
    const quote = 'Bürger wählten in Göttingen.'.normalize('NFD');
    expect(quote).not.toBe('Bürger wählten in Göttingen.');
    const result = verifyQuote(stored, quote);
    expectSliceInvariant(stored, result);
    expect(result).toMatchObject({ charStart: 4, charEnd: stored.length, match: 'normalized' });
  });

  it('maps offsets exactly into decomposed (NFD) stored text', () => {
    const stored = 'Vorwort. Die Bürger wählten in Göttingen. Fin.'.normalize('NFD');
    const result = verifyQuote(stored, 'Die Bürger wählten in Göttingen.');
    expectSliceInvariant(stored, result);
    expect(result!.quote.normalize('NFC')).toBe('Die Bürger wählten in Göttingen.');
    expect(stored.slice(0, result!.charStart)).toBe('Vorwort. ');
  });

  it('matches an ellipsis character against three dots', () => {
    const stored = 'Und dann … kam nichts mehr.';
    expect(verifyQuote(stored, 'Und dann ... kam nichts mehr.')!.quote).toBe(stored);
  });

  it('prefers the normalised occurrence inside the chunk range', () => {
    const stored = 'Das „Haus“ brennt. Zwischentext. Das „Haus“ brennt.';
    const result = verifyQuote(stored, 'Das "Haus" brennt.', { preferRange: { charStart: 20, charEnd: stored.length } });
    expectSliceInvariant(stored, result);
    expect(result!.charStart).toBe(stored.lastIndexOf('Das'));
  });

  it('normalizeForMatch collapses what verification forgives', () => {
    expect(normalizeForMatch('  „Straße“ –\u00ad  Weg ')).toBe('"Straße" - Weg');
  });
});
