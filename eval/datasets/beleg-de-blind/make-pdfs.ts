/**
 * Writes the PDF of the beleg-de-blind evaluation set with pdf-lib. The output is deterministic
 * (fixed dates, no random ids), so re-running this script leaves git clean.
 *
 *   npx tsx eval/datasets/beleg-de-blind/make-pdfs.ts
 *
 * merkblatt-kita.pdf has four A4 pages with a running header and footer, numbered bold headings,
 * a bullet list, a numbered list and a fee table whose cells are separate text runs on one
 * baseline. A sentence runs from the bottom of page 2 onto page 3 (its answer is on page 3), and
 * page 4 starts with a heading whose first sentence holds an answer. Every line is checked to fit
 * the page, so an edit cannot silently draw text past the margin.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixedDate = new Date('2024-10-15T08:00:00Z');

/** A line of body text, a heading, a list item, a table row or an empty line. */
type Line =
  | { text: string }
  | { heading: string }
  | { item: string; marker: string }
  | { cells: Array<[x: number, text: string]>; bold?: boolean }
  | { gap: true };

const pageWidth = 595; // A4 in points
const pageHeight = 842;
const left = 56;
const right = pageWidth - 56;
const bodySize = 11;

const text = (value: string): Line => ({ text: value });
const heading = (value: string): Line => ({ heading: value });
const bullet = (value: string): Line => ({ item: value, marker: '•' });
const numbered = (number: number, value: string): Line => ({ item: value, marker: `${number}.` });
const row = (cells: Array<[number, string]>, bold = false): Line => ({ cells, bold });
const gap: Line = { gap: true };

const pages: Line[][] = [
  [
    { heading: 'Merkblatt Kindertagesbetreuung 2025/26' },
    text('Stadt Eschenbrunn – Amt für Jugend, Familie und Bildung'),
    text('Erfundenes Dokument für die Evaluation von beleg: Stadt, Personen und Zahlen sind ausgedacht.'),
    gap,
    heading('1. Allgemeines'),
    text('In Eschenbrunn betreuen sieben städtische Kindertagesstätten und vier Einrichtungen'),
    text('freier Träger zusammen rund 1.050 Kinder.'),
    text('Betreut werden Kinder vom vollendeten ersten Lebensjahr bis zum Schuleintritt.'),
    text('Dieses Merkblatt gilt für alle städtischen Einrichtungen. Die Horte an den Grundschulen'),
    text('haben eigene Regeln und eigene Beiträge; sie sind hier nicht beschrieben.'),
    gap,
    heading('2. Anmeldung'),
    text('Die Anmeldung erfolgt online über den Kita-Navigator der Stadt Eschenbrunn. Wer keinen'),
    text('Internetzugang hat, kann sein Kind auch persönlich im Amt für Jugend, Familie und Bildung'),
    text('anmelden. Das Kita-Jahr 2025/26 beginnt am 1. August 2025. Anmeldungen dafür müssen'),
    text('bis zum 31. Januar 2025 eingegangen sein; spätere Anmeldungen kommen auf die Warteliste.'),
    gap,
    text('Der Anmeldung sind folgende Unterlagen beizufügen:'),
    bullet('Geburtsurkunde des Kindes'),
    bullet('Nachweis über den Masernschutz (Impfpass oder ärztliches Attest)'),
    bullet('Bescheinigung der Arbeitgeber beider Eltern, wenn ein Ganztagsplatz gewünscht wird'),
    bullet('Einkommensnachweis des Vorjahres für die Berechnung des Elternbeitrags'),
  ],
  [
    heading('3. Vergabe der Plätze'),
    text('Die Plätze vergibt das Amt in Absprache mit den Leitungen der Einrichtungen. Reichen die'),
    text('Plätze nicht aus, haben in dieser Reihenfolge Vorrang:'),
    numbered(1, 'Kinder, deren Geschwister bereits dieselbe Einrichtung besuchen,'),
    numbered(2, 'Kinder von Alleinerziehenden und von berufstätigen Eltern,'),
    numbered(3, 'Kinder, die im Einzugsbereich der Einrichtung wohnen.'),
    text('Die Zusagen und Absagen werden bis zum 15. März 2025 per Post verschickt. Eine Zusage'),
    text('muss innerhalb von 14 Tagen schriftlich bestätigt werden, sonst verfällt der Platz.'),
    gap,
    heading('4. Elternbeiträge'),
    text('Der monatliche Elternbeitrag richtet sich nach dem Jahresbruttoeinkommen der Familie und'),
    text('nach der Betreuungszeit. Er wird für zwölf Monate im Jahr erhoben.'),
    gap,
    row([[56, 'Jahreseinkommen der Familie'], [260, 'Halbtagsplatz'], [390, 'Ganztagsplatz']], true),
    row([[56, 'bis 25.000 Euro'], [260, 'beitragsfrei'], [390, 'beitragsfrei']]),
    row([[56, '25.001 bis 40.000 Euro'], [260, '80 Euro'], [390, '120 Euro']]),
    row([[56, '40.001 bis 60.000 Euro'], [260, '140 Euro'], [390, '210 Euro']]),
    row([[56, 'über 60.000 Euro'], [260, '195 Euro'], [390, '290 Euro']]),
    gap,
    text('Ein Halbtagsplatz umfasst bis zu sechs, ein Ganztagsplatz bis zu zehn Stunden am Tag.'),
    text('Das Mittagessen wird zusätzlich berechnet und kostet pauschal 68 Euro im Monat.'),
    gap,
    text('Besuchen mehrere Kinder einer Familie gleichzeitig eine städtische Einrichtung, halbiert'),
    text('sich der Beitrag für das zweite Kind; für das dritte und jedes weitere Kind'),
  ],
  [
    text('wird kein Elternbeitrag erhoben. Das letzte Kita-Jahr vor der Einschulung ist nach'),
    text('Landesrecht für alle Familien beitragsfrei; das Essensgeld ist aber auch dann zu zahlen.'),
    gap,
    heading('5. Öffnungszeiten und Schließtage'),
    text('Die städtischen Kindertagesstätten sind montags bis freitags von 7:00 bis 17:00 Uhr geöffnet.'),
    text('An höchstens 20 Tagen im Jahr bleiben die Einrichtungen geschlossen, davon drei Wochen'),
    text('in den Sommerferien und die Tage zwischen Weihnachten und Neujahr. Die Schließtage'),
    text('für das folgende Jahr werden bis zum 30. November bekanntgegeben.'),
    gap,
    heading('6. Eingewöhnung'),
    text('Die Eingewöhnung dauert in der Regel zwei bis vier Wochen. In dieser Zeit begleitet ein'),
    text('Elternteil das Kind in die Einrichtung; die Dauer richtet sich nach dem Kind.'),
  ],
  [
    heading('7. Kündigung'),
    text('Der Betreuungsvertrag kann von den Eltern mit einer Frist von zwei Monaten zum'),
    text('Monatsende schriftlich gekündigt werden. Mit dem Schuleintritt endet der Vertrag'),
    text('automatisch zum 31. Juli, ohne dass eine Kündigung nötig ist.'),
    gap,
    heading('8. Ansprechpartnerin'),
    text('Stadt Eschenbrunn, Amt für Jugend, Familie und Bildung'),
    text('Frau Sabine Mertens, Kirchgasse 4, Zimmer 112'),
    text('Telefon 0123 4567-230, E-Mail kita@eschenbrunn.example'),
    text('Sprechzeiten: dienstags und donnerstags von 8:30 bis 12:00 Uhr'),
  ],
];

