/**
 * XML for the office loaders through fast-xml-parser, the only module that knows it. Documents
 * come back in order (mixed content keeps its sequence: runs, tabs and breaks inside a paragraph),
 * as plain nodes. A DOCTYPE is refused before parsing: office XML never declares one, and entity
 * definitions are how "billion laughs" files blow up a parser. Nesting is limited, so deeply
 * nested XML fails with a coded error instead of a stack overflow.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UnprocessableDocumentError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/** An element: its tag (with namespace prefix, `w:p`), attributes (without prefix sign) and children in order. */
export type XmlElement = { tag: string; attributes: Record<string, string>; children: XmlNode[] };
/** Text between elements, entities decoded. */
export type XmlText = { text: string };
export type XmlNode = XmlElement | XmlText;

/** Deepest element nesting accepted (real office files stay far below 100). */
const MAX_DEPTH = 256;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parses `xml` (bytes are read as UTF-8). Throws UnprocessableDocumentError `xml_invalid` for a DOCTYPE, too deep nesting or malformed XML. */
export function parseXml(xml: string | Uint8Array, part = 'XML'): XmlElement[] {
  const text = checkXml(xml, part);
  let raw: unknown[];
  try {
    raw = parser.parse(text) as unknown[];
  } catch (error) {
    throw new UnprocessableDocumentError(userMessage('xml_invalid', { part, reason: error instanceof Error ? error.message : String(error) }));
  }
  return raw.map(convert).filter((node): node is XmlElement => 'tag' in node);
}

/**
 * Checks `xml` as parseXml does (no DOCTYPE or entity definitions, nesting within the limit,
 * well-formed) without building a tree, and returns it as a string: for parts too large to hold
 * as nodes (a worksheet of 10^6 cells), which are then scanned. Throws `xml_invalid` like parseXml.
 */
export function checkXml(xml: string | Uint8Array, part = 'XML'): string {
  const text = typeof xml === 'string' ? xml : new TextDecoder('utf-8').decode(xml);
  if (/<!DOCTYPE/i.test(text.slice(0, 4096)) || /<!ENTITY/i.test(text)) {
    throw new UnprocessableDocumentError(userMessage('xml_invalid', { part, reason: 'DOCTYPE/ENTITY' }));
  }
  checkDepth(text, part);
  // The parser itself is lenient (it closes what is left open); malformed XML is a damaged file.
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new UnprocessableDocumentError(userMessage('xml_invalid', { part, reason: `${valid.err.msg} (line ${valid.err.line})` }));
  return text;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text or an attribute value of checked XML with its character and predefined entity references decoded. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : reference;
    }
    return XML_ENTITIES[name] ?? reference;
  });
}

/** Counts open/close tags without parsing, so a 10^6-deep document never reaches the recursive converter. */
function checkDepth(text: string, part: string): void {
  let depth = 0;
  const tags = /<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  for (let match = tags.exec(text); match; match = tags.exec(text)) {
    if (match[1]) depth -= 1;
    else if (!match[2]) depth += 1;
    if (depth > MAX_DEPTH) throw new UnprocessableDocumentError(userMessage('xml_invalid', { part, reason: `nesting deeper than ${MAX_DEPTH}` }));
  }
}

function convert(raw: unknown): XmlNode {
  const record = raw as Record<string, unknown>;
  if ('#text' in record) return { text: String(record['#text']) };
  const attributes = (record[':@'] ?? {}) as Record<string, string>;
  const tag = Object.keys(record).find((key) => key !== ':@')!;
  const children = (record[tag] as unknown[] | undefined) ?? [];
  return { tag, attributes, children: children.map(convert) };
}

/** Elements below `node` (depth first, document order) whose tag is one of `tags`. */
export function* descendants(node: XmlElement, tags: ReadonlySet<string> | string): Generator<XmlElement> {
  const wanted = typeof tags === 'string' ? new Set([tags]) : tags;
  for (const child of node.children) {
    if (!('tag' in child)) continue;
    if (wanted.has(child.tag)) yield child;
    yield* descendants(child, wanted);
  }
}

/** The first child element of `node` with tag `tag`, or undefined. */
export function childElement(node: XmlElement, tag: string): XmlElement | undefined {
  return node.children.find((child): child is XmlElement => 'tag' in child && child.tag === tag);
}

/** All text below `node`, in order. */
export function textOf(node: XmlNode): string {
  if ('text' in node) return node.text;
  return node.children.map(textOf).join('');
}
