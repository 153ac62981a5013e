import { describe, expect, it } from 'vitest';
import { descendants, parseXml, textOf } from './parse-xml.ts';

describe('parseXml', () => {
  it('keeps mixed content in document order with entities decoded', () => {
    const [root] = parseXml('<?xml version="1.0"?><w:p a="1"><w:r><w:t>Größe &amp; </w:t></w:r><w:tab/><w:r><w:t xml:space="preserve">Maß</w:t></w:r></w:p>');
    expect(root!.tag).toBe('w:p');
    expect(root!.attributes.a).toBe('1');
    expect([...descendants(root!, 'w:t')].map(textOf)).toEqual(['Größe & ', 'Maß']);
    expect(root!.children.map((child) => ('tag' in child ? child.tag : '#text'))).toEqual(['w:r', 'w:tab', 'w:r']);
  });

  it('refuses entity definitions and absurd nesting with a coded error', () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>';
    expect(() => parseXml(laughs)).toThrow(expect.objectContaining({ code: 'xml_invalid' }));
    expect(() => parseXml('<a>'.repeat(100_000) + '</a>'.repeat(100_000))).toThrow(expect.objectContaining({ code: 'xml_invalid' }));
    expect(() => parseXml('<a><b></a>')).toThrow(expect.objectContaining({ code: 'xml_invalid' }));
  });
});
