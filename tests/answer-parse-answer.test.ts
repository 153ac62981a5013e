import { describe, expect, it } from 'vitest';
import { isRefusal, parseAnswer } from '../src/answer/parse-answer.ts';
import { REFUSAL } from '../src/engine/language-model.ts';

describe('parseAnswer', () => {
  it('reads a quote and its citation in EM German format', () => {
    const parsed = parseAnswer(' Der Rhein ist 1233 km lang. (Quelle: Url: https://de.wikipedia.org/wiki/Rhein)');
    expect(parsed).toEqual({
      kind: 'quote',
      quote: 'Der Rhein ist 1233 km lang.',
      parts: ['Der Rhein ist 1233 km lang.'],
      citation: 'Url: https://de.wikipedia.org/wiki/Rhein',
    });
  });

  it('recognises the refusal, also with a trailing remark or different spacing', () => {
    expect(parseAnswer(REFUSAL)).toEqual({ kind: 'refusal' });
    expect(parseAnswer(` ${REFUSAL}\nMehr kann ich nicht sagen.`)).toEqual({ kind: 'refusal' });
    expect(isRefusal('Mit den gegebenen  Informationen ist diese Frage nicht zu beantworten')).toBe(true);
    expect(isRefusal('Mit den gegebenen Informationen ist das klar.')).toBe(false);
  });

  it('keeps parentheses inside the quote and uses the last citation group', () => {
    const parsed = parseAnswer('Die Stadt (gegründet 1200) liegt am Main. (Quelle: Datei: chronik.pdf, Seite 3)');
    expect(parsed).toMatchObject({
      kind: 'quote',
      quote: 'Die Stadt (gegründet 1200) liegt am Main.',
      citation: 'Datei: chronik.pdf, Seite 3',
    });
  });

  it('removes quotation marks wrapped around the whole quote', () => {
    expect(parseAnswer('„Der Main fließt in den Rhein.“ (Quelle: Titel: Main)')).toMatchObject({
      quote: 'Der Main fließt in den Rhein.',
    });
    // Marks that belong to the sentence stay.
    expect(parseAnswer('„Ja“, sagte sie. (Quelle: Titel: Main)')).toMatchObject({ quote: '„Ja“, sagte sie.' });
  });

  it('splits quotes joined by an ellipsis into parts', () => {
    const parsed = parseAnswer('Erster Satz. … Dritter Satz. (Quelle: Titel: X)');
    expect(parsed).toMatchObject({ kind: 'quote', parts: ['Erster Satz.', 'Dritter Satz.'] });
  });

  it('tolerates a trailing period and multi-line citations', () => {
    expect(parseAnswer('Satz. (Quelle:\nUrl: https://a.example/x\nTitel: A).')).toMatchObject({
      kind: 'quote',
      citation: 'Url: https://a.example/x Titel: A',
    });
  });

  it('calls output without a citation, an empty quote or an empty answer malformed', () => {
    expect(parseAnswer('Der Rhein ist lang.')).toMatchObject({ kind: 'malformed' });
    expect(parseAnswer('(Quelle: Titel: X)')).toMatchObject({ kind: 'malformed' });
    expect(parseAnswer('Satz. (Quelle: Titel: X')).toMatchObject({ kind: 'malformed' });
    expect(parseAnswer('Satz. (Quelle: )')).toMatchObject({ kind: 'malformed' });
    expect(parseAnswer('   ')).toMatchObject({ kind: 'malformed' });
  });
});
