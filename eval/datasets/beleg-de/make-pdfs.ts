/**
 * Writes the PDFs of the beleg-de evaluation set with pdf-lib (a second PDF producer besides the
 * browsers and office suites beleg meets in the wild). The output is deterministic: fixed dates,
 * no random ids, so re-running this script leaves git clean.
 *
 *   npx tsx eval/datasets/beleg-de/make-pdfs.ts
 *
 * What each PDF tests:
 * - merkblatt-heizungstausch.pdf, three pages with a running header and footer: answers on page 2
 *   and 3, a word broken across a line with a hyphen ("Landes-" / "programm"), and a table whose
 *   cells are separate text runs on one baseline.
 * - abfallkalender.pdf, one page that is mostly a table.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixedDate = new Date('2026-01-15T09:00:00Z');

type Line = string | { cells: Array<[x: number, text: string]>; bold?: boolean };

type PageSpec = { lines: Line[] };

async function makePdf(file: string, title: string, header: string, pages: PageSpec[]): Promise<void> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setAuthor('Stadt Lindenau (erfunden für die beleg-Evaluation)');
  pdf.setProducer('pdf-lib (beleg eval/datasets/beleg-de/make-pdfs.ts)');
  pdf.setCreator('beleg');
  pdf.setCreationDate(fixedDate);
  pdf.setModificationDate(fixedDate);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  pages.forEach((spec, index) => {
    const page = pdf.addPage([595, 842]); // A4 in points
    drawText(page, header, 56, 800, regular, 9);
    let y = 760;
    for (const line of spec.lines) {
      if (typeof line === 'string') {
        if (line.length > 0) drawText(page, line, 56, y, line.startsWith('# ') ? bold : regular, line.startsWith('# ') ? 14 : 11);
        y -= line.startsWith('# ') ? 24 : 16;
      } else {
        for (const [x, text] of line.cells) drawText(page, text, x, y, line.bold ? bold : regular, 11);
        y -= 18;
      }
    }
    drawText(page, `Seite ${index + 1} von ${pages.length}`, 480, 40, regular, 9);
  });
  const bytes = await pdf.save({ useObjectStreams: false });
  await writeFile(path.join(here, 'documents', file), bytes);
}

function drawText(page: PDFPage, text: string, x: number, y: number, font: PDFFont, size: number): void {
  page.drawText(text.startsWith('# ') ? text.slice(2) : text, { x, y, font, size });
}

await makePdf('merkblatt-heizungstausch.pdf', 'Merkblatt Förderprogramm Heizungstausch 2026', 'Stadtwerke Lindenau · Merkblatt Heizungstausch 2026', [
  {
    lines: [
      '# Förderprogramm Heizungstausch 2026',
      'Die Stadtwerke Lindenau unterstützen Eigentümerinnen und Eigentümer beim Umstieg',
      'auf eine Heizung mit erneuerbaren Energien. Anträge nimmt das Kundenzentrum in der',
      'Bahnhofstraße 12 entgegen.',
      '',
      'Antragsberechtigt sind Eigentümerinnen und Eigentümer von Wohngebäuden in Lindenau,',
      'deren Bauantrag vor dem 1. Januar 2010 gestellt wurde.',
      '',
      'Die Förderung wird als Zuschuss ausgezahlt. Eine Kombination mit dem Landes-',
      'programm „Klimabonus“ ist ausgeschlossen. Andere Förderungen des Bundes dürfen',
      'angerechnet werden.',
    ],
  },
  {
    lines: [
      '# Höhe der Förderung',
      'Der Zuschuss für eine Wärmepumpe beträgt 30 Prozent der förderfähigen Kosten,',
      'höchstens jedoch 9.000 Euro je Wohneinheit. Förderfähig sind Geräte, Einbau und',
      'die hydraulische Anpassung der Heizkörper.',
      '',
      'Die Fördersätze für alle Anlagen zeigt die folgende Tabelle.',
      '',
      { cells: [[56, 'Anlage'], [230, 'Zuschuss'], [330, 'Höchstbetrag']], bold: true },
      { cells: [[56, 'Wärmepumpe'], [230, '30 %'], [330, '9.000 Euro']] },
      { cells: [[56, 'Pelletheizung'], [230, '20 %'], [330, '6.000 Euro']] },
      { cells: [[56, 'Solarthermie'], [230, '25 %'], [330, '4.500 Euro']] },
    ],
  },
  {
    lines: [
      '# Antrag und Auszahlung',
      'Anträge müssen vor Beginn der Baumaßnahme gestellt werden. Die Bearbeitung dauert',
      'in der Regel sechs Wochen. Der Zuschuss wird nach Vorlage der Schlussrechnung',
      'ausgezahlt.',
    ],
  },
]);

await makePdf('abfallkalender.pdf', 'Abfallkalender Lindenau 2026', 'Stadt Lindenau · Abfallwirtschaft', [
  {
    lines: [
      '# Abfallkalender 2026',
      'Die Tonnen werden ab 6 Uhr geleert. Bitte stellen Sie sie am Abend vorher bereit.',
      '',
      { cells: [[56, 'Tonne'], [200, 'Abholtag'], [330, 'Rhythmus']], bold: true },
      { cells: [[56, 'Restmüll'], [200, 'Dienstag'], [330, 'alle zwei Wochen']] },
      { cells: [[56, 'Biotonne'], [200, 'Freitag'], [330, 'wöchentlich']] },
      { cells: [[56, 'Papier'], [200, 'Mittwoch'], [330, 'alle vier Wochen']] },
    ],
  },
]);

console.log('wrote', path.join(here, 'documents'));
