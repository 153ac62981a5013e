/** A question with the prompt sources the engine saw for it (bench/reader/dump-prompts.ts). */
import type { PromptSource } from '../../src/engine/language-model.ts';

export type RecordedSource = PromptSource & {
  documentId: string;
  /** 0-based rank of the source's best chunk in retrieval. */
  rank: number;
};

export type RecordedCase = {
  id: string;
  /** The dataset folder's name, e.g. `xquad-de-dev`. */
  dataset: string;
  /** `tune`: used for fitting; `test`: held out, only measured. */
  split: 'tune' | 'test';
  question: string;
  /** False when the searchable documents do not answer it (e.g. the twin whose own paragraph was left out). */
  answerable: boolean;
  goldAnswers: string[];
  goldDocumentIds: string[];
  sources: RecordedSource[];
};
