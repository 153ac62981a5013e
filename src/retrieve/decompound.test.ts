import { describe, expect, it } from 'vitest';
import { GermanDecompounder } from './decompound.ts';

describe('GermanDecompounder (bundled noun list)', () => {
  const decompounder = GermanDecompounder.load();

  it('splits the compounds from the issue into their parts', () => {
    expect(decompounder.split('Reisanbaugebiet')).toEqual(['reis', 'anbau', 'gebiet']);
    expect(decompounder.split('Sommerzeitumstellung')).toEqual(['sommer', 'zeit', 'umstellung']);
  });

  it('handles linking morphemes and splits parts that are compounds themselves', () => {
    expect(decompounder.split('Arbeitsplatz')).toEqual(['arbeit', 'platz']); // -s-
    expect(decompounder.split('Bundeskanzleramt')).toEqual(['bundeskanzler', 'amt', 'bund', 'kanzler']); // -es-
    expect(decompounder.split('Kernkraftwerk')).toEqual(['kern', 'kraftwerk', 'kraft', 'werk']);
    expect(decompounder.split('Wirtschaftswachstum')).toEqual(['wirtschaft', 'wachstum']);
  });

  it('leaves ordinary words, short words and unknown words alone', () => {
    for (const word of ['Verantwortung', 'Entwicklung', 'Geschichte', 'Universität', 'Haus', 'Interceptions', 'Panthers']) {
      expect(decompounder.split(word), word).toEqual([]);
    }
  });

  it('expands a query with the parts of its compounds, keeping the original text first', () => {
    expect(decompounder.expand('Wo liegt das größte Reisanbaugebiet?')).toBe('Wo liegt das größte Reisanbaugebiet? reis anbau gebiet');
    expect(decompounder.expand('Wann ist Sommerzeit?')).toBe('Wann ist Sommerzeit? sommer zeit');
    expect(decompounder.expand('Wie spät ist es?')).toBe('Wie spät ist es?');
  });

  it('works with a custom word list and linking -n-/-en-', () => {
    const custom = new GermanDecompounder(['Sonne', 'Blume', 'Frau', 'Arzt'], { minPartLength: 4, minWordLength: 8 });
    expect(custom.split('Sonnenblumen')).toEqual(['sonne', 'blume']); // -n- link, plural ending
    expect(custom.split('Frauenarzt')).toEqual(['frau', 'arzt']); // -en- link
    expect(custom.split('Sonnenfrau')).toEqual(['sonne', 'frau']);
    expect(custom.split('Blumenkohl')).toEqual([]); // "kohl" unknown
  });
});
