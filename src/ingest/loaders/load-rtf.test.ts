import { describe, expect, it } from 'vitest';
import { parseRtf } from './load-rtf.ts';

const blocksOf = (rtf: string) => parseRtf(new Uint8Array(Buffer.from(rtf, 'latin1'))).blocks.filter((block) => block.text.trim().length > 0);

describe('parseRtf', () => {
  it('reads Word-style footnotes ({\\footnote} without \\*) after their paragraph, without the \\chftn number', () => {
    const rtf = '{\\rtf1\\ansi Der Beitrag{\\super\\chftn}{\\footnote\\pard\\plain {\\super\\chftn} Halber Beitrag f\\\'fcr Sch\\\'fcler.} ist f\\\'e4llig.\\par Danach.\\par}';
    expect(blocksOf(rtf)).toEqual([
      { kind: 'paragraph', text: 'Der Beitrag ist fällig.' },
      { kind: 'paragraph', text: ' Halber Beitrag für Schüler.' },
      { kind: 'paragraph', text: 'Danach.' },
    ]);
  });

  it('keeps the text of a text box once, after its paragraph (not the drawing-object fallback)', () => {
    const rtf = '{\\rtf1\\ansi Vor dem Kasten.{\\shp{\\*\\shpinst\\shpleft0{\\sp{\\sn shapeType}{\\sv 202}}{\\shptxt \\pard Im Kasten steht ein Hinweis.\\par}}' +
      '{\\shprslt{\\*\\do\\dobxcolumn{\\dptxbxtext\\pard Im Kasten steht ein Hinweis.\\par}}}} Danach.\\par}';
    expect(blocksOf(rtf).map((block) => block.text)).toEqual(['Vor dem Kasten. Danach.', 'Im Kasten steht ein Hinweis.']);
  });

  it('takes heading levels from the stylesheet when a paragraph names only its style', () => {
    const rtf = '{\\rtf1\\ansi{\\stylesheet{\\s0 Normal;}{\\s1\\outlinelevel0 heading 1;}{\\s2\\sbasedon1\\outlinelevel1 heading 2;}}' +
      '\\pard\\s1 Satzung\\par\\pard\\s2 \\\'a7 1 Name\\par\\pard\\s0 Der Verein hei\\\'dft Lesefreunde.\\par}';
    expect(blocksOf(rtf)).toEqual([
      { kind: 'heading', level: 1, text: 'Satzung' },
      { kind: 'heading', level: 2, text: '§ 1 Name' },
      { kind: 'paragraph', text: 'Der Verein heißt Lesefreunde.' },
    ]);
  });

  it('makes a row of short cells one block and decodes \\\'hh in the code page of the font charset', () => {
    const rtf = '{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}{\\f1\\fcharset204 Arial Cyr;}}' +
      '\\trowd\\cellx2000\\cellx4000\\pard\\intbl Stadt\\cell {\\f1 \\\'cc\\\'ee\\\'f1\\\'ea\\\'e2\\\'e0}\\cell\\row\\pard Ende.\\par}';
    expect(blocksOf(rtf).map((block) => block.text)).toEqual(['Stadt | Москва', 'Ende.']);
  });

  it('gives every paragraph of a cell with several paragraphs its own block, also for a row left without \\row', () => {
    const rtf = '{\\rtf1\\ansi\\trowd\\pard\\intbl Absatz eins.\\par Absatz zwei.\\cell Kurz\\cell\\row\\trowd\\pard\\intbl A\\cell B\\cell\\pard Danach.\\par}';
    expect(blocksOf(rtf).map((block) => block.text)).toEqual(['Absatz eins.', 'Absatz zwei.', 'Kurz', 'A | B', 'Danach.']);
  });

  it('honours \\uc0 and \\uc1, surrogate pairs, and leaves no fallback characters behind', () => {
    const rtf = '{\\rtf1\\ansi\\uc0 \\u8222 Zitat\\u8220  {\\uc1 \\u-10179?\\u-8704?} und \\uc1\\u252?ber\\par}';
    expect(blocksOf(rtf).map((block) => block.text)).toEqual(['„Zitat“ 😀 und über']);
  });

  it('keeps a field result and drops its instruction; keeps the title of \\info only', () => {
    const rtf = '{\\rtf1\\ansi{\\info{\\title Protokoll}{\\subject Nicht der Titel}}Siehe {\\field{\\*\\fldinst HYPERLINK "https://example.org"}{\\fldrslt Webseite}}.\\par}';
    const { blocks, title } = parseRtf(new Uint8Array(Buffer.from(rtf, 'latin1')));
    expect(blocks.map((block) => block.text).filter((text) => text)).toEqual(['Siehe Webseite.']);
    expect(title).toBe('Protokoll');
  });
});