function draw(page: PDFPage, value: string, x: number, y: number, font: PDFFont, size: number): void {
  const width = font.widthOfTextAtSize(value, size);
  if (x + width > right + 0.5) throw new Error(`line too wide for the page (${Math.round(x + width)} > ${right}): ${value}`);
  page.drawText(value, { x, y, font, size });
}

async function makePdf(file: string): Promise<void> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Merkblatt Kindertagesbetreuung 2025/26');
  pdf.setAuthor('Stadt Eschenbrunn (erfunden für die beleg-Evaluation)');
  pdf.setProducer('pdf-lib (beleg eval/datasets/beleg-de-blind/make-pdfs.ts)');
  pdf.setCreator('beleg');
  pdf.setCreationDate(fixedDate);
  pdf.setModificationDate(fixedDate);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  pages.forEach((lines, index) => {
    const page = pdf.addPage([pageWidth, pageHeight]);
    draw(page, 'Stadt Eschenbrunn · Merkblatt Kindertagesbetreuung 2025/26', left, 800, regular, 9);
    let y = 760;
    for (const line of lines) {
      if ('heading' in line) {
        y -= 4;
        draw(page, line.heading, left, y, bold, 13);
        y -= 22;
      } else if ('text' in line) {
        draw(page, line.text, left, y, regular, bodySize);
        y -= 16;
      } else if ('item' in line) {
        draw(page, line.marker, left + 6, y, regular, bodySize);
        draw(page, line.item, left + 22, y, regular, bodySize);
        y -= 16;
      } else if ('cells' in line) {
        for (const [x, cell] of line.cells) draw(page, cell, x, y, line.bold ? bold : regular, bodySize);
        y -= 18;
      } else {
        y -= 10;
      }
    }
    if (y < 70) throw new Error(`page ${index + 1} runs into the footer`);
    const footer = `Stand: Oktober 2024 · Seite ${index + 1} von ${pages.length}`;
    draw(page, footer, right - regular.widthOfTextAtSize(footer, 9), 40, regular, 9);
  });
  const bytes = await pdf.save({ useObjectStreams: false });
  await writeFile(path.join(here, 'documents', file), bytes);
}

await makePdf('merkblatt-kita.pdf');
console.log('wrote', path.join(here, 'documents', 'merkblatt-kita.pdf'));
