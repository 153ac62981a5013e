import { describe, expect, it } from 'vitest';
import { joinLines, layoutPages, type PdfLine } from './pdf-layout.ts';

/** Lines top to bottom, 14 pt apart; `null` leaves an empty line's gap (a paragraph break). */
function page(...texts: Array<string | null>): PdfLine[] {
  const lines: PdfLine[] = [];
  let y = 800;
  for (const text of texts) {
    if (text !== null) lines.push({ text, x: 72, y, fontSize: 11, width: text.length * 5.5 });
    y -= 14;
  }
  return lines;
}

describe('joinLines', () => {
  it.each([
    ['Verkehrs-', 'mittel', 'Verkehrsmittel'],
    ['Nord-', 'Süd-Verbindung', 'Nord-Süd-Verbindung'],
    ['US-', 'amerikanisch', 'US-amerikanisch'],
    ['Jahre 1914-', '1918', 'Jahre 1914-1918'],
    ['das Ende', 'kam', 'das Ende kam'],
    ['Straßen\u00AD', 'bahn', 'Straßenbahn'],
    ['Wort -', 'und weiter', 'Wort - und weiter'],
  ])('%s + %s → %s', (previous, next, joined) => {
    expect(joinLines(previous, next)).toBe(joined);
  });
});

describe('layoutPages', () => {
  it('drops a header and page numbers repeated on most pages but keeps body lines', () => {
    const pages = [1, 2, 3].map((number) => page('Jahresbericht 2023', null, `Text der Seite ${number} steht hier.`, null, null, `- ${number} -`));
    const { text, pages: spans } = layoutPages(pages);
    expect(text).toBe('Text der Seite 1 steht hier.\n\nText der Seite 2 steht hier.\n\nText der Seite 3 steht hier.');
    expect(spans.map((span) => text.slice(span.charStart, span.charEnd).trim())).toEqual([
      'Text der Seite 1 steht hier.',
      'Text der Seite 2 steht hier.',
      'Text der Seite 3 steht hier.',
    ]);
  });

  it('keeps a header that appears on one page only', () => {
    const { text } = layoutPages([page('Vorwort', null, 'Erste Seite.'), page('Zweite Seite.')]);
    expect(text).toBe('Vorwort\n\nErste Seite.\n\nZweite Seite.');
  });

  it('starts paragraphs at wider vertical gaps and joins lines in between', () => {
    const { text } = layoutPages([page('Erste Zeile des', 'Absatzes.', null, 'Zweiter Absatz.')]);
    expect(text).toBe('Erste Zeile des Absatzes.\n\nZweiter Absatz.');
  });

  it('continues a sentence in the next column and breaks after a finished one', () => {
    const column = (x: number, texts: string[]) => texts.map((text, index) => ({ text, x, y: 700 - index * 14, fontSize: 10, width: 200 }));
    const { text } = layoutPages([
      [
        ...column(72, ['Die erste Spalte endet mitten in einem', 'langen Satz über die']),
        ...column(320, ['Straßenbahn der Stadt. Das ist alles.', 'Hier endet er.']),
      ],
    ]);
    expect(text).toBe('Die erste Spalte endet mitten in einem langen Satz über die Straßenbahn der Stadt. Das ist alles. Hier endet er.');
    const finished = layoutPages([[...column(72, ['Die erste Spalte endet mit einem Satz.']), ...column(320, ['Die zweite beginnt neu.'])]]);
    expect(finished.text).toBe('Die erste Spalte endet mit einem Satz.\n\nDie zweite beginnt neu.');
  });

  it('keeps a heading in the body font on its own line and ends a paragraph on a short last line', () => {
    const { text } = layoutPages([
      page(
        'Der Verein heißt Sportverein Lindenau und hat seinen Sitz in der',
        'Stadt. Er wurde am 3. April 1905 gegründet.',
        '§ 2 Zweck',
        'Zweck des Vereins ist die Pflege des Sports und die Förderung der',
        'Jugend. Er ist gemeinnützig und politisch neutral, so die Satzung.',
        '§ 3 Mitgliedschaft',
        'Mitglied kann jede Person werden.',
      ),
    ]);
    expect(text).toBe(
      'Der Verein heißt Sportverein Lindenau und hat seinen Sitz in der Stadt. Er wurde am 3. April 1905 gegründet.\n\n' +
        '§ 2 Zweck\nZweck des Vereins ist die Pflege des Sports und die Förderung der Jugend. Er ist gemeinnützig und politisch neutral, so die Satzung.\n' +
        '§ 3 Mitgliedschaft\nMitglied kann jede Person werden.',
    );
  });

  it('keeps list items on their own lines after the line that introduces them', () => {
    const { text } = layoutPages([page('Dem Vorstand des Vereins gehören seit der Wahl im Mai 2023 an:', '• Hans Müller', '• Eva Schmidt')]);
    expect(text).toBe('Dem Vorstand des Vereins gehören seit der Wahl im Mai 2023 an:\n• Hans Müller\n• Eva Schmidt');
  });

  it('gives an empty page a span without text', () => {
    const { text, pages } = layoutPages([page('Erste Seite mit Text.'), [], page('Dritte Seite mit Text.')]);
    expect(text.slice(pages[1]!.charStart, pages[1]!.charEnd).trim()).toBe('');
    expect(text.slice(pages[2]!.charStart)).toBe('Dritte Seite mit Text.');
  });
});
