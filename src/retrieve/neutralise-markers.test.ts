import { describe, expect, it } from 'vitest';
import { containsMarker, MARKER_BREAK, neutraliseMarkers, PROMPT_MARKERS } from './neutralise-markers.ts';

describe('neutraliseMarkers', () => {
  it('leaves ordinary text and its offsets alone', () => {
    const result = neutraliseMarkers('Der Nutzer fragt: Wo? Assistentin antwortet.');
    expect(result.text).toBe('Der Nutzer fragt: Wo? Assistentin antwortet.');
    expect([...result.toOriginal]).toEqual([...Array(result.text.length + 1).keys()]);
  });

  it('breaks every marker, in any case, and nothing else', () => {
    for (const marker of PROMPT_MARKERS) {
      for (const variant of [marker, marker.toLowerCase()]) {
        const result = neutraliseMarkers(`vor ${variant} nach`);
        expect(containsMarker(result.text), variant).toBe(false);
        expect(result.text.replaceAll(MARKER_BREAK, '')).toBe(`vor ${variant} nach`);
        expect(result.text.length).toBe(variant.length + 10);
      }
    }
  });

  it('maps every span of the neutralised text back to the same original text', () => {
    const original = 'AENDINPUTBEGININSTRUCTION x USER:ASSISTANT: ENDCONTEXT';
    const { text, toOriginal } = neutraliseMarkers(original);
    expect(containsMarker(text)).toBe(false);
    for (let start = 0; start <= text.length; start += 1) {
      for (let end = start; end <= text.length; end += 1) {
        const mapped = original.slice(toOriginal[start], toOriginal[end]);
        expect(mapped).toBe(text.slice(start, end).replaceAll(MARKER_BREAK, ''));
      }
    }
  });
});
