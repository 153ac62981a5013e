import { describe, expect, it } from 'vitest';
import { layoutPages } from '../loaders/pdf-layout.ts';
import type { RecognizedLine } from './recognize-text.ts';
import { cleanLine, toLayoutLines } from './recognized-lines.ts';

/** A body line at `row` (300 dpi, 12 pt: rows 50 px, 58 px apart), full width unless `right` says. */
function line(text: string, row: number, options: Partial<RecognizedLine> = {}): RecognizedLine {
  const top = 400 + row * 58;
  return { text, left: 535, top, right: 1947, bottom: top + 50, baseline: top + 39, rowHeight: 49 + (row % 3), confidence: 95, ...options };
}

describe('toLayoutLines', () => {
  it('gives body lines one font size, so the PDF layout joins them and undoes hyphenation', () => {
    const lines = toLayoutLines(
      {
        confidence: 94,
        lines: [
          line('Das monatliche Wohngeld wird zum Monatsanfang auf Ihr Konto bei der Spar-', 0),
          line('kasse Lindenau überwiesen. Die Verwal-', 1),
          line('tung prüft den Antrag.', 2, { right: 1100 }),
        ],
      },
      { height: 3508, dpi: 300 },
    );
    expect(new Set(lines.map((each) => each.fontSize)).size).toBe(1);
    const { text } = layoutPages([lines]);
    expect(text).toBe('Das monatliche Wohngeld wird zum Monatsanfang auf Ihr Konto bei der Sparkasse Lindenau überwiesen. Die Verwaltung prüft den Antrag.');
  });

  it('keeps a heading in a larger size apart from the body', () => {
    const lines = toLayoutLines(
      { confidence: 90, lines: [line('Begründung und Pflichten', -2, { rowHeight: 69, right: 1400 }), line('Die Wohnung liegt in einer Gemeinde der Mietenstufe IV.', 0, { right: 1500 })] },
      { height: 3508, dpi: 300 },
    );
    expect(lines[0]!.fontSize).toBeGreaterThan(lines[1]!.fontSize + 1.5);
    expect(layoutPages([lines]).text).toBe('Begründung und Pflichten\n\nDie Wohnung liegt in einer Gemeinde der Mietenstufe IV.');
  });

  it('drops specks read as text: lines without letters or digits, short unsure lines', () => {
    const lines = toLayoutLines(
      { confidence: 80, lines: [line('.', 0, { confidence: 90 }), line('‚ ;', 1), line('ii', 2, { confidence: 30 }), line('Seite 2', 3), line('Es gilt.', 4)] },
      { height: 3508, dpi: 300 },
    );
    expect(lines.map((each) => each.text)).toEqual(['Seite 2', 'Es gilt.']);
  });
});

describe('cleanLine', () => {
  it('removes lone marks between words, which would end sentences early', () => {
    expect(cleanLine('Ihre tatsächliche . Miete')).toBe('Ihre tatsächliche Miete');
    expect(cleanLine('| Die Wohnung , liegt')).toBe('Die Wohnung liegt');
    expect(cleanLine('‚Wohngeld ist zurückzuzahlen.')).toBe('Wohngeld ist zurückzuzahlen.');
  });

  it('keeps real punctuation, dashes and abbreviations', () => {
    const text = 'Frau Dr. Weißenböck, Tel. 0341 555-2718 – montags, z. B. 8:30 Uhr.';
    expect(cleanLine(text)).toBe(text);
  });
});
