/** A question with the prompt sources the engine saw for it (bench/reader/dump-prompts.ts). */
import type { PromptSource } from '../../src/engine/language-model.ts';

export type RecordedSource = PromptSource & {
  documentId: string;
  /** 0-based rank of the source's best chunk in retrieval. */
  rank: number;
};

export type RecordedCase = {
  id: string;
  article: number;
  /** Articles with an even index tune, odd ones are held out. */
  half: 'even' | 'odd';
  question: string;
  /** False for the twin whose own paragraph was left out of the search. */
  answerable: boolean;
  goldAnswers: string[];
  goldDocumentId: string;
  sources: RecordedSource[];
};
