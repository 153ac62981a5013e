/**
 * Synthetic German text and vectors for retrieval benchmarks: words drawn (Zipf-like, by frequency)
 * from the vocabulary of the XQuAD-de dev paragraphs in ../shared, and random unit vectors, all
 * from one seeded generator so a run is repeatable.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The XQuAD-de dev file: the shared folder sits next to the checkout (main) or two levels up (a worktree under wt/). */
function xquadPath(): string {
  const found = ['../../../shared', '../../../../shared']
    .map((folder) => path.resolve(import.meta.dirname, folder, 'datasets/xquad-de-dev/xquad.de.dev.json'))
    .find((candidate) => existsSync(candidate));
  if (!found) throw new Error('The XQuAD-de dev dataset (../shared/datasets/xquad-de-dev) was not found beside the checkout.');
  return found;
}

/** XQuAD-de's words, most frequent first. */
function xquadVocabulary(): string[] {
  const squad = JSON.parse(readFileSync(xquadPath(), 'utf8')) as { data: Array<{ paragraphs: Array<{ context: string }> }> };
  const counts = new Map<string, number>();
  for (const article of squad.data) {
    for (const paragraph of article.paragraphs) for (const word of paragraph.context.match(/\p{L}+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()].sort((left, right) => right[1] - left[1]).map(([word]) => word);
}

export type SyntheticCorpus = {
  /** A number in [0, 1) from the seeded generator. */
  random(): number;
  /** `count` words joined by spaces. */
  words(count: number): string;
  /** A random vector of length 1. */
  unitVector(dimensions: number): Float32Array;
};

/** A generator of text and vectors; the same `seed` gives the same sequence. */
export function syntheticCorpus(seed: number): SyntheticCorpus {
  const vocabulary = xquadVocabulary();
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const zipfWord = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * Math.log(vocabulary.length + 1)) - 1))]!;
  return {
    random,
    words: (count) => Array.from({ length: count }, zipfWord).join(' '),
    unitVector(dimensions) {
      const vector = Float32Array.from({ length: dimensions }, () => random() * 2 - 1);
      const norm = Math.hypot(...vector);
      return vector.map((value) => value / norm);
    },
  };
}
