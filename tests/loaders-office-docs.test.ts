/**
 * DOCX, ODT and RTF through the real loading path (detection, the parser process): the same German
 * source (tests/fixtures/office-docs/sources/*.fodt) saved by LibreOffice in all three formats must
 * give the same text, block for block, with headings as section paths, footnotes after the
 * paragraph that cites them, page headers and footers gone, and the title from the document
 * properties. Files saved by Microsoft Word (mammoth.js's test data) and hand-built WordprocessingML
 * cover what LibreOffice does not write: German heading style ids, tracked changes, fields, hidden
 * text, text boxes.
 */
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BelegError } from '../src/errors.ts';
import { LlamaTokenizer } from '../src/engine/tokenizer/llama-tokenizer.ts';
import { chunkDocument } from '../src/ingest/chunk-document.ts';
import { loadDocument, type LoadOptions } from '../src/ingest/load-document.ts';
import type { LoadedDocument } from '../src/ingest/types.ts';
import { makeDocx, oleFile, wordParagraph } from './helpers/make-office.ts';

const options: LoadOptions = { maxBytes: 10 * 1024 * 1024, fetchTimeoutMs: 5000, maxRedirects: 3, urlAllowList: [] };
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/office-docs/${name}`, import.meta.url)));
const load = (fileName: string, bytes: Uint8Array = fixture(fileName), mimeType?: string) => loadDocument({ kind: 'file', fileName, bytes, mimeType }, options);
const tokenizer = LlamaTokenizer.fromDirectory();

/** The blocks of the source documents, in order; `#` marks a heading. */
const SATZUNG = [
  '# Satzung des Heimatvereins',
  'Beschlossen von der Gründungsversammlung am 12. März 2019 in Obersöchering.',
  '# § 1 Name und Sitz',
  'Der Verein führt den Namen „Heimatverein Obersöchering“. Er soll in das Vereinsregister eingetragen werden und trägt danach den Zusatz „e. V.“.',
  'Eingetragen beim Amtsgericht Weilheim i. OB am 3. Juni 2019.',
  'Sitz des Vereins ist Obersöchering. Das Geschäftsjahr ist das Kalenderjahr.',
  '# § 2 Zweck des Vereins',
  'Zweck des Vereins ist die Förderung der Heimatpflege und Heimatkunde. Der Satzungszweck wird insbesondere verwirklicht durch:',
  'die Pflege des örtlichen Brauchtums',
  'die Erforschung der Ortsgeschichte',
  'den Erhalt des alten Backhauses',
  '# § 3 Mitgliedsbeiträge',
  'Der Jahresbeitrag beträgt 24 Euro. Er ist bis zum 31. März fällig.',
  'Für Schüler und Studierende gilt der halbe Beitrag.',
  'Über Ausnahmen entscheidet der Vorstand.\nEin Antrag ist formlos möglich.',
  '# § 4 Vorstand',
  'Der Vorstand besteht aus dem Vorsitzenden, dem Kassier und dem Schriftführer. Er wird für zwei Jahre gewählt.',
];
const SATZUNG_SECTIONS = ['Satzung des Heimatvereins', ...['§ 1 Name und Sitz', '§ 2 Zweck des Vereins', '§ 3 Mitgliedsbeiträge', '§ 4 Vorstand'].map((title) => `Satzung des Heimatvereins > ${title}`)];

const BERICHT = [
  '# Jahresbericht der Stadt Kemnath 2023',
  'Die Stadt Kemnath zählte Ende 2023 genau 5.612 Einwohner. Das sind 41 mehr als im Vorjahr.',
  '# Bauprojekte',
  'Im Berichtsjahr wurden folgende Vorhaben abgeschlossen:',
  'Sanierung der Grundschule am Stadtpark',
  'Neubau des Feuerwehrhauses in Höflas',
  'Fahrzeughalle mit drei Stellplätzen',
  'Erneuerung der Brücke über die Haidenaab',
  '# Haushalt',
  'Die Ausgaben verteilten sich wie folgt auf die Bereiche.',
  'Bereich | Ausgaben in Euro',
  'Schulen und Kindergärten | 1.250.000',
  'Straßenbau | 830.000',
  'Die Rücklagen stiegen auf 2,1 Millionen Euro.',
  'Stand der Jahresrechnung vom 15. Februar 2024.',
];
const BERICHT_SECTIONS = ['Jahresbericht der Stadt Kemnath 2023', 'Jahresbericht der Stadt Kemnath 2023 > Bauprojekte', 'Jahresbericht der Stadt Kemnath 2023 > Haushalt'];

