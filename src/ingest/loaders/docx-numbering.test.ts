import { describe, expect, it } from 'vitest';
import { DocxNumbering } from './docx-numbering.ts';
import { parseXml } from './parse-xml.ts';

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const level = (index: number, format: string, text: string, start = 1) =>
  `<w:lvl w:ilvl="${index}"><w:start w:val="${start}"/><w:numFmt w:val="${format}"/><w:lvlText w:val="${text}"/></w:lvl>`;

function numbering(body: string): DocxNumbering {
  return new DocxNumbering(parseXml(`<w:numbering ${W}>${body}</w:numbering>`));
}

describe('DocxNumbering', () => {
  it('counts levels, restarts deeper levels, and writes multi-level labels', () => {
    const rules = numbering(
      `<w:abstractNum w:abstractNumId="0">${level(0, 'decimal', '%1.')}${level(1, 'decimal', '%1.%2')}${level(2, 'lowerRoman', '(%3)')}</w:abstractNum>` +
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>',
    );
    const labels = [0, 1, 1, 2, 2, 0, 1].map((ilvl) => rules.next('1', ilvl, undefined));
    expect(labels).toEqual(['1.', '1.1', '1.2', '(i)', '(ii)', '2.', '2.1']);
  });

  it('continues one abstract numbering across instances unless an instance overrides its start', () => {
    const rules = numbering(
      `<w:abstractNum w:abstractNumId="7">${level(0, 'upperLetter', '%1)')}</w:abstractNum>` +
        '<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="7"/></w:num>' +
        '<w:num w:numId="3"><w:abstractNumId w:val="7"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>',
    );
    expect([rules.next('1', 0, undefined), rules.next('2', 0, undefined), rules.next('3', 0, undefined), rules.next('3', 0, undefined)]).toEqual(['A)', 'B)', 'A)', 'B)']);
  });

  it('gives bullets, numId 0 and unknown lists no label, and finds a heading style’s level by its pStyle', () => {
    const rules = numbering(
      `<w:abstractNum w:abstractNumId="1">${level(0, 'bullet', '•')}</w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>` +
        `<w:abstractNum w:abstractNumId="2">${level(0, 'decimal', 'Artikel %1')}<w:lvl w:ilvl="1"><w:start w:val="1"/><w:pStyle w:val="berschrift2"/><w:numFmt w:val="decimal"/><w:lvlText w:val="§ %2"/></w:lvl></w:abstractNum>` +
        '<w:num w:numId="6"><w:abstractNumId w:val="2"/></w:num>',
    );
    expect(rules.next('5', 0, undefined)).toBe('');
    expect(rules.next('0', 0, undefined)).toBe('');
    expect(rules.next('99', 0, undefined)).toBe('');
    expect([rules.next('6', undefined, 'berschrift2'), rules.next('6', undefined, 'berschrift2')]).toEqual(['§ 1', '§ 2']);
  });
});
