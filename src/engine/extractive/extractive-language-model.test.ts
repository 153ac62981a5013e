import { describe, expect, it } from 'vitest';
import { REFUSAL, type GroundedPrompt, type PromptSource } from '../language-model.ts';
import { ExtractiveLanguageModel } from './extractive-language-model.ts';
import { answerType } from './question-cues.ts';

/** A source whose sentences are the given strings joined by spaces. */
function source(citation: string, sentences: string[]): PromptSource {
  const spans: Array<{ start: number; end: number }> = [];
  let text = '';
  for (const sentence of sentences) {
    if (text.length > 0) text += ' ';
    spans.push({ start: text.length, end: text.length + sentence.length });
    text += sentence;
  }
  return { text, metadata: citation, citation, sentences: spans };
}

function prompt(question: string, sources: PromptSource[]): GroundedPrompt {
  return { text: `${sources.map((item) => item.text).join('\n')}\n${question}`, question, sources };
}

const rhein = source('Titel: Rhein', [
  'Der Rhein ist ein Strom in Mitteleuropa.',
  'Er entspringt in den Schweizer Alpen.',
  'Der Rhein ist 1233 Kilometer lang.',
  'Im Jahr 1815 wurde die Rheinschifffahrt frei.',
]);
const donau = source('Titel: Donau', ['Die Donau fließt durch Wien und Budapest.', 'Sie mündet ins Schwarze Meer.']);

describe('ExtractiveLanguageModel', () => {
  const engine = new ExtractiveLanguageModel();

  it('answers with a verbatim sentence and the citation of its source', async () => {
    const result = await engine.doGenerate({ prompt: prompt('Wie lang ist der Rhein?', [donau, rhein]), maxNewTokens: 100 });
    expect(result.text).toBe('Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)');
    expect(result.finishReason).toBe('stop');
  });

  it('uses the question type: Wann prefers the sentence with a year', async () => {
    const result = await engine.doGenerate({ prompt: prompt('Wann wurde die Rheinschifffahrt frei?', [rhein]), maxNewTokens: 100 });
    expect(result.text).toBe('Im Jahr 1815 wurde die Rheinschifffahrt frei. (Quelle: Titel: Rhein)');
  });

  it('matches inflected and compound forms (Städte/Stadt, Hauptstadt)', async () => {
    const cities = source('Titel: Städte', ['Bayern hat viele Dörfer.', 'Die Hauptstadt Bayerns ist München.', 'Berlin ist groß.']);
    const result = await engine.doGenerate({ prompt: prompt('Welche Stadt ist die Hauptstadt von Bayern?', [cities]), maxNewTokens: 100 });
    expect(result.text).toBe('Die Hauptstadt Bayerns ist München. (Quelle: Titel: Städte)');
  });

  it('refuses when the sources do not cover the question', async () => {
    const result = await engine.doGenerate({ prompt: prompt('Wer erfand den Buchdruck in Mainz?', [donau, rhein]), maxNewTokens: 100 });
    expect(result.text).toBe(REFUSAL);
  });

  it('refuses without sources', async () => {
    const result = await engine.doGenerate({ prompt: prompt('Wie lang ist der Rhein?', []), maxNewTokens: 100 });
    expect(result.text).toBe(REFUSAL);
  });

  it('answers a single-sentence source', async () => {
    const single = source('Datei: notiz.txt', ['Der Schlüssel liegt unter der Fußmatte.']);
    const result = await engine.doGenerate({ prompt: prompt('Wo liegt der Schlüssel?', [single]), maxNewTokens: 50 });
    expect(result.text).toBe('Der Schlüssel liegt unter der Fußmatte. (Quelle: Datei: notiz.txt)');
  });

  it('is deterministic and streams the same text it generates', async () => {
    const options = { prompt: prompt('Wohin mündet die Donau?', [rhein, donau]), maxNewTokens: 100 };
    const generated = await engine.doGenerate(options);
    const again = await engine.doGenerate(options);
    expect(again.text).toBe(generated.text);
    let streamed = '';
    for await (const part of engine.doStream(options)) {
      if (part.type === 'text-delta') streamed += part.text;
      if (part.type === 'finish') expect(part.text).toBe(generated.text);
    }
    expect(streamed).toBe(generated.text);
  });

  it('outputs whole sentences only: every quote is a run of the source sentences', async () => {
    const questions = ['Wo entspringt der Rhein?', 'Was ist der Rhein?', 'Wie lang ist er?', 'Wohin mündet die Donau?'];
    for (const question of questions) {
      const { text } = await engine.doGenerate({ prompt: prompt(question, [rhein, donau]), maxNewTokens: 100 });
      if (text === REFUSAL) continue;
      const match = /^(.*) \(Quelle: (.*)\)$/s.exec(text)!;
      const cited = [rhein, donau].find((item) => item.citation === match[2])!;
      const runs = cited.sentences.flatMap((first, i) => cited.sentences.slice(i).map((last) => cited.text.slice(first.start, last.end)));
      expect(runs).toContain(match[1]);
    }
  });

  it('reads the answer type from German question words', () => {
    expect(answerType('Wann wurde Köln gegründet?')).toBe('date');
    expect(answerType('In welchem Jahr fiel die Mauer?')).toBe('date');
    expect(answerType('Wie viele Einwohner hat Köln?')).toBe('number');
    expect(answerType('Wieviel kostet das?')).toBe('number');
    expect(answerType('Wer gründete Köln?')).toBe('name');
    expect(answerType('Wo liegt Köln?')).toBe('place');
    expect(answerType('Warum ist der Himmel blau?')).toBe('other');
  });

  it('reports a cancelled request as finishReason cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await engine.doGenerate({ prompt: prompt('Wie lang ist der Rhein?', [rhein]), maxNewTokens: 10, signal: controller.signal });
    expect(result).toMatchObject({ text: '', finishReason: 'cancelled' });
  });
});
