/**
 * The text of a presentation (PPTX, ODP), built the same way for both formats: one section per
 * slide under its title ("Folie 3" when it has none), the slide's paragraphs, list items and
 * table cells as blocks in reading order, then its speaker notes under a sub-heading "Notizen"
 * (heading path `Titel > Notizen`). Every slide is one PageSpan of kind `slide`, so a citation
 * names the slide ("Folie 3") and no quote crosses from one slide into the next.
 */
import { detectLanguage } from './detect-language.ts';
import { normalizeText } from './normalize-text.ts';
import { SectionBuilder } from './section-builder.ts';
import type { LoadedDocument, PageSpan } from '../types.ts';

/** One slide as a loader read it: number (1-based, in show order), title, blocks, notes. */
export type Slide = { number: number; title: string | null; blocks: string[]; notes: string[] };

/** The sub-heading the notes of a slide stand under. */
export const NOTES_HEADING = 'Notizen';

/** The document of `slides`: text, a section per slide (and its notes), a PageSpan per slide. */
export function slideDeckDocument(slides: readonly Slide[], metadata: { title: string | null; mimeType: string; bytes: Uint8Array }): LoadedDocument {
  const builder = new SectionBuilder();
  const pages: PageSpan[] = [];
  for (const slide of slides) {
    const title = cleanBlock(slide.title ?? '') || `Folie ${slide.number}`;
    const blocks = slide.blocks.map(cleanBlock).filter((block) => block.length > 0);
    const notes = slide.notes.map(cleanBlock).filter((block) => block.length > 0);
    if (blocks.length === 0 && notes.length === 0 && slide.title === null) continue;
    builder.addHeading(1, title);
    const charStart = builder.length - title.length;
    for (const block of blocks) builder.addBlock(block);
    if (notes.length > 0) {
      builder.addHeading(2, NOTES_HEADING);
      for (const block of notes) builder.addBlock(block);
    }
    pages.push({ number: slide.number, charStart, charEnd: builder.length, kind: 'slide' });
  }
  const { text, sections } = builder.finish();
  const documentTitle = cleanBlock(metadata.title ?? '') || (slides[0]?.title ? cleanBlock(slides[0].title) : '') || null;
  return { text, title: documentTitle, mimeType: metadata.mimeType, language: detectLanguage(text), pages, sections, bytes: metadata.bytes };
}

/** A block's text: line breaks kept, other whitespace collapsed, normalized. */
function cleanBlock(text: string): string {
  return normalizeText(
    text
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line.length > 0)
      .join('\n'),
  );
}
