/** The documents the crash test streams: German text, several chunks each, with one unique word. */

/** A word made only of letters that no other crash document contains (`zq` + index in base 26). */
export function uniqueWord(index: number): string {
  let letters = '';
  let rest = index;
  do {
    letters = String.fromCharCode(97 + (rest % 26)) + letters;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return `zqx${letters}`;
}

const SENTENCES = [
  'Die Stadt liegt an einem breiten Fluss, über den im 19. Jahrhundert drei Brücken gebaut wurden.',
  'Im Sommer kommen viele Besucher, die den Dom, das Rathaus und die alten Kaufmannshäuser besichtigen.',
  'Der Hafen war lange der wichtigste Arbeitgeber, bis die Werften in den Siebzigerjahren schlossen.',
  'Heute arbeiten die meisten Menschen in Verwaltung, Handel, Forschung und im Gesundheitswesen.',
  'Die Universität wurde 1388 gegründet und ist eine der ältesten Hochschulen des Landes.',
];

/** Text of crash document `index`: about 3,000 characters, so it becomes several chunks. */
export function crashDocumentText(index: number): string {
  const paragraphs: string[] = [`Dieser Bericht trägt das Merkwort ${uniqueWord(index)} und die Nummer ${index}.`];
  for (let repeat = 0; repeat < 6; repeat += 1) {
    paragraphs.push(SENTENCES.map((sentence, position) => `${sentence.slice(0, -1)} (Abschnitt ${repeat}.${position}, Bericht ${index}).`).join(' '));
  }
  return paragraphs.join('\n\n');
}
