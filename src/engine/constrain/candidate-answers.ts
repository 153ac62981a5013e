/**
 * The valid answers of a prompt written out as strings (for servers that take a list of choices)
 * or as one regular expression (for servers that take a regex grammar). Same language as the
 * local token mask (./quote-automaton.ts), except that runs are limited to `maxSentences`
 * sentences: listing every run of n sentences takes O(n²) strings, and a remote grammar compiler
 * pays for every one of them. Three sentences cover what a quote should be anyway. Like the mask,
 * a run never crosses a `blockStart` and never holds a `heading`.
 */
import type { GroundedPrompt, PromptSource, QuoteConstraint } from '../language-model.ts';

export type CandidateOptions = {
  /** Longest run of sentences a quote may have. Default 3. */
  maxSentences?: number;
};

/**
 * The quotable runs of a source: each run of up to `maxSentences` whole sentences that holds no
 * heading and crosses no block start, as its text.
 */
export function sentenceRuns(source: PromptSource, maxSentences: number): string[] {
  const runs: string[] = [];
  source.sentences.forEach((first, index) => {
    for (let last = index; last < Math.min(source.sentences.length, index + maxSentences); last += 1) {
      const sentence = source.sentences[last]!;
      if (sentence.heading || (last > index && sentence.blockStart)) break;
      if (sentence.end > first.start) runs.push(source.text.slice(first.start, sentence.end));
    }
  });
  return runs;
}

/** Every valid answer: each quotable run of up to `maxSentences` sentences of one source with that source's citation, and the refusal. */
export function candidateAnswers(prompt: GroundedPrompt, constraint: QuoteConstraint, options: CandidateOptions = {}): string[] {
  const maxSentences = options.maxSentences ?? 3;
  const answers = new Set<string>();
  for (const source of prompt.sources) {
    const tail = ` (Quelle: ${source.citation})`;
    for (const run of sentenceRuns(source, maxSentences)) answers.add(run + tail);
  }
  answers.add(constraint.refusal);
  return [...answers];
}

/** Escapes text for a regex that Python's `re`, outlines and JavaScript read alike. */
export function escapeRegex(text: string): string {
  return text
    .replace(/[\\^$.*+?()[\]{}|]/g, (character) => `\\${character}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
}

/**
 * One regex for all valid answers: an optional leading space, then the refusal or, per source,
 * an alternation of its sentence runs followed by its citation.
 */
export function answerRegex(prompt: GroundedPrompt, constraint: QuoteConstraint, options: CandidateOptions = {}): string {
  const maxSentences = options.maxSentences ?? 3;
  const branches: string[] = [escapeRegex(constraint.refusal)];
  for (const source of prompt.sources) {
    const runs = new Set(sentenceRuns(source, maxSentences).map(escapeRegex));
    if (runs.size === 0) continue;
    branches.push(`(?:${[...runs].join('|')})${escapeRegex(` (Quelle: ${source.citation})`)}`);
  }
  return ` ?(?:${branches.join('|')})`;
}
