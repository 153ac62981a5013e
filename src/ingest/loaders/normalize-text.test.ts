import { describe, expect, it } from 'vitest';
import { normalizeText, unfoldLigatures } from './normalize-text.ts';

describe('normalizeText', () => {
  it('unfolds ligatures', () => {
    expect(unfoldLigatures('Der Ofﬁzier ﬂog mit dem Schiﬀ, der Ausﬂug war ein Eﬀekt; Ausﬃ, Triﬄ')).toBe(
      'Der Offizier flog mit dem Schiff, der Ausflug war ein Effekt; Ausffi, Triffl',
    );
  });

  it('composes to NFC so "ä" is one code point', () => {
    const decomposed = 'Ma\u0308dchen und Gru\u0308\u00DFe';
    expect(normalizeText(decomposed)).toBe('Mädchen und Grüße');
    expect(normalizeText(decomposed)).toHaveLength('Mädchen und Grüße'.length);
  });

  it('unifies line ends, removes invisible characters and collapses empty lines', () => {
    expect(normalizeText('\uFEFFErste Zeile\r\nZweite\u00ADZeile \r\n\r\n\r\n\r\nDritte\u200B Zeile\u0000  ')).toBe(
      'Erste Zeile\nZweiteZeile\n\nDritte Zeile',
    );
  });

  it('turns a page break (form feed) into a paragraph break, so the pages\' words stay apart', () => {
    expect(normalizeText('Ende der ersten Seite.\fBeginn der zweiten.\n\fDritte')).toBe('Ende der ersten Seite.\n\nBeginn der zweiten.\n\nDritte');
  });

  it('turns non-breaking spaces into spaces', () => {
    expect(normalizeText('5\u00A0%\u202Fund\tmehr')).toBe('5 % und mehr');
  });
});
