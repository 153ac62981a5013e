/**
 * The numbering rules of a DOCX (word/numbering.xml): which label ("§ 1", "(2)", "a)") a numbered
 * paragraph gets. Paragraphs of all `w:num` instances of one abstract numbering count on together,
 * as Word does, unless an instance overrides a level's start (then it starts over on first use).
 */
import { formatNumber, ListCounters, type NumberFormat } from './list-labels.ts';
import { attributeOf, localName } from './office-blocks.ts';
import type { XmlElement } from './parse-xml.ts';

type Level = { start: number; format: NumberFormat; text: string; style?: string };
type Instance = { abstractId: string; overrides: Map<number, number> };

const FORMATS: Record<string, NumberFormat> = {
  decimal: 'decimal', decimalZero: 'decimalZero', lowerLetter: 'lowerLetter', upperLetter: 'upperLetter', lowerRoman: 'lowerRoman',
  upperRoman: 'upperRoman', bullet: 'bullet', none: 'none', ordinal: 'decimal', cardinalText: 'decimal', ordinalText: 'decimal',
};

/** The numbering definitions of one DOCX and the counters of its lists, advanced paragraph by paragraph in document order. */
export class DocxNumbering {
  readonly #abstracts = new Map<string, Level[]>();
  readonly #instances = new Map<string, Instance>();
  readonly #counters = new Map<string, ListCounters>();
  readonly #started = new Set<string>();

  /** Reads the parsed numbering part (none: no paragraph is numbered). */
  constructor(roots: XmlElement[]) {
    for (const root of roots) {
      for (const child of root.children) {
        if (!('tag' in child)) continue;
        const name = localName(child.tag);
        if (name === 'abstractNum') this.#abstracts.set(attributeOf(child.attributes, 'abstractNumId') ?? '', readLevels(child));
        if (name === 'num') {
          const overrides = new Map<number, number>();
          for (const override of children(child, 'lvlOverride')) {
            const start = children(override, 'startOverride')[0];
            if (start) overrides.set(Number(attributeOf(override.attributes, 'ilvl') ?? 0), Number(attributeOf(start.attributes, 'val') ?? 1));
          }
          const abstractId = attributeOf(children(child, 'abstractNumId')[0]?.attributes ?? {}, 'val') ?? '';
          this.#instances.set(attributeOf(child.attributes, 'numId') ?? '', { abstractId, overrides });
        }
      }
    }
  }

  /**
   * Counts a paragraph of list `numId` at `level` and returns its label ('' for bullets, unknown
   * lists and numId 0). `style` finds the level of a heading style linked to a list level.
   */
  next(numId: string, level: number | undefined, style: string | undefined): string {
    const instance = this.#instances.get(numId);
    const levels = instance && this.#abstracts.get(instance.abstractId);
    if (!instance || !levels || levels.length === 0) return '';
    const index = level ?? Math.max(0, levels.findIndex((candidate) => candidate.style !== undefined && candidate.style === style));
    const definition = levels[index];
    if (!definition) return '';
    let counters = this.#counters.get(instance.abstractId);
    if (!counters) this.#counters.set(instance.abstractId, (counters = new ListCounters()));
    if (!this.#started.has(numId)) {
      this.#started.add(numId);
      for (const [overridden, start] of instance.overrides) counters.restart(overridden, start);
    }
    counters.advance(index, definition.start);
    if (definition.format === 'bullet') return '';
    return definition.text
      .replace(/%([1-9])/g, (_match, digit: string) => {
        const referenced = levels[Number(digit) - 1];
        return referenced ? formatNumber(counters.value(Number(digit) - 1, referenced.start), referenced.format) : '';
      })
      .trim();
  }
}

function readLevels(abstract: XmlElement): Level[] {
  const levels: Level[] = [];
  for (const level of children(abstract, 'lvl')) {
    const index = Number(attributeOf(level.attributes, 'ilvl') ?? 0);
    if (!Number.isInteger(index) || index < 0 || index > 8) continue;
    const value = (name: string) => attributeOf(children(level, name)[0]?.attributes ?? {}, 'val');
    const start = Number(value('start') ?? 1);
    levels[index] = {
      start: Number.isInteger(start) ? start : 1,
      format: FORMATS[value('numFmt') ?? 'decimal'] ?? 'decimal',
      text: value('lvlText') ?? '',
      ...(value('pStyle') ? { style: value('pStyle') } : {}),
    };
  }
  return levels;
}

function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => 'tag' in child && localName(child.tag) === name);
}
