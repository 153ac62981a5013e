/** The sentences of a stored chunk with their block flags. */
import type { PromptSentence } from '../engine/language-model.ts';
import { SENTENCE_BLOCK_START, SENTENCE_HEADING, type StoredChunk } from '../store/chunk-store.ts';

/**
 * The sentences of a chunk (offsets relative to its text) with their block flags, decoded from
 * `sentenceFlags`; without stored flags (chunks from before them, or made up by callers) a
 * sentence has none. A chunk without sentence offsets is one sentence.
 */
export function sentencesOf(chunk: StoredChunk): PromptSentence[] {
  const offsets = chunk.sentenceOffsets;
  if (offsets.length < 2) return [{ start: 0, end: chunk.text.length }];
  const sentences: PromptSentence[] = [];
  for (let index = 0; index + 1 < offsets.length; index += 2) {
    const flags = chunk.sentenceFlags?.[index / 2] ?? 0;
    sentences.push({
      start: offsets[index]!,
      end: offsets[index + 1]!,
      ...(flags & SENTENCE_BLOCK_START ? { blockStart: true } : {}),
      ...(flags & SENTENCE_HEADING ? { heading: true } : {}),
    });
  }
  return sentences;
}
