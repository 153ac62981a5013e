/**
 * What a question is about must be where its answer comes from. Two checks that hold for every
 * engine (a model constrained to quote can still quote the wrong passage):
 * - `missingFocus`: the question's focus terms (its nouns and names, ../engine/extractive/
 *   candidate-features.ts `focusTerms`) that occur in none of the retrieved passages. One is
 *   enough to decline with `focus_not_found`: "Wann wurde das Rathaus gebaut?" over documents that
 *   never mention a Rathaus has no answer there, however well "gebaut" matches.
 * - `isOffTopic`: a quote whose passage (the prompt source it comes from) shares none of the
 *   focus terms: it cannot be about what was asked (`off_topic`).
 * Word families and compound parts count as mentions (Vereinsbeitrag/Beitrag, geplant/Plänen).
 * Questions without focus terms ("Wann wurde er geboren?") pass both checks.
 */
import { focusTerms, mentionsTerm } from '../engine/extractive/candidate-features.ts';

/** Focus terms of the question (as written) that none of the texts mentions. */
export function missingFocus(question: string, texts: readonly string[]): string[] {
  return focusTerms(question)
    .filter((term) => !texts.some((text) => mentionsTerm(term, text)))
    .map((term) => term.surface);
}

/** True when the question has focus terms and the passage mentions none of them. */
export function isOffTopic(question: string, passage: string): boolean {
  const focus = focusTerms(question);
  return focus.length > 0 && !focus.some((term) => mentionsTerm(term, passage));
}
