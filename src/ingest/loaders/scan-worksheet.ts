/**
 * The rows and cells of an XLSX worksheet part, scanned rather than parsed into a tree: a sheet of
 * 10^6 cells is 60 MB of XML, and as nodes it would take more memory than the parser process may
 * use. The part is checked first exactly like every other office XML (`checkXml`: no DOCTYPE,
 * nesting capped, well-formed), so the scan works on well-formed XML and only has to find
 * `<row>`, `<c>`, `<v>`, `<is>` and `<t>` (with or without a namespace prefix).
 */
import { checkXml, decodeXmlText } from './parse-xml.ts';

/** A cell as written: its attributes (`r`, `t`, `s`), its `<v>` text and its inline string, entities decoded. */
export type ScannedCell = { attributes: Record<string, string>; value: string | null; inlineText: string | null };
export type ScannedRow = { attributes: Record<string, string>; cells: ScannedCell[] };

const ROW = /<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g;
const CELL = /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g;
const VALUE = /<(?:\w+:)?v\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?v>)/;
const INLINE = /<(?:\w+:)?is\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?is>)/;
const PHONETIC = /<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g;
const TEXT = /<(?:\w+:)?t\b[^>]*?(?:\/>|>([\s\S]*?)<\/(?:\w+:)?t>)/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

/** The rows of a worksheet part in document order. Throws `xml_invalid` for XML parseXml would refuse. */
export function* scanWorksheet(xml: Uint8Array, part: string): Generator<ScannedRow> {
  const text = checkXml(xml, part);
  for (const row of text.matchAll(ROW)) {
    const cells: ScannedCell[] = [];
    for (const cell of (row[2] ?? '').matchAll(CELL)) {
      const inner = cell[2] ?? '';
      const value = VALUE.exec(inner);
      const inline = INLINE.exec(inner);
      cells.push({
        attributes: attributesOf(cell[1] ?? ''),
        value: value ? characters(value[1] ?? '') : null,
        inlineText: inline ? runText(inline[1] ?? '') : null,
      });
    }
    yield { attributes: attributesOf(row[1] ?? ''), cells };
  }
}

/** The text of a string item's runs (`<t>` directly or inside `<r>`), phonetic hints (`rPh`) left out. */
export function runText(inner: string): string {
  let text = '';
  for (const match of inner.replace(PHONETIC, '').matchAll(TEXT)) text += characters(match[1] ?? '');
  return text;
}

function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(ATTRIBUTE)) attributes[match[1]!] = decodeXmlText(match[2] ?? match[3] ?? '');
  return attributes;
}

/** Character data: CDATA sections as they are, everything else with entities decoded. */
function characters(source: string): string {
  if (!source.includes('<![CDATA[')) return decodeXmlText(source);
  let text = '';
  let last = 0;
  for (const match of source.matchAll(CDATA)) {
    text += decodeXmlText(source.slice(last, match.index)) + match[1];
    last = match.index! + match[0].length;
  }
  return text + decodeXmlText(source.slice(last));
}
