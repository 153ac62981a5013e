/**
 * The metadata lines written between BEGINCONTEXT and ENDCONTEXT, in the model card's style
 * (`Url: https://www.jph.me`), and the citation the model writes after `(Quelle: `.
 *
 * - web pages: `Url: <final url>` only, exactly like the card's example;
 * - uploads and texts: `Datei: bericht.pdf`, then `Titel: …` when the title says more than the
 *   file name, then `Seite: 3` (or `Seiten: 3–4` when a source spans pages) for PDFs;
 * - a text without file name or title: `Dokument: <id>`.
 *
 * The citation is the metadata lines joined with `, `, so the card's trained answer
 * `… (Quelle: Url: https://www.jph.me)` comes out unchanged for a web page. Values are put on one
 * line (whitespace runs become one space) and neutralised, so a title cannot close the context.
 */
import { neutraliseText } from './neutralise-markers.ts';

/** What the prompt needs to know about a chunk's document. */
export type PromptDocument = {
  id: string;
  title: string | null;
  /** The URL the page was read from (after redirects), for web pages. */
  url: string | null;
  fileName: string | null;
};

/** The metadata block and the citation of one source. */
export type SourceMetadata = { lines: string[]; metadata: string; citation: string };

function oneLine(value: string): string {
  return neutraliseText(value.replace(/\s+/g, ' ').trim());
}

function withoutExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/**
 * Metadata of a source from `document`, whose text starts on `firstPage` and ends on `lastPage`
 * (PDF pages, 1-based; null for documents without pages).
 */
export function describeSource(document: PromptDocument, firstPage: number | null, lastPage: number | null): SourceMetadata {
  const lines: string[] = [];
  const url = document.url?.trim();
  const title = document.title?.trim();
  const fileName = document.fileName?.trim();
  if (url) {
    lines.push(`Url: ${oneLine(url)}`);
  } else {
    if (fileName) lines.push(`Datei: ${oneLine(fileName)}`);
    const titleAddsSomething = title && (!fileName || title.toLowerCase() !== withoutExtension(fileName).toLowerCase());
    if (title && titleAddsSomething) lines.push(`Titel: ${oneLine(title)}`);
    if (lines.length === 0) lines.push(`Dokument: ${oneLine(document.id)}`);
    if (firstPage !== null) {
      const last = lastPage ?? firstPage;
      lines.push(last > firstPage ? `Seiten: ${firstPage}–${last}` : `Seite: ${firstPage}`);
    }
  }
  return { lines, metadata: lines.join('\n'), citation: lines.join(', ') };
}
