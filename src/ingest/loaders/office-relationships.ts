/**
 * Office Open XML packages (PPTX, XLSX) link their parts through relationship files: the part
 * `ppt/presentation.xml` finds its slides in `ppt/_rels/presentation.xml.rels`. These helpers read
 * such a file and resolve its targets to entry names of the ZIP.
 */
import { descendants, parseXml } from './parse-xml.ts';

/** One relationship: its id (`rId2`), type URI and target entry name, resolved. */
export type Relationship = { id: string; type: string; target: string };

/** The relationships file of a part: `ppt/slides/slide1.xml` → `ppt/slides/_rels/slide1.xml.rels`. */
export function relationshipsPathOf(partName: string): string {
  const slash = partName.lastIndexOf('/');
  return `${partName.slice(0, slash + 1)}_rels/${partName.slice(slash + 1)}.rels`;
}

/** The relationships of `partName`, by id (empty when the package has no relationships file for it). */
export function readRelationships(entries: ReadonlyMap<string, Uint8Array>, partName: string): Map<string, Relationship> {
  const path = relationshipsPathOf(partName);
  const bytes = entries.get(path);
  const relationships = new Map<string, Relationship>();
  if (!bytes) return relationships;
  for (const root of parseXml(bytes, path)) {
    for (const element of descendants(root, 'Relationship')) {
      const { Id: id, Type: type = '', Target: target, TargetMode: mode } = element.attributes;
      if (!id || !target || mode === 'External') continue;
      relationships.set(id, { id, type, target: resolveTarget(partName, target) });
    }
  }
  return relationships;
}

/** A relationship target as a ZIP entry name: absolute (`/xl/…`) or relative to the part's folder, `..` resolved. */
export function resolveTarget(partName: string, target: string): string {
  const base = target.startsWith('/') ? [] : partName.split('/').slice(0, -1);
  for (const segment of target.replace(/^\//, '').split('/')) {
    if (segment === '..') base.pop();
    else if (segment !== '.' && segment !== '') base.push(segment);
  }
  return base.join('/');
}

/** The last part of a relationship type URI (`…/relationships/slide` → `slide`). */
export function relationshipKind(type: string): string {
  return type.slice(type.lastIndexOf('/') + 1);
}
