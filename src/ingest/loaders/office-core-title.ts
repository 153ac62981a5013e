/**
 * The title an office file declares in its document properties (`dc:title` in OOXML's
 * `docProps/core.xml` and ODF's `meta.xml`), or null.
 */
import { descendants, parseXml, textOf } from './parse-xml.ts';

/** `dc:title` of a core-properties or meta part, trimmed; null when absent or empty. */
export function declaredTitle(part: Uint8Array | undefined, partName: string): string | null {
  if (!part) return null;
  for (const root of parseXml(part, partName)) {
    for (const element of descendants(root, 'dc:title')) {
      const title = textOf(element).replace(/\s+/g, ' ').trim();
      if (title.length > 0) return title;
    }
  }
  return null;
}
