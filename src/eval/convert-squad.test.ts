import { describe, expect, it } from 'vitest';
import { convertSquad, UNANSWERABLE_SUFFIX } from './convert-squad.ts';
import { InvalidDatasetError } from './invalid-dataset-error.ts';
import { checkDatasetConsistency } from './load-dataset.ts';

const squad = {
  version: '1.1',
  data: [
    {
      title: 'Super_Bowl_50',
      paragraphs: [
        { context: 'Die Panthers gaben 308 Punkte ab.', qas: [{ id: 'q1', question: 'Wie viele Punkte?', answers: [{ text: '308', answer_start: 19 }, { text: '308', answer_start: 19 }] }] },
        { context: 'Die Broncos gewannen.', qas: [{ id: 'q2', question: 'Wer gewann?', answers: [{ text: 'Die Broncos', answer_start: 0 }] }] },
      ],
    },
  ],
};

describe('convertSquad', () => {
  it('makes one titled document per paragraph and pairs every question with its unanswerable twin', () => {
    const { corpus, cases } = convertSquad(squad);
    expect(corpus).toEqual([
      { id: 'Super_Bowl_50/0', title: 'Super Bowl 50 (0)', text: 'Die Panthers gaben 308 Punkte ab.' },
      { id: 'Super_Bowl_50/1', title: 'Super Bowl 50 (1)', text: 'Die Broncos gewannen.' },
    ]);
    expect(cases.map((evalCase) => evalCase.id)).toEqual(['q1', `q1${UNANSWERABLE_SUFFIX}`, 'q2', `q2${UNANSWERABLE_SUFFIX}`]);
    expect(cases[0]).toMatchObject({ answerable: true, goldDocumentIds: ['Super_Bowl_50/0'], goldAnswers: ['308'] });
    expect(cases[1]).toMatchObject({ answerable: false, excludeDocumentIds: ['Super_Bowl_50/0'], question: 'Wie viele Punkte?' });
    expect(cases[1]!.goldAnswers).toBeUndefined();
    expect(() => checkDatasetConsistency(corpus, cases)).not.toThrow();
  });

  it('splits by article index: even articles tune, odd ones are held out, twins go with their question', () => {
    const article = (title: string, id: string) => ({
      title,
      paragraphs: [{ context: `${title} ist ein Fluss.`, qas: [{ id, question: `Was ist ${title}?`, answers: [{ text: 'ein Fluss', answer_start: title.length + 5 }] }] }],
    });
    const { cases } = convertSquad({ data: [article('Rhein', 'r'), article('Main', 'm'), article('Elbe', 'e')] });
    expect(cases.map((evalCase) => [evalCase.id, evalCase.split])).toEqual([
      ['r', 'tune'],
      [`r${UNANSWERABLE_SUFFIX}`, 'tune'],
      ['m', 'test'],
      [`m${UNANSWERABLE_SUFFIX}`, 'test'],
      ['e', 'tune'],
      [`e${UNANSWERABLE_SUFFIX}`, 'tune'],
    ]);
  });

  it('can leave the twins out', () => {
    expect(convertSquad(squad, { unanswerableVariant: false }).cases).toHaveLength(2);
  });

  it('names the missing field of JSON that is not SQuAD', () => {
    expect(() => convertSquad({ data: [{ title: 'x', paragraphs: [{ qas: [] }] }] })).toThrow(/data\.0\.paragraphs\.0\.context/);
    expect(() => convertSquad({ data: [] })).toThrow(InvalidDatasetError);
  });
});
