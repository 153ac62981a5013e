import { describe, expect, it } from 'vitest';
import { confidenceBands, confidencePercent, confidenceWord } from './confidence.ts';

describe('confidence in words', () => {
  it('calls an answer sure from 0.9, likely from the threshold, unsure below it', () => {
    expect(confidenceWord(1, 0.5)).toBe('sicher');
    expect(confidenceWord(0.9, 0.5)).toBe('sicher');
    expect(confidenceWord(0.89, 0.5)).toBe('wahrscheinlich');
    expect(confidenceWord(0.5, 0.5)).toBe('wahrscheinlich');
    expect(confidenceWord(0.49, 0.5)).toBe('unsicher');
    expect(confidenceWord(0, 0.5)).toBe('unsicher');
  });

  it('never calls a quote below the threshold sure, even when the threshold is above 0.9', () => {
    expect(confidenceWord(0.92, 0.95)).toBe('unsicher');
    expect(confidenceWord(0.95, 0.95)).toBe('sicher');
  });

  it('has a band for every confidence, highest first', () => {
    const bands = confidenceBands(0.6);
    expect(bands.map((band) => band.word)).toEqual(['sicher', 'wahrscheinlich', 'unsicher']);
    expect(bands.map((band) => band.level)).toEqual(['sure', 'likely', 'unsure']);
    expect(bands.at(-1)!.from).toBe(0);
  });

  it('shows whole percent that never read higher than the word', () => {
    expect(confidencePercent(0.899)).toBe(89);
    expect(confidencePercent(0.29)).toBe(29);
    expect(confidencePercent(1)).toBe(100);
  });
});
