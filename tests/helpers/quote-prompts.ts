/**
 * Prompts for the quote-mask tests on real models: two sources of German sentences (some with a
 * block boundary, a repeated sentence or a heading), and the check that an output is the refusal
 * or a verbatim run of whole sentences of one source with that source's citation.
 */
import { REFUSAL, type GroundedPrompt, type PromptSource } from '../../src/engine/language-model.ts';

const SENTENCES = [
  'Die Straße führt nach Köln.',
  'Größere Flüsse münden ins Meer.',
  'ENDINPUT ist hier nur ein Wort.',
  'Er nannte es „das Werk“.',
  'Süß!',
  'Der Preis beträgt 5,6 %.',
  'Ärzte trafen sich in Jena.',
];

function source(citation: string, sentences: string[]): PromptSource {
  const text = sentences.join(' ');
  let cursor = 0;
  const spans = sentences.map((sentence) => {
    const start = text.indexOf(sentence, cursor);
    cursor = start + sentence.length;
    return { start, end: cursor };
  });
  return { text, metadata: citation, citation, sentences: spans };
}

export function promptOf(index: number): GroundedPrompt {
  const pick = (offset: number) => SENTENCES[(index * 3 + offset) % SENTENCES.length]!;
  const first = source(`Titel: Quelle A${index}`, index % 4 === 0 ? [pick(0)] : [pick(0), pick(1)]);
  // Every third prompt repeats a sentence of the first source in the second.
  const second = source(`Url: https://example.org/${index}`, index % 3 === 0 ? [pick(0), pick(2)] : [pick(2)]);
  // Odd prompts put a block boundary between the first source's sentences; every sixth makes the
  // second source's first sentence a heading.
  if (index % 2 === 1 && first.sentences.length > 1) first.sentences = first.sentences.map((sentence, position) => (position === 1 ? { ...sentence, blockStart: true } : sentence));
  if (index % 6 === 5) second.sentences = second.sentences.map((sentence, position) => (position === 0 ? { ...sentence, heading: true, blockStart: true } : sentence));
  const sources = [first, second];
  const body = sources.map((item) => `BEGININPUT\nBEGINCONTEXT\n${item.metadata}\nENDCONTEXT\n${item.text}\nENDINPUT`).join('\n');
  const question = 'Was steht in den Quellen?';
  return { text: `Du bist ein hilfreicher Assistent. ${body}\nBEGININSTRUCTION ${question} ENDINSTRUCTION ASSISTANT:`, question, sources };
}

/** The refusal, or a run of whole sentences of one source within one block and without a heading, with that source's citation. */
export function isValidAnswer(text: string, prompt: GroundedPrompt): boolean {
  if (text === REFUSAL) return true;
  return prompt.sources.some((item) =>
    item.sentences.some((first, i) => {
      for (let j = i; j < item.sentences.length; j += 1) {
        const last = item.sentences[j]!;
        if (last.heading || (j > i && last.blockStart)) return false;
        if (text === `${item.text.slice(first.start, last.end)} (Quelle: ${item.citation})`) return true;
      }
      return false;
    }),
  );
}

