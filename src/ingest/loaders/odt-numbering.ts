/**
 * The numbering rules of an ODT: list styles (`text:list-style`, in styles.xml and content.xml's
 * automatic styles) and the heading outline (`text:outline-style`), and the label ("§ 1", "(2)",
 * "a)", "1.2") an item gets from its level's prefix, format, suffix and displayed levels.
 */
import { formatNumber, type ListCounters, type NumberFormat } from './list-labels.ts';
import { attributeOf, localName } from './office-blocks.ts';
import type { XmlElement } from './parse-xml.ts';

/** One level of a list or the outline (index 0 = level 1). */
export type OdfLevel = { format: NumberFormat; prefix: string; suffix: string; start: number; displayLevels: number };
/** List styles by name, and the heading outline's levels. */
export type OdfNumbering = { lists: Map<string, OdfLevel[]>; outline: OdfLevel[] };

const FORMATS: Record<string, NumberFormat> = { '1': 'decimal', a: 'lowerLetter', A: 'upperLetter', i: 'lowerRoman', I: 'upperRoman', '': 'none' };

/** Reads every list style and the outline style below `roots` (the parsed styles.xml and content.xml). */
export function readOdfNumbering(roots: XmlElement[]): OdfNumbering {
  const numbering: OdfNumbering = { lists: new Map(), outline: [] };
  const visit = (element: XmlElement) => {
    const name = localName(element.tag);
    if (name === 'list-style') {
      numbering.lists.set(attributeOf(element.attributes, 'name') ?? '', readLevels(element));
      return;
    }
    if (name === 'outline-style') {
      numbering.outline = readLevels(element);
      return;
    }
    if (name === 'body') return; // styles only
    for (const child of element.children) if ('tag' in child) visit(child);
  };
  roots.forEach(visit);
  return numbering;
}

function readLevels(style: XmlElement): OdfLevel[] {
  const levels: OdfLevel[] = [];
  for (const child of style.children) {
    if (!('tag' in child)) continue;
    const name = localName(child.tag);
    const level = Number(attributeOf(child.attributes, 'level') ?? 0);
    if (!Number.isInteger(level) || level < 1 || level > 10) continue;
    const numbered = name === 'list-level-style-number' || name === 'outline-level-style';
    const start = Number(attributeOf(child.attributes, 'start-value') ?? 1);
    const displayLevels = Number(attributeOf(child.attributes, 'display-levels') ?? 1);
    levels[level - 1] = {
      format: numbered ? (FORMATS[attributeOf(child.attributes, 'num-format') ?? ''] ?? 'decimal') : 'bullet',
      prefix: attributeOf(child.attributes, 'num-prefix') ?? '',
      suffix: attributeOf(child.attributes, 'num-suffix') ?? '',
      start: Number.isInteger(start) ? start : 1,
      displayLevels: Number.isInteger(displayLevels) && displayLevels > 0 ? Math.min(displayLevels, 10) : 1,
    };
  }
  return levels;
}

/** The label of the item just counted at `level` (0-based) in `counters`; '' for bullets, no number format or unknown levels. */
export function odfLabel(levels: OdfLevel[] | undefined, level: number, counters: ListCounters): string {
  const definition = levels?.[level];
  if (!levels || !definition || definition.format === 'bullet' || definition.format === 'none') return '';
  const numbers: string[] = [];
  for (let shown = Math.max(0, level - definition.displayLevels + 1); shown <= level; shown++) {
    const shownLevel = levels[shown];
    numbers.push(formatNumber(counters.value(shown, shownLevel?.start ?? 1), shownLevel?.format ?? 'decimal'));
  }
  return `${definition.prefix}${numbers.join('.')}${definition.suffix}`.trim();
}