/** Automatic numbers: § headings from the outline numbering, (1)/(2) paragraphs, a)/b) below them, a bullet (dropped). */
const ORDNUNG = [
  '# § 1 Einberufung',
  '(1) Der Gemeinderat wird vom Bürgermeister schriftlich einberufen.',
  '(2) Die Ladungsfrist beträgt sieben Tage. Sie verkürzt sich in dringenden Fällen:',
  'a) bei Gefahr im Verzug auf einen Tag,',
  'b) bei Wahlen auf drei Tage.',
  '# § 2 Öffentlichkeit',
  '(1) Die Sitzungen sind öffentlich.',
  'Ausnahmen regelt die Gemeindeordnung.',
];

const textOf = (blocks: string[]) => blocks.map((block) => block.replace(/^# /, '')).join('\n\n');
const sectionPaths = (document: LoadedDocument) => (document.sections ?? []).map((section) => section.headingPath.join(' > '));

/** Every sentence of every chunk lies inside one source block; headings are heading sentences and nothing else is. */
function expectSentencesWithinBlocks(document: LoadedDocument, blocks: string[]): void {
  const spans: Array<{ start: number; end: number; heading: boolean }> = [];
  let offset = 0;
  for (const block of blocks) {
    const text = block.replace(/^# /, '');
    spans.push({ start: offset, end: offset + text.length, heading: block.startsWith('# ') });
    offset += text.length + 2;
  }
  for (const maxTokens of [384, 16]) {
    const sentences = chunkDocument(document, tokenizer, { maxTokens }).flatMap((chunk) => chunk.sentences);
    expect(sentences.length).toBeGreaterThanOrEqual(blocks.length);
    for (const sentence of sentences) {
      const block = spans.find((span) => sentence.charStart >= span.start && sentence.charStart < span.end);
      const quoted = document.text.slice(sentence.charStart, sentence.charEnd);
      expect(block, quoted).toBeDefined();
      expect(sentence.charEnd, `"${quoted}" runs past its block`).toBeLessThanOrEqual(block!.end);
      expect(sentence.heading ?? false, quoted).toBe(block!.heading);
    }
  }
}

describe.each([
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['odt', 'application/vnd.oasis.opendocument.text'],
  ['rtf', 'application/rtf'],
])('%s saved by LibreOffice', (extension, mimeType) => {
  it('gives the statutes block for block: § headings as section paths, footnotes after their paragraph, no page header or footer, title from the properties', async () => {
    const document = await load(`vereinssatzung.${extension}`);
    expect(document.text).toBe(textOf(SATZUNG));
    expect(sectionPaths(document)).toEqual(SATZUNG_SECTIONS);
    expect(document.title).toBe('Satzung des Heimatvereins Obersöchering e. V.');
    expect(document.mimeType).toBe(mimeType);
    expect(document.language).toBe('de');
    for (const chrome of ['VR 4711', 'Seite']) expect(document.text).not.toContain(chrome);
    expectSentencesWithinBlocks(document, SATZUNG);
  });

  it('gives the city report with list items (nested too) and table rows as blocks of their own (a value next to its label), and the first heading as title', async () => {
    const document = await load(`stadtbericht.${extension}`);
    expect(document.text).toBe(textOf(BERICHT));
    expect(sectionPaths(document)).toEqual(BERICHT_SECTIONS);
    expect(document.title).toBe('Jahresbericht der Stadt Kemnath 2023');
    expect(document.text).not.toContain('Bürgermeisteramt');
    expectSentencesWithinBlocks(document, BERICHT);
  });

  it('writes automatic numbers as a reader sees them: § 1 headings, (1) and a) items restarting per list, no bullets; drops the table of contents', async () => {
    const document = await load(`geschaeftsordnung.${extension}`);
    // The TOC entries are dropped in every format; RTF keeps the TOC's title, a plain paragraph before the TOC field there.
    const blocks = extension === 'rtf' ? ['Inhaltsverzeichnis', ...ORDNUNG] : ORDNUNG;
    expect(document.text).toBe(textOf(blocks));
    expect(sectionPaths(document)).toEqual(['§ 1 Einberufung', '§ 2 Öffentlichkeit']);
    expect(document.title).toBe('Geschäftsordnung des Gemeinderats');
    expectSentencesWithinBlocks(document, blocks);
  });

  it('is read by its content whatever its name says', async () => {
    const document = await load('upload.bin', fixture(`stadtbericht.${extension}`));
    expect(document.text).toBe(textOf(BERICHT));
  });
});

describe('DOCX saved by Microsoft Word (mammoth.js test data)', () => {
  it('keeps both footnotes after their paragraph, without reference marks', async () => {
    const document = await load('mammoth-word-footnotes.docx');
    expect(document.text).toBe('Ouch.\n\nA tachyon walks into a bar.\n\nFin.');
  });

  it('gives each table row and each list item its own block', async () => {
    expect((await load('mammoth-word-tables.docx')).text).toBe(['Above', 'Top left | Top right', 'Bottom left | Bottom right', 'Below'].join('\n\n'));
    expect((await load('mammoth-word-simple-list.docx')).text).toBe('Apple\n\nBanana');
  });

  it('drops comments', async () => {
    expect((await load('mammoth-word-comments.docx')).text).toBe('Ouch.');
  });
});

describe('DOCX saved by Microsoft Word (python-docx test data)', () => {
  it('drops page headers and footers of every section', async () => {
    const document = await load('python-docx-word-header-footer.docx');
    expect(document.text).toBe('section with header\n\nsection without header of its own.');
  });

  it('numbers a paragraph through its "List Number" style', async () => {
    expect((await load('python-docx-word-list-number.docx')).text).toBe('1. Paragraph having List Number style.');
  });
});

describe('DOCX features Word writes', () => {
  const styles = [
    // German Word: the id of "Überschrift 1" is "berschrift1", its name the built-in "heading 1".
    '<w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/></w:style>',
    '<w:style w:type="paragraph" w:styleId="berschrift2"><w:name w:val="heading 2"/><w:basedOn w:val="berschrift1"/></w:style>',
    // A custom style based on a heading style, and one with its own outline level.
    '<w:style w:type="paragraph" w:styleId="Paragraf"><w:name w:val="Paragraf"/><w:basedOn w:val="berschrift2"/></w:style>',
    '<w:style w:type="paragraph" w:styleId="Kapitel"><w:name w:val="Kapitel"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>',
  ].join('');

  it('reads headings by German style ids, basedOn chains and outline levels', async () => {
    const document = await load(
      'satzung.docx',
      makeDocx({
        styles,
        body: [
          wordParagraph('Vereinssatzung', 'Kapitel'),
          wordParagraph('§ 1 Name', 'Paragraf'),
          wordParagraph('Der Verein heißt Lesefreunde.'),
          wordParagraph('Anhang', 'berschrift1'),
          wordParagraph('Die Beitragsordnung gilt ab 2024.'),
        ].join(''),
      }),
    );
    expect(sectionPaths(document)).toEqual(['Vereinssatzung', 'Vereinssatzung > § 1 Name', 'Anhang']);
    expect(document.title).toBe('Vereinssatzung');
  });

  it('keeps inserted and drops deleted tracked changes, keeps field results and text boxes once, drops field codes, hidden text and comments', async () => {
    const body = [
      '<w:p><w:r><w:t xml:space="preserve">Die Sitzung beginnt um </w:t></w:r>',
      '<w:del w:id="1" w:author="A"><w:r><w:delText>18</w:delText></w:r></w:del>',
      '<w:ins w:id="2" w:author="A"><w:r><w:t>19</w:t></w:r></w:ins>',
      '<w:r><w:t xml:space="preserve"> Uhr</w:t></w:r><w:commentReference w:id="0"/>',
      '<w:r><w:rPr><w:vanish/></w:rPr><w:t>GEHEIM</w:t></w:r><w:r><w:t>.</w:t></w:r></w:p>',
      '<w:p><w:r><w:t xml:space="preserve">Stand: Seite </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
      '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
      '<w:r><w:tab/><w:t>Gültig</w:t><w:noBreakHyphen/><w:t>ab</w:t><w:br/><w:t>sofort.</w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Siehe Kasten.</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>',
      wordParagraph('Im Kasten steht ein Hinweis.'),
      '</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>',
      wordParagraph('Im Kasten steht ein Hinweis.'),
      '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>',
      '<w:sdt><w:sdtPr><w:alias w:val="Ort"/></w:sdtPr><w:sdtContent>',
      wordParagraph('Ort: Rathaus, großer Saal'),
      '</w:sdtContent></w:sdt>',
    ].join('');
    const document = await load('protokoll.docx', makeDocx({ body, title: 'Protokoll &amp; Beschlüsse' }));
    expect(document.text).toBe(
      ['Die Sitzung beginnt um 19 Uhr.', 'Stand: Seite 3 Gültig-ab\nsofort.', 'Siehe Kasten.', 'Im Kasten steht ein Hinweis.', 'Ort: Rathaus, großer Saal'].join('\n\n'),
    );
    expect(document.title).toBe('Protokoll & Beschlüsse');
  });

  it('keeps a layout table of prose cells as one block per cell paragraph, so no quote runs from one cell into the next', async () => {
    const cell = (...paragraphs: string[]) => `<w:tc>${paragraphs.map((paragraph) => wordParagraph(paragraph)).join('')}</w:tc>`;
    const prose = 'Der Vorstand lädt alle Mitglieder zur Jahreshauptversammlung ein, die am ersten Samstag im März im Gasthaus zur Post stattfindet';
    const document = await load(
      'einladung.docx',
      makeDocx({
        body:
          `<w:tbl><w:tr>${cell('Tagesordnung', 'Berichte des Vorstands')}${cell('Ort: Gasthaus zur Post')}</w:tr>` +
          `<w:tr>${cell(prose)}${cell('Anträge bitte schriftlich einreichen')}</w:tr><w:tr>${cell('Beginn')}${cell('')}${cell('19 Uhr')}</w:tr></w:tbl>`,
      }),
    );
    expect(document.text).toBe(
      ['Tagesordnung', 'Berichte des Vorstands', 'Ort: Gasthaus zur Post', prose, 'Anträge bitte schriftlich einreichen', 'Beginn | 19 Uhr'].join('\n\n'),
    );
  });

  it('drops table-of-contents entries by their style (German Word: "Verzeichnis 1", style name "toc 1")', async () => {
    const document = await load(
      'inhalt.docx',
      makeDocx({
        styles: `${styles}<w:style w:type="paragraph" w:styleId="Verzeichnis1"><w:name w:val="toc 1"/></w:style>`,
        body: [wordParagraph('Vereinssatzung\t1', 'Verzeichnis1'), wordParagraph('Vereinssatzung', 'Kapitel'), wordParagraph('Der Verein heißt Lesefreunde.')].join(''),
      }),
    );
    expect(document.text).toBe('Vereinssatzung\n\nDer Verein heißt Lesefreunde.');
  });

  it('says a DOCX without text has no content', async () => {
    const error = await load('leer.docx', makeDocx({ body: '<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BelegError);
    expect((error as BelegError).code).toBe('office_no_content');
  });
});

describe('ODT details', () => {
  const NAMESPACES =
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"';
  const odt = (text: string, styles = '') =>
    zipSync({
      mimetype: new TextEncoder().encode('application/vnd.oasis.opendocument.text'),
      'styles.xml': new TextEncoder().encode(`<?xml version="1.0"?><office:document-styles ${NAMESPACES}><office:styles>${styles}</office:styles></office:document-styles>`),
      'content.xml': new TextEncoder().encode(
        '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
          `<office:body><office:text>${text}</office:text></office:body></office:document-content>`,
      ),
    });

  it('keeps text in shapes as blocks after their paragraph; drops image titles, comments, tracked deletions and tables of contents; expands text:s', async () => {
    const document = await load(
      'notiz.odt',
      odt(
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Gelöschter Satz.</text:p></text:deletion></text:changed-region></text:tracked-changes>' +
          '<text:table-of-content><text:index-body><text:p>Inhalt 1</text:p></text:index-body></text:table-of-content>' +
          '<text:p>Vor dem Bild.<draw:frame draw:name="Bild1"><draw:image/><svg:title>Alternativtext</svg:title><svg:desc>Beschreibung</svg:desc></draw:frame> Nach dem Bild.' +
          '<draw:custom-shape><text:p>Text in der Form.</text:p></draw:custom-shape></text:p>' +
          '<text:p>Mit<text:s text:c="3"/><office:annotation><dc:creator>A</dc:creator><text:p>Kommentar</text:p></office:annotation>Abstand<text:change text:change-id="c1"/>.</text:p>',
      ),
    );
    expect(document.text).toBe('Vor dem Bild. Nach dem Bild.\n\nText in der Form.\n\nMit Abstand.');
  });

  it('numbers headings by the outline style, also when a file wraps them in a list, and continues a list that says so', async () => {
    const outline =
      '<text:outline-style style:name="Outline"><text:outline-level-style text:level="1" style:num-format="I" style:num-suffix="."/>' +
      '<text:outline-level-style text:level="2" style:num-format="1" text:display-levels="2"/></text:outline-style>' +
      '<text:list-style style:name="Ziffern"><text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/></text:list-style>';
    const document = await load(
      'gliederung.odt',
      odt(
        '<text:list text:style-name="Outline"><text:list-item><text:h text:outline-level="1">Allgemeines</text:h></text:list-item></text:list>' +
          '<text:h text:outline-level="2">Zweck</text:h><text:list text:style-name="Ziffern"><text:list-item><text:p>Erstens.</text:p></text:list-item></text:list>' +
          '<text:p>Zwischentext.</text:p><text:list text:style-name="Ziffern" text:continue-numbering="true"><text:list-item><text:p>Zweitens.</text:p></text:list-item></text:list>' +
          '<text:h text:outline-level="1">Schluss</text:h><text:list text:style-name="Ziffern"><text:list-item><text:p>Neu.</text:p></text:list-item></text:list>',
        outline,
      ),
    );
    expect(document.text).toBe(['I. Allgemeines', 'I.1 Zweck', '1. Erstens.', 'Zwischentext.', '2. Zweitens.', 'II. Schluss', '1. Neu.'].join('\n\n'));
    expect(sectionPaths(document)).toEqual(['I. Allgemeines', 'I. Allgemeines > I.1 Zweck', 'II. Schluss']);
  });
});

describe('RTF details', () => {
  const rtf = (body: string) => new TextEncoder().encode(`{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}{\\info{\\title Gr\\'fc\\'dfe}{\\author X}}${body}}`);

  it('decodes Windows-1252 bytes and \\u escapes with their fallback, drops hidden and deleted text, \\*-destinations, headers and pictures', async () => {
    const document = await load(
      'brief.rtf',
      rtf(
        "{\\header Kopfzeile\\par}{\\footer Fu\\'dfzeile\\par}\\pard Stra\\'dfe in K\\'f6ln \\u8364?5 und \\uc2\\u8222\\'84\\'84Zitat\\u8220?{\\v versteckt}{\\deleted gel\\'f6scht}.\\par" +
          '{\\*\\bkmkstart x}{\\pict\\pngblip 89504e47}{\\*\\generator Word}Zweite\\tab Zeile\\line neu.\\par',
      ),
    );
    expect(document.text).toBe('Straße in Köln €5 und „Zitat“.\n\nZweite Zeile\nneu.');
    expect(document.title).toBe('Grüße');
  });

  it('refuses a file named .rtf without an RTF header', async () => {
    const error = await load('brief.rtf', new TextEncoder().encode('Nur Text, kein RTF.')).catch((caught: unknown) => caught);
    expect((error as BelegError).code).toBe('rtf_corrupt');
  });
});

describe('office files beleg does not read', () => {
  it('refuses an old binary Word file (.doc) and says to save it as DOCX', async () => {
    const error = (await load('alt.doc', oleFile(['Root Entry', 'WordDocument', '1Table'])).catch((caught: unknown) => caught)) as BelegError;
    expect(error.code).toBe('unsupported_document');
    expect(error.message).toContain('.doc');
    expect(error.message).toContain('DOCX');
  });

  it('refuses a password-protected DOCX with office_encrypted, telling to remove the password', async () => {
    const error = (await load('geheim.docx', oleFile(['Root Entry', 'EncryptionInfo', 'EncryptedPackage'])).catch((caught: unknown) => caught)) as BelegError;
    expect(error.code).toBe('office_encrypted');
    expect(error.message).toMatch(/password/i);
  });
});
