/**
 * Builds a document text block by block while keeping track of heading paths, so HTML and
 * Markdown loaders produce the text and its section spans in one pass with exact offsets.
 */
import type { SectionSpan } from '../types.ts';

export class SectionBuilder {
  #text = '';
  readonly #sections: SectionSpan[] = [];
  /** Heading titles by level (index 0 = level 1). */
  readonly #path: Array<string | undefined> = [];

  /**
   * Appends a paragraph-like block; blocks are separated by a blank line. Empty blocks are
   * skipped. Returns where the block landed in the text (null when skipped).
   */
  addBlock(block: string): { charStart: number; charEnd: number } | null {
    const trimmed = block.trim();
    if (trimmed.length === 0) return null;
    if (this.#text.length > 0) this.#text += '\n\n';
    this.#text += trimmed;
    return { charStart: this.#text.length - trimmed.length, charEnd: this.#text.length };
  }

  /** Characters written so far (where the next block's separator begins). */
  get length(): number {
    return this.#text.length;
  }

  /** Starts a section under a heading of `level` (1–6) and appends the heading as its own block. */
  addHeading(level: number, title: string): void {
    const trimmed = title.trim();
    if (trimmed.length === 0) return;
    this.#closeSection();
    this.#path.length = Math.max(0, level - 1);
    this.#path[level - 1] = trimmed;
    const headingPath = this.#path.filter((entry): entry is string => entry !== undefined);
    this.addBlock(trimmed);
    this.#sections.push({ headingPath, charStart: this.#text.length - trimmed.length, charEnd: -1 });
  }

  #closeSection(): void {
    const open = this.#sections[this.#sections.length - 1];
    if (open && open.charEnd < 0) open.charEnd = this.#text.length;
  }

  /** The finished text and its sections (each ends where the next begins, the last at the end). */
  finish(): { text: string; sections: SectionSpan[] } {
    this.#closeSection();
    return { text: this.#text, sections: this.#sections };
  }
}
