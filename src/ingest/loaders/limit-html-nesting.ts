/**
 * Guards the HTML parser against hostile nesting. Parsers slow down with the depth of the open
 * element stack (parse5 needs ~45 s for 40 000 nested `<div>`s, and cheerio's `.text()` recurses
 * until the call stack overflows), so elements nested deeper than a limit lose their tags while
 * their text stays. Real pages stay far below the limit and pass through unchanged.
 */

/** Elements that never have content, so they do not nest. */
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements whose content is raw text: tags inside them are not tags. */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript']);
/** A comment, a doctype or processing instruction, or a start or end tag. */
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<[!?][^>]*>|<(\/?)([a-zA-Z][^\s/>]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;

/** The deepest nesting of elements in `html` (approximate: end tags close their most recent start). */
export function nestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  forEachTag(html, (closing, name, selfClosing) => {
    if (VOID_ELEMENTS.has(name) || selfClosing) return true;
    depth = closing ? Math.max(0, depth - 1) : depth + 1;
    deepest = Math.max(deepest, depth);
    return true;
  });
  return deepest;
}

/** Removes the start and end tags of elements nested deeper than `maxDepth`, keeping all text. */
export function limitNesting(html: string, maxDepth: number): string {
  if (nestingDepth(html) <= maxDepth) return html;
  const kept: boolean[] = [];
  let depth = 0;
  let result = '';
  let copiedUpTo = 0;
  forEachTag(html, (closing, name, selfClosing, start, end) => {
    if (VOID_ELEMENTS.has(name) || selfClosing) return true;
    let keep: boolean;
    if (closing) {
      keep = kept.pop() ?? true;
      depth = Math.max(0, depth - 1);
    } else {
      depth++;
      keep = depth <= maxDepth;
      kept.push(keep);
    }
    if (!keep) {
      result += html.slice(copiedUpTo, start);
      copiedUpTo = end;
    }
    return true;
  });
  return result + html.slice(copiedUpTo);
}

/** Calls `visit(closing, name, selfClosing, start, end)` for every tag, skipping raw-text content. */
function forEachTag(html: string, visit: (closing: boolean, name: string, selfClosing: boolean, start: number, end: number) => boolean): void {
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(html)) !== null) {
    if (match[2] === undefined) continue; // comment, doctype
    const closing = match[1] === '/';
    const name = match[2].toLowerCase();
    const selfClosing = (match[3] ?? '').trimEnd().endsWith('/');
    visit(closing, name, selfClosing, match.index, match.index + match[0].length);
    if (!closing && RAW_TEXT_ELEMENTS.has(name)) {
      const endTag = new RegExp(`</${name}\\s*>`, 'ig');
      endTag.lastIndex = TOKEN.lastIndex;
      const found = endTag.exec(html);
      if (!found) return;
      TOKEN.lastIndex = found.index; // the end tag itself is visited next
    }
  }
}
