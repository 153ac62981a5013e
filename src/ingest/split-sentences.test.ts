import { describe, expect, it } from 'vitest';
import { splitSentences } from './split-sentences.ts';

/** The sentences of `text` as strings (via their offsets). */
function sentences(text: string): string[] {
  return splitSentences(text).map((span) => text.slice(span.charStart, span.charEnd));
}

/** The sentences with their flags: `|` for `blockStart`, `H:` for `heading`. */
function flagged(text: string, marking?: 'guess' | 'marked'): string[] {
  return splitSentences(text, { marking }).map(
    (span) => `${span.blockStart ? '|' : ''}${span.heading ? 'H:' : ''}${text.slice(span.charStart, span.charEnd)}`,
  );
}

describe('splitSentences (German)', () => {
  it('splits plain sentences at . ! ?', () => {
    expect(sentences('Das Wetter ist schön. Kommst du mit? Ja, gern!')).toEqual([
      'Das Wetter ist schön.',
      'Kommst du mit?',
      'Ja, gern!',
    ]);
  });

  it.each([
    ['z. B.', 'Viele Städte, z. B. Köln und Bonn, liegen am Rhein. Sie sind alt.'],
    ['z.B.', 'Viele Städte, z.B. Köln und Bonn, liegen am Rhein. Sie sind alt.'],
    ['d. h.', 'Die Stadt wuchs, d. h. Wohnraum wurde knapp. Sie sind alt.'],
    ['u. a.', 'Es kamen u. a. Vertreter der Kirche. Sie sind alt.'],
    ['bzw.', 'Der Preis betrug 5 bzw. 7 Euro. Sie sind alt.'],
    ['ca.', 'Die Stadt hat ca. 1,1 Mio. Einwohner. Sie sind alt.'],
    ['Nr.', 'Das Haus Nr. 12 steht leer. Sie sind alt.'],
    ['Dr.', 'Dort wohnt Dr. Schmidt seit Jahren. Sie sind alt.'],
    ['Prof.', 'Die Rede hielt Prof. Weber aus Jena. Sie sind alt.'],
    ['St.', 'Die Kirche St. Marien ist gotisch. Sie sind alt.'],
    ['Jh.', 'Die Burg stammt aus dem 12. Jh. und ist gut erhalten. Sie sind alt.'],
    ['usw.', 'Äpfel, Birnen usw. werden hier verkauft. Sie sind alt.'],
    ['etc.', 'Brot, Käse etc. gibt es auf dem Markt. Sie sind alt.'],
    ['vgl.', 'Der Wert ist hoch (vgl. Tabelle 3). Sie sind alt.'],
    ['S.', 'Die Zahl steht auf S. 12 des Berichts. Sie sind alt.'],
    ['Abs.', 'Das regelt Art. 3 Abs. 2 Grundgesetz. Sie sind alt.'],
    ['Mio.', 'Die Stadt zahlte 3 Mio. Euro für den Bau. Sie sind alt.'],
    ['Febr.', 'Die Linie wurde am 20. Febr. 2016 eröffnet. Sie sind alt.'],
    ['Okt.', 'Am 3. Okt. 1990 war die Wiedervereinigung. Sie sind alt.'],
    ['v. Chr.', 'Die Siedlung entstand 50 v. Chr. am Fluss. Sie sind alt.'],
    ['initials', 'Der Komponist Johann S. Bach lebte in Leipzig. Sie sind alt.'],
  ])('does not split at the abbreviation %s', (_name, text) => {
    const result = sentences(text);
    expect(result).toHaveLength(2);
    expect(result[1]).toBe('Sie sind alt.');
  });

  it('splits after words that look like abbreviations but end sentences', () => {
    expect(sentences('Das ist nun einmal so. Dann ging er.')).toEqual(['Das ist nun einmal so.', 'Dann ging er.']);
    expect(sentences('Er sagte dies. Sie nicht.')).toEqual(['Er sagte dies.', 'Sie nicht.']);
    expect(sentences('Er tat es auf seine Art. Sie nicht.')).toEqual(['Er tat es auf seine Art.', 'Sie nicht.']);
    expect(sentences('Das Rennen dauerte nur 5 min. Danach war Ruhe.')).toEqual(['Das Rennen dauerte nur 5 min.', 'Danach war Ruhe.']);
  });

  it('does not split at abbreviations that need a number after them', () => {
    expect(sentences('Das regelt Art. 3 GG. Der Saal fasst max. 50 Personen. Rufen Sie Tel. 0351 123 an.')).toEqual([
      'Das regelt Art. 3 GG.',
      'Der Saal fasst max. 50 Personen.',
      'Rufen Sie Tel. 0351 123 an.',
    ]);
  });

  it('does not split at ordinals and dates', () => {
    expect(sentences('Im 19. Jahrhundert wuchs die Stadt rasch. Die erste Pferdebahn fuhr am 24. März 1882 durch die Stadt.')).toEqual([
      'Im 19. Jahrhundert wuchs die Stadt rasch.',
      'Die erste Pferdebahn fuhr am 24. März 1882 durch die Stadt.',
    ]);
    expect(sentences('Er wurde am 1. 4. 1950 geboren. Sie nicht.')).toEqual(['Er wurde am 1. 4. 1950 geboren.', 'Sie nicht.']);
    expect(sentences('Ludwig XIV. regierte lange. Dann kam Ludwig XV.')).toEqual(['Ludwig XIV. regierte lange.', 'Dann kam Ludwig XV.']);
  });

  it('splits after a year that ends a sentence', () => {
    expect(sentences('Die Brücke wurde eröffnet im Jahr 1896. Danach kamen Busse.')).toEqual([
      'Die Brücke wurde eröffnet im Jahr 1896.',
      'Danach kamen Busse.',
    ]);
  });

  it('keeps decimals, thousands and times inside sentences', () => {
    expect(sentences('Die Quote stieg um 5,6 % auf 3.000 Fälle. Um 14.30 Uhr war Schluss. Der Wert war 2.5 höher.')).toEqual([
      'Die Quote stieg um 5,6 % auf 3.000 Fälle.',
      'Um 14.30 Uhr war Schluss.',
      'Der Wert war 2.5 höher.',
    ]);
  });

  it('does not split at an ellipsis followed by lower case, nor at an omission […]', () => {
    expect(sentences('Er zögerte … dann ging er. Sie blieb.')).toEqual(['Er zögerte … dann ging er.', 'Sie blieb.']);
    expect(sentences('Er zögerte... dann ging er. Sie blieb.')).toEqual(['Er zögerte... dann ging er.', 'Sie blieb.']);
    expect(sentences('„Wir kommen […] Morgen wieder“, sagte sie. Sie blieb.')).toEqual([
      '„Wir kommen […] Morgen wieder“, sagte sie.',
      'Sie blieb.',
    ]);
  });

  it('splits at an ellipsis that ends a sentence', () => {
    expect(sentences('Und dann … Niemand wusste es.')).toEqual(['Und dann …', 'Niemand wusste es.']);
  });

  it('ends a sentence after the closing German quote, not before it', () => {
    expect(sentences('Er sagte: „Die Elektrische hat alles verändert.“ Danach schwieg er.')).toEqual([
      'Er sagte: „Die Elektrische hat alles verändert.“',
      'Danach schwieg er.',
    ]);
    expect(sentences('Sie rief: »Kommt alle her!« Niemand kam.')).toEqual(['Sie rief: »Kommt alle her!«', 'Niemand kam.']);
  });

  it('does not split when a quoted question is followed by its speech tag', () => {
    expect(sentences('„Kommst du morgen?“, fragte sie. Er nickte.')).toEqual(['„Kommst du morgen?“, fragte sie.', 'Er nickte.']);
  });

  it('starts a new sentence at an opening quote', () => {
    expect(sentences('Er ging hinaus. „Warte!“ rief sie.')).toEqual(['Er ging hinaus.', '„Warte!“ rief sie.']);
  });

  it('splits at paragraph breaks even without a period', () => {
    expect(sentences('Geschichte der Stadt\n\nDie Stadt ist alt. Sie liegt am Fluss')).toEqual([
      'Geschichte der Stadt',
      'Die Stadt ist alt.',
      'Sie liegt am Fluss',
    ]);
  });

  it('treats a single line break as a space but splits before list items', () => {
    expect(sentences('Die Stadt liegt\nam Rhein. Sie ist alt.')).toEqual(['Die Stadt liegt\nam Rhein.', 'Sie ist alt.']);
    expect(sentences('Zutaten:\n- Mehl\n- Zucker')).toEqual(['Zutaten:', '- Mehl', '- Zucker']);
  });

  it('makes a heading line followed by a single line break its own sentence', () => {
    expect(sentences('Gebühren des Bürgeramts Lindenau\nDie Ausstellung eines Personalausweises kostet 37 Euro.')).toEqual([
      'Gebühren des Bürgeramts Lindenau',
      'Die Ausstellung eines Personalausweises kostet 37 Euro.',
    ]);
    expect(flagged('Der Antrag ist gestellt.\nKapitel 2\nAnbau und Ernte\nDie Ernte beginnt im Mai.')).toEqual([
      '|Der Antrag ist gestellt.',
      '|H:Kapitel 2',
      '|H:Anbau und Ernte',
      '|Die Ernte beginnt im Mai.',
    ]);
  });

  it('flags the first sentence of every block and every heading line', () => {
    expect(flagged('Geschichte der Stadt\n\nDie Stadt ist alt. Sie liegt am Fluss.')).toEqual([
      '|H:Geschichte der Stadt',
      '|Die Stadt ist alt.',
      'Sie liegt am Fluss.',
    ]);
    expect(flagged('Er wurde am 3. April 1905 gegründet.\n§ 2 Zweck\nZweck des Vereins ist die Pflege des Sports.')).toEqual([
      '|Er wurde am 3. April 1905 gegründet.',
      '|H:§ 2 Zweck',
      '|Zweck des Vereins ist die Pflege des Sports.',
    ]);
    expect(flagged('Die Kosten sind gesunken.\n3.1 Finanzen\nDie Ausgaben stiegen um 4 %.')).toEqual([
      '|Die Kosten sind gesunken.',
      '|H:3.1 Finanzen',
      '|Die Ausgaben stiegen um 4 %.',
    ]);
  });

  it('makes wiki and Markdown heading lines headings, whatever their length or punctuation', () => {
    expect(flagged('Anthropologie\n\n=== Was ist der Mensch? ===\nDie Frage ist alt. Sie bleibt.')).toEqual([
      '|H:Anthropologie',
      '|H:=== Was ist der Mensch? ===',
      '|Die Frage ist alt.',
      'Sie bleibt.',
    ]);
    expect(flagged('Einleitung folgt.\n## Medien und Presse der Region\nDie Zeitung erscheint täglich.')).toEqual([
      '|Einleitung folgt.',
      '|H:## Medien und Presse der Region',
      '|Die Zeitung erscheint täglich.',
    ]);
  });

  it('makes a label with its value a block of its own but no heading', () => {
    expect(flagged('Vorsitzender: Hans Müller\nKassenwart: Eva Schmidt\nDie Wahl war einstimmig.')).toEqual([
      '|Vorsitzender: Hans Müller',
      '|Kassenwart: Eva Schmidt',
      '|Die Wahl war einstimmig.',
    ]);
    expect(flagged('Kapitel 50: Bericht über das Jahr 1998\n\nDas Jahr begann ruhig.')).toEqual([
      '|H:Kapitel 50: Bericht über das Jahr 1998',
      '|Das Jahr begann ruhig.',
    ]);
  });

  it('guesses no headings from line shapes in marked text (HTML, Markdown), only from explicit syntax', () => {
    const text = 'Hauptbahnhof mit Fernverkehr\n\nFlughafen Münster/Osnabrück\n\n## Verkehr\nDie Promenade ist autofrei.';
    expect(flagged(text, 'marked')).toEqual([
      '|Hauptbahnhof mit Fernverkehr',
      '|Flughafen Münster/Osnabrück',
      '|H:## Verkehr',
      '|Die Promenade ist autofrei.',
    ]);
    expect(flagged('Gebühren des Bürgeramts\nDie Ausstellung kostet 37 Euro.', 'marked')).toEqual(['|Gebühren des Bürgeramts\nDie Ausstellung kostet 37 Euro.']);
  });

  it('keeps short lines of an address or a list without prose after them together', () => {
    expect(flagged('Hauptstraße 5\n48143 Münster')).toEqual(['|Hauptstraße 5\n48143 Münster']);
  });

  it('keeps hard-wrapped lines of one sentence together, even when a line starts with a noun', () => {
    const wrapped = 'Die Stadtwerke Lindenau unterstützen Eigentümerinnen und Eigentümer\nBeim Umstieg helfen Berater\nDie Heizung wird getauscht.';
    // Only the first line could be a heading by its position, and it is too long for one.
    expect(sentences(wrapped)).toEqual([wrapped]);
    const longFirstLine = 'Das Bootshaus wurde nach langer Bauzeit im Jahr\n1926 eingeweiht.';
    expect(sentences(`${longFirstLine} Es steht noch.`)).toEqual([longFirstLine, 'Es steht noch.']);
    expect(sentences('Öffnungszeiten:\nMontag bis Freitag von 9 bis 18 Uhr.')).toEqual(['Öffnungszeiten:\nMontag bis Freitag von 9 bis 18 Uhr.']);
  });

  it('does not split at lower case after a period (no new sentence starts)', () => {
    expect(sentences('Er kaufte Brot usw. und ging heim.')).toEqual(['Er kaufte Brot usw. und ging heim.']);
  });

  it('never lets a sentence cross a block: a paragraph break, a page break, a list item, a table row', () => {
    expect(sentences('Die Zünfte übernahmen die Brücke\n\nDie Wiedereröffnung folgte 1905.')).toEqual([
      'Die Zünfte übernahmen die Brücke',
      'Die Wiedereröffnung folgte 1905.',
    ]);
    expect(sentences('Seite eins endet mit\fSeite zwei.')).toEqual(['Seite eins endet mit', 'Seite zwei.']);
    expect(sentences('Es gibt zwei Tarife:\n| Tarif | Preis |\n| Kind | 2 Euro |')).toEqual(['Es gibt zwei Tarife:', '| Tarif | Preis |', '| Kind | 2 Euro |']);
    expect(sentences('Die Schritte sind:\n1. Antrag stellen\n2. Bezahlen')).toEqual(['Die Schritte sind:', '1. Antrag stellen', '2. Bezahlen']);
  });

  it('keeps a hard-wrapped date at a line start inside its sentence (no list item after "am")', () => {
    expect(sentences('Der Verein wurde am\n3. April 1905 gegründet.')).toEqual(['Der Verein wurde am\n3. April 1905 gegründet.']);
  });

  it('ends a paragraph at a line break after a sentence end when lines are not hard-wrapped', () => {
    const long = 'Obwohl die Vereinigten Staaten Erben des britischen Common Laws sind, setzt sich ihr Recht bedeutend davon ab.';
    const spans = flagged(`${long}\nWährend es anderswo üblich ist, geschieht das hier selten.`);
    expect(spans).toEqual([`|${long}`, '|Während es anderswo üblich ist, geschieht das hier selten.']);
    // Lines wrapped at 60 columns keep their sentences in one block.
    expect(flagged('Die Brücke wurde im Jahr 1896 eröffnet und mehrfach erneuert.\nDanach kamen Busse.')).toEqual([
      '|Die Brücke wurde im Jahr 1896 eröffnet und mehrfach erneuert.',
      'Danach kamen Busse.',
    ]);
  });

  it('returns exact offsets without surrounding whitespace', () => {
    const text = '  Erster Satz.   Zweiter Satz!  \n\n  Dritter  ';
    const spans = splitSentences(text);
    expect(spans.map((span) => text.slice(span.charStart, span.charEnd))).toEqual(['Erster Satz.', 'Zweiter Satz!', 'Dritter']);
    for (const span of spans) {
      expect(text[span.charStart]).not.toMatch(/\s/);
      expect(text[span.charEnd - 1]).not.toMatch(/\s/);
    }
  });

  it('splits a sub-range and keeps offsets absolute', () => {
    const text = 'Vorher. Mitte eins. Mitte zwei. Nachher.';
    const start = text.indexOf('Mitte');
    const end = text.indexOf(' Nachher');
    expect(splitSentences(text, { start, end }).map((span) => text.slice(span.charStart, span.charEnd))).toEqual([
      'Mitte eins.',
      'Mitte zwei.',
    ]);
  });

  it('returns nothing for empty or blank text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n ')).toEqual([]);
  });

  it('handles a realistic paragraph', () => {
    const text =
      'Der Fahrpreis betrug ca. 10 Pfennig, bzw. 5 Pfennig für Schüler. Prof. Dr. Heinrich Müller schrieb darüber: ' +
      '„Die Elektrische hat das Leben der Bürger grundlegend verändert.“ Danach folgten weitere Linien. ' +
      'Die Fahrgastzahlen stiegen um 5,6 % pro Jahr, vgl. S. 12 der Jahresstatistik.';
    expect(sentences(text)).toEqual([
      'Der Fahrpreis betrug ca. 10 Pfennig, bzw. 5 Pfennig für Schüler.',
      'Prof. Dr. Heinrich Müller schrieb darüber: „Die Elektrische hat das Leben der Bürger grundlegend verändert.“',
      'Danach folgten weitere Linien.',
      'Die Fahrgastzahlen stiegen um 5,6 % pro Jahr, vgl. S. 12 der Jahresstatistik.',
    ]);
  });
});
