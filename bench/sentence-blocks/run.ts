/**
 * How often a sentence of the splitter crosses a block boundary, on the paragraphs of SQuAD-format
 * datasets (GermanQuAD: Wikipedia text with `== Heading ==` lines and one paragraph per line;
 * XQuAD-de: single paragraphs).
 *
 * Every context goes through the text loader (as `beleg eval` ingests it) and the sentence
 * splitter as plain text. Counted per dataset, judged on the text alone (not by the splitter's
 * own flags):
 * - `withHeadingLine`: sentences that hold a heading line (`== … ==`, `# …`) and more text;
 * - `withParagraphBreak`: sentences that hold a blank line;
 * - `withLineBreakAfterSentenceEnd`: sentences that hold a line break right after a sentence end
 *   (in Wikipedia text, a paragraph break);
 * - `joinableAcrossLineBreak`: neighbouring sentences with a line break between them that a quote
 *   may still join (no `blockStart` on the second);
 * - `headings`, `blockStarts`: what the splitter flags (0 where it has no flags).
 *
 * Run: `npx tsx bench/sentence-blocks/run.ts [dataset.json …]` (default: the GermanQuAD sample and
 * XQuAD-de dev under ../shared/datasets). Writes bench/results/sentence-blocks.json.
 *
 * Measured when sentences started to respect blocks (GermanQuAD sample, 501 paragraphs): before,
 * 4,798 sentences, 466 of them with a `== … ==` heading line glued to the text below it, 10 with a
 * paragraph's line break inside, and 1,239 neighbouring sentences across a line break that a quote
 * could join; after, 5,276 sentences, 0, 2 (a line break before lower-case text, no new sentence)
 * and 0, with 967 headings and 2,219 block starts. No sentence held a blank line before or after
 * (blank lines always ended sentences). XQuAD-de dev (120 single paragraphs): 637 sentences, none
 * crossing anything, before and after.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadText } from '../../src/ingest/loaders/load-text.ts';
import { splitSentences } from '../../src/ingest/split-sentences.ts';

const DEFAULT_DATASETS = [
  '../shared/datasets/germanquad-train-sample/germanquad.train.sample.json',
  '../shared/datasets/xquad-de-dev/xquad.de.dev.json',
];

const HEADING_LINE = /^[^\S\n]*(?:(=+)[^\S\n]*[^=\n].*?[^\S\n]*\1|#{1,6}[^\S\n].*)[^\S\n]*$/m;
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;
const LINE_BREAK_AFTER_SENTENCE_END = /[.!?…]["“”»«)\]]*[^\S\n]*\n/;

type Counts = {
  paragraphs: number;
  sentences: number;
  withHeadingLine: number;
  withParagraphBreak: number;
  withLineBreakAfterSentenceEnd: number;
  joinableAcrossLineBreak: number;
  headings: number;
  blockStarts: number;
};

/** The `context` strings of a SQuAD-format file. */
function contextsOf(file: string): string[] {
  const squad = JSON.parse(readFileSync(file, 'utf8')) as { data: Array<{ paragraphs: Array<{ context: string }> }> };
  return squad.data.flatMap((article) => article.paragraphs.map((paragraph) => paragraph.context));
}

function measure(contexts: string[]): Counts {
  const counts: Counts = {
    paragraphs: contexts.length,
    sentences: 0,
    withHeadingLine: 0,
    withParagraphBreak: 0,
    withLineBreakAfterSentenceEnd: 0,
    joinableAcrossLineBreak: 0,
    headings: 0,
    blockStarts: 0,
  };
  for (const context of contexts) {
    const { text } = loadText(context, new TextEncoder().encode(context));
    const sentences = splitSentences(text);
    sentences.forEach((sentence, index) => {
      const sentenceText = text.slice(sentence.charStart, sentence.charEnd);
      counts.sentences += 1;
      const heading = HEADING_LINE.exec(sentenceText);
      if (heading && heading[0].trim() !== sentenceText.trim()) counts.withHeadingLine += 1;
      if (PARAGRAPH_BREAK.test(sentenceText)) counts.withParagraphBreak += 1;
      if (LINE_BREAK_AFTER_SENTENCE_END.test(sentenceText)) counts.withLineBreakAfterSentenceEnd += 1;
      if (sentence.heading) counts.headings += 1;
      if (sentence.blockStart) counts.blockStarts += 1;
      const previous = sentences[index - 1];
      if (previous && text.slice(previous.charEnd, sentence.charStart).includes('\n') && !sentence.blockStart) counts.joinableAcrossLineBreak += 1;
    });
  }
  return counts;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DATASETS;
const results: Record<string, Counts> = {};
for (const file of files) results[path.basename(path.dirname(file))] = measure(contextsOf(file));
console.table(results);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sentence-blocks.json', `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
