import { describe, expect, it } from 'vitest';
import { runText, scanWorksheet } from './scan-worksheet.ts';

const encode = (text: string) => new TextEncoder().encode(text);

describe('scanWorksheet', () => {
  it('finds rows and cells with or without a namespace prefix, entities and CDATA decoded', () => {
    const xml = `<?xml version="1.0"?><x:worksheet xmlns:x="urn:x"><x:sheetData>
      <x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>Müller &amp; Söhne &#x20AC; &lt;GmbH&gt;</x:t></x:is></x:c><x:c r="B2" s="3"><x:v>12.5</x:v></x:c><x:c r="C2"/></x:row>
      <x:row r="3"/>
      <x:row r="4"><x:c r="A4" t="str"><x:f>A2</x:f><x:v><![CDATA[a < b]]></x:v></x:c></x:row>
    </x:sheetData></x:worksheet>`;
    const rows = [...scanWorksheet(encode(xml), 'sheet1.xml')];
    expect(rows.map((row) => row.attributes.r)).toEqual(['2', '3', '4']);
    expect(rows[0]!.cells).toEqual([
      { attributes: { r: 'A2', t: 'inlineStr' }, value: null, inlineText: 'Müller & Söhne € <GmbH>' },
      { attributes: { r: 'B2', s: '3' }, value: '12.5', inlineText: null },
      { attributes: { r: 'C2' }, value: null, inlineText: null },
    ]);
    expect(rows[1]!.cells).toEqual([]);
    expect(rows[2]!.cells[0]!.value).toBe('a < b');
  });

  it('joins rich-text runs and leaves phonetic hints out', () => {
    expect(runText('<r><rPr><b/></rPr><t>Haus</t></r><r><t xml:space="preserve">halt </t></r><rPh sb="0" eb="1"><t>はう</t></rPh><t>2025</t>')).toBe('Haushalt 2025');
  });

  it('refuses what parseXml refuses: a DOCTYPE, malformed XML', () => {
    expect(() => [...scanWorksheet(encode('<!DOCTYPE x [<!ENTITY a "b">]><worksheet/>'), 'sheet1.xml')]).toThrow(expect.objectContaining({ code: 'xml_invalid' }));
    expect(() => [...scanWorksheet(encode('<worksheet><sheetData><row></sheetData></worksheet>'), 'sheet1.xml')]).toThrow(expect.objectContaining({ code: 'xml_invalid' }));
  });
});
