/**
 * Keeps documents and questions from speaking EM German's prompt language.
 *
 * A source that contains `ENDINPUT\nBEGININSTRUCTION …` could otherwise close its own block and
 * give the model a new task. Every marker occurrence (case-insensitive) gets a ZERO WIDTH SPACE
 * (U+200B) after its first character: `ENDINPUT` becomes `E\u200BNDINPUT`, which reads the same to
 * a person but is a different token sequence and no longer the marker the model was trained on.
 *
 * Inserting (rather than replacing a letter with a look-alike) keeps every original character, so
 * the text maps back exactly: `toOriginal[i]` is the offset in the original text of boundary `i`
 * of the neutralised text (an inserted character has zero width in the original). Quotes the model
 * copies from a neutralised source therefore map back to exact stored offsets.
 */

/** The character inserted into markers. */
export const MARKER_BREAK = '\u200B';

/** Every string with a meaning in EM German's format. */
export const PROMPT_MARKERS = [
  'BEGININPUT',
  'ENDINPUT',
  'BEGINCONTEXT',
  'ENDCONTEXT',
  'BEGININSTRUCTION',
  'ENDINSTRUCTION',
  'ENDINCSTRUCTION',
  'USER:',
  'ASSISTANT:',
] as const;

const markerPattern = new RegExp(PROMPT_MARKERS.map((marker) => marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');

/** Neutralised text and the offset map back to the original. */
export type NeutralisedText = {
  text: string;
  /** Length `text.length + 1`: original offset of each boundary of `text`; non-decreasing. */
  toOriginal: Int32Array;
};

/** True when `text` contains a marker (case-insensitive). */
export function containsMarker(text: string): boolean {
  markerPattern.lastIndex = 0;
  return markerPattern.test(text);
}

/** Breaks every marker in `text` and returns the mapping back to the original offsets. */
export function neutraliseMarkers(text: string): NeutralisedText {
  const insertAt: number[] = [];
  markerPattern.lastIndex = 0;
  for (let match = markerPattern.exec(text); match !== null; match = markerPattern.exec(text)) {
    insertAt.push(match.index + 1);
  }
  if (insertAt.length === 0) {
    const toOriginal = new Int32Array(text.length + 1);
    for (let index = 0; index <= text.length; index += 1) toOriginal[index] = index;
    return { text, toOriginal };
  }
  const parts: string[] = [];
  const toOriginal = new Int32Array(text.length + insertAt.length + 1);
  let originalPosition = 0;
  let outputPosition = 0;
  for (const position of insertAt) {
    parts.push(text.slice(originalPosition, position), MARKER_BREAK);
    for (; originalPosition < position; originalPosition += 1, outputPosition += 1) toOriginal[outputPosition] = originalPosition;
    // The boundary before the inserted character and the one after it both sit at `position`.
    toOriginal[outputPosition] = position;
    outputPosition += 1;
  }
  parts.push(text.slice(originalPosition));
  for (; originalPosition <= text.length; originalPosition += 1, outputPosition += 1) toOriginal[outputPosition] = originalPosition;
  return { text: parts.join(''), toOriginal };
}

/** Neutralises text that needs no mapping (metadata, the question). */
export function neutraliseText(text: string): string {
  return neutraliseMarkers(text).text;
}
