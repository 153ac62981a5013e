/**
 * EM German's prompt format, byte for byte as the model card shows it (jphme/em_german_13b_v01,
 * "Sachliche Abfrage / RAG"; TheBloke's GPTQ card uses the same strings).
 *
 * The model saw exactly these strings in training, so nothing here is "improved": the system text
 * keeps its typo `ENDINCSTRUCTION`, the instruction itself is closed with `ENDINSTRUCTION`, and the
 * parts are joined by single spaces as in Vicuna's format without line breaks:
 *
 * ```text
 * <system> USER: BEGININPUT\nBEGINCONTEXT\n<metadata>\nENDCONTEXT\n<text>\nENDINPUT\n…BEGININSTRUCTION <question> ENDINSTRUCTION ASSISTANT:
 * ```
 *
 * One deviation from the German card is deliberate: its example writes `ENDCONTEXT \n` (a stray
 * space), while the card's code example, the English card and the issue write `ENDCONTEXT\n`.
 * We follow the latter; the GPTQ fixture's `em_german_rag` prompt was made the same way.
 *
 * The strings passed in must already be neutralised (see ./neutralise-markers.ts).
 */

/** The short system text of plain chat. */
export const CHAT_SYSTEM_TEXT = 'Du bist ein hilfreicher Assistent.';

/** The system text for answers grounded in sources, exactly as in the model card. */
export const GROUNDED_SYSTEM_TEXT =
  'Du bist ein hilfreicher Assistent. Für die folgende Aufgabe stehen dir zwischen den tags BEGININPUT und ENDINPUT ' +
  'mehrere Quellen zur Verfügung. Metadaten zu den einzelnen Quellen wie Autor, URL o.ä. sind zwischen BEGINCONTEXT ' +
  'und ENDCONTEXT zu finden, danach folgt der Text der Quelle. Die eigentliche Aufgabe oder Frage ist zwischen ' +
  'BEGININSTRUCTION und ENDINCSTRUCTION zu finden. Beantworte diese wortwörtlich mit einem Zitat aus den Quellen. ' +
  'Sollten diese keine Antwort enthalten, antworte, dass auf Basis der gegebenen Informationen keine Antwort möglich ist!';

/** What follows `(Quelle: ` in the model's trained answer; the citation ends with `)`. */
export const CITATION_PREFIX = ' (Quelle: ';

/** A source block as the prompt holds it. */
export type FormattedSource = { metadata: string; text: string };

/** Text that comes before the first source block. */
export function groundedPromptHead(): string {
  return `${GROUNDED_SYSTEM_TEXT} USER: `;
}

/** One `BEGININPUT … ENDINPUT\n` block. */
export function formatSource(source: FormattedSource): string {
  return `BEGININPUT\nBEGINCONTEXT\n${source.metadata}\nENDCONTEXT\n${source.text}\nENDINPUT\n`;
}

/** The instruction and the assistant turn that end a grounded prompt. */
export function formatInstruction(question: string): string {
  return `BEGININSTRUCTION ${question} ENDINSTRUCTION ASSISTANT:`;
}

/** The whole grounded prompt (without BOS; engines add it). */
export function formatGroundedPrompt(sources: readonly FormattedSource[], question: string): string {
  return groundedPromptHead() + sources.map(formatSource).join('') + formatInstruction(question);
}

/** The plain chat prompt, `Du bist ein hilfreicher Assistent. USER: <prompt> ASSISTANT:`. */
export function formatChatPrompt(message: string): string {
  return `${CHAT_SYSTEM_TEXT} USER: ${message} ASSISTANT:`;
}

/** The answer the model was trained to give: the quote, then its source. */
export function formatCitedAnswer(quote: string, citation: string): string {
  return `${quote}${CITATION_PREFIX}${citation})`;
}
