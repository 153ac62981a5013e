/**
 * XQuAD-de dev for the retrieval benches: each paragraph is one document, each question's gold is
 * its own paragraph. Questions are split in two halves by article (even / odd index in the file):
 * weights are tuned on `even` only and `odd` is held out, so a gain there is not fitted noise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Squad = { data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string }> }> }> };

export type Half = 'even' | 'odd';
export type Paragraph = { id: string; title: string; text: string };
export type Question = { question: string; gold: string; half: Half };

export const DEFAULT_DATASET_PATH = path.resolve(import.meta.dirname, '../../../shared/datasets/xquad-de-dev/xquad.de.dev.json');

export function loadXquad(datasetPath: string = DEFAULT_DATASET_PATH): { paragraphs: Paragraph[]; questions: Question[] } {
  const squad = JSON.parse(readFileSync(datasetPath, 'utf8')) as Squad;
  const paragraphs: Paragraph[] = [];
  const questions: Question[] = [];
  squad.data.forEach((article, articleIndex) => {
    const half: Half = articleIndex % 2 === 0 ? 'even' : 'odd';
    article.paragraphs.forEach((paragraph, index) => {
      const id = `${article.title}-${index}`;
      paragraphs.push({ id, title: `${article.title} (${index})`, text: paragraph.context });
      for (const qa of paragraph.qas) questions.push({ question: qa.question, gold: id, half });
    });
  });
  return { paragraphs, questions };
}

export type Quality = { recallAt1: number; recallAt5: number; recallAt10: number; mrrAt10: number; questions: number };

/** Recall@1/5/10 and MRR@10 from the 1-based rank of each question's gold (0: not found). */
export function quality(ranks: readonly number[]): Quality {
  const count = ranks.length;
  const share = (test: (rank: number) => boolean) => ranks.filter(test).length / count;
  return {
    recallAt1: share((rank) => rank === 1),
    recallAt5: share((rank) => rank >= 1 && rank <= 5),
    recallAt10: share((rank) => rank >= 1 && rank <= 10),
    mrrAt10: ranks.reduce((sum, rank) => sum + (rank >= 1 && rank <= 10 ? 1 / rank : 0), 0) / count,
    questions: count,
  };
}
