/**
 * Text normalization shared by all loaders: Unicode NFC, ligatures unfolded, line ends unified,
 * control characters and soft hyphens removed. The result is what beleg stores and quotes from,
 * so every loader applies the same rules.
 */

/** Typographic ligatures pdf.js and some web fonts emit as single code points. */
const LIGATURES: Record<string, string> = {
  '\uFB00': 'ff',
  '\uFB01': 'fi',
  '\uFB02': 'fl',
  '\uFB03': 'ffi',
  '\uFB04': 'ffl',
  '\uFB05': 'st',
  '\uFB06': 'st',
};
const LIGATURE_PATTERN = /[\uFB00-\uFB06]/g;
/** C0/C1 controls except tab and line feed, plus soft hyphen, zero-width characters and BOM. */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200D\u2060\uFEFF]/g;

/** Replaces ligature code points (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) by their letters. */
export function unfoldLigatures(text: string): string {
  return text.replace(LIGATURE_PATTERN, (ligature) => LIGATURES[ligature] ?? ligature);
}

/**
 * Normalizes text for storage: CRLF/CR → LF, a form feed (page break) → a paragraph break, NBSP
 * and other spaces → space, invisible characters removed, ligatures unfolded, trailing spaces on
 * lines dropped, runs of 3+ line breaks collapsed to a paragraph break, NFC, trimmed.
 */
export function normalizeText(text: string): string {
  return unfoldLigatures(text)
    .replace(/\r\n?/g, '\n')
    .replace(/\f/g, '\n\n')
    .replace(INVISIBLE, '')
    .replace(/[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(/\t/g, ' ')
    .replace(/[ ]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .normalize('NFC')
    .trim();
}

/** Collapses all whitespace runs inside a block (a paragraph) to single spaces. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
