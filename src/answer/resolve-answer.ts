/**
 * Turns an engine's raw output into verified citations, or a refusal with its reason.
 *
 * A quote counts only when it is found in the stored text of the document it is attributed to:
 * first directly (exact, then normalised, preferring the retrieved source's range), then through
 * the prompt source (the model saw marker-neutralised text; its offsets map back to the stored
 * text exactly). The cited source is tried first; when the quote is not there but in another
 * source of the prompt, the citation names the source that really holds it. Anything that cannot
 * be verified turns the whole answer into a refusal with reason `unverifiable_quote`.
 *
 * A verified quote that crosses a block boundary (paragraph, heading, list item, table row, page
 * section) is cited as its parts, headings dropped (./split-at-blocks.ts); one that is nothing but
 * headings counts as unverifiable.
 */
import type { StoredChunk } from '../store/chunk-store.ts';
import type { PageSpan } from '../ingest/types.ts';
import type { GroundedPrompt, PromptSource, QuoteCandidate } from '../engine/language-model.ts';
import { REFUSAL, type Answer, type Candidate, type Citation, type Location } from './answer-contract.ts';
import { parseAnswer } from './parse-answer.ts';
import { splitAtBlocks, type BlockSentence } from './split-at-blocks.ts';
import { verifyQuote } from './verify-quote.ts';
import { NotFoundError } from '../errors.ts';

/** What a document contributes to citations. */
export type CitedDocument = { id: string; title: string | null; url: string | null; fileName: string | null };

/** A prompt source with what the answer layer needs to find quotes in stored text. */
export type AnswerPromptSource = PromptSource & {
  documentId: string;
  document: CitedDocument;
  /** The chunks the source is made of, in document order. */
  chunks: readonly StoredChunk[];
  /** Stored-text span the source covers. */
  charStart: number;
  charEnd: number;
};

/** The prompt as built for answering (src/retrieve/build-prompt.ts's BuiltPrompt fits). */
export type AnswerPrompt = GroundedPrompt & {
  sources: readonly AnswerPromptSource[];
  /** Maps `[start, end)` of `sources[sourceIndex].text` to stored offsets. */
  mapToStored(sourceIndex: number, start: number, end: number): { documentId: string; charStart: number; charEnd: number };
};

export type Resolution = {
  declined: boolean;
  reason: Answer['reason'];
  answer: string;
  citations: Citation[];
  /** True when the quote was not found in the source the model named (or it named none) but in another. */
  citationCorrected: boolean;
};

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Source indices to try for a citation: those whose citation matches first, then the rest. */
function sourceOrder(prompt: AnswerPrompt, citation: string): number[] {
  const wanted = collapse(citation);
  const all = prompt.sources.map((_, index) => index);
  const exact = all.filter((index) => collapse(prompt.sources[index]!.citation) === wanted);
  const loose = all.filter(
    (index) => !exact.includes(index) && (wanted.includes(collapse(prompt.sources[index]!.citation)) || collapse(prompt.sources[index]!.citation).includes(wanted)),
  );
  const rest = all.filter((index) => !exact.includes(index) && !loose.includes(index));
  return [...exact, ...loose, ...rest];
}

/** The stored page spans of a document (PDF pages, slides, spreadsheet rows), null when it has none. */
export type PageLookup = (documentId: string) => Promise<readonly PageSpan[] | null>;

/**
 * The page a quote starts on: the page span holding `charStart`, or, when the quote starts in
 * the gap between two spans, the last page that starts before it. Null without page spans.
 */
export function pageAt(pages: readonly PageSpan[] | null, charStart: number): number | null {
  const span = spanAt(pages, charStart);
  return span === null || span.kind === 'row' ? null : span.number;
}

/** The page span (page, slide or row) a quote starts in, by the same rule as `pageAt` (with its OCR flag and confidence); null without spans. */
export function spanAt(pages: readonly PageSpan[] | null, charStart: number): PageSpan | null {
  if (!pages || pages.length === 0) return null;
  let page: PageSpan | undefined;
  for (const span of pages) {
    if (span.charStart > charStart) break;
    page = span;
    if (charStart < span.charEnd) break;
  }
  return page ?? pages[0]!;
}

/** The citation's location of a slide or row span (PDF pages are named by `page` alone, as before). */
function locationOf(span: PageSpan | null): Location | undefined {
  if (span === null || span.kind === undefined || span.kind === 'page') return undefined;
  return { kind: span.kind, number: span.number, ...(span.sheet !== undefined ? { sheet: span.sheet } : {}), ...(span.cells !== undefined ? { cells: span.cells } : {}) };
}

/** The citation's OCR marks for a quote on `span`: none unless that page was read by OCR. */
function ocrMarks(span: PageSpan | null): Pick<Citation, 'ocr' | 'ocrConfidence'> {
  if (!span?.ocr) return {};
  return span.ocrConfidence === undefined ? { ocr: true } : { ocr: true, ocrConfidence: span.ocrConfidence };
}

function chunkAt(source: AnswerPromptSource, charStart: number): StoredChunk | undefined {
  return source.chunks.find((chunk) => chunk.charStart <= charStart && charStart < chunk.charEnd) ?? source.chunks[0];
}

/** The source's sentences in stored offsets, with their block flags. */
function storedSentences(prompt: AnswerPrompt, sourceIndex: number): BlockSentence[] {
  return prompt.sources[sourceIndex]!.sentences.map((sentence) => {
    const span = prompt.mapToStored(sourceIndex, sentence.start, sentence.end);
    return { charStart: span.charStart, charEnd: span.charEnd, blockStart: sentence.blockStart, heading: sentence.heading };
  });
}

/** The citations of `quote` in one source: one per block it spans (see the file comment), or null when not found. */
async function locate(
  prompt: AnswerPrompt,
  sourceIndex: number,
  quote: string,
  getText: (documentId: string) => Promise<string>,
  getPages: PageLookup | undefined,
): Promise<Citation[] | null> {
  const source = prompt.sources[sourceIndex]!;
  const stored = await getText(source.documentId).catch((error: unknown) => {
    // Deleted while the answer was generated: nothing left to verify against, so no citation.
    if (error instanceof NotFoundError) return null;
    throw error;
  });
  if (stored === null) return null;
  let found = verifyQuote(stored, quote, { preferRange: { charStart: source.charStart, charEnd: source.charEnd } });
  if (!found) {
    // The model saw the prompt's (neutralised) text: find the quote there and map it back.
    const inPrompt = verifyQuote(source.text, quote);
    if (inPrompt) {
      const span = prompt.mapToStored(sourceIndex, inPrompt.charStart, inPrompt.charEnd);
      if (span.documentId === source.documentId && span.charEnd > span.charStart && span.charEnd <= stored.length) {
        found = { charStart: span.charStart, charEnd: span.charEnd, quote: stored.slice(span.charStart, span.charEnd), match: 'normalized' };
      }
    }
  }
  if (!found) return null;
  const parts = splitAtBlocks(stored, found, storedSentences(prompt, sourceIndex));
  if (parts.length === 0) return null;
  // A chunk may start on an earlier page than the quote: the page is where the quote starts.
  const pages = getPages
    ? await getPages(source.documentId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      })
    : null;
  const match = found.match;
  return parts.map((part) => {
    const chunk = chunkAt(source, part.charStart);
    const span = pages && pages.length > 0 ? spanAt(pages, part.charStart) : null;
    const location = locationOf(span);
    return {
      quote: stored.slice(part.charStart, part.charEnd),
      documentId: source.documentId,
      title: source.document.title,
      url: source.document.url,
      fileName: source.document.fileName,
      page: span ? (span.kind === 'row' ? null : span.number) : (chunk?.page ?? null),
      ...(location ? { location } : {}),
      charStart: part.charStart,
      charEnd: part.charEnd,
      chunkId: chunk?.id ?? '',
      verified: true,
      match,
      ...ocrMarks(span),
    };
  });
}

function declined(reason: Answer['reason']): Resolution {
  return { declined: true, reason, answer: REFUSAL, citations: [], citationCorrected: false };
}

/**
 * Parses and verifies `raw` against the prompt's sources and their stored texts. With `getPages`,
 * each citation names the page its quote starts on; without it, the page its chunk starts on.
 */
export async function resolveAnswer(
  raw: string,
  prompt: AnswerPrompt,
  getText: (documentId: string) => Promise<string>,
  getPages?: PageLookup,
): Promise<Resolution> {
  const parsed = parseAnswer(raw);
  if (parsed.kind === 'refusal') return declined('model_declined');
  if (parsed.kind === 'malformed') return declined('unverifiable_quote');

  const order = sourceOrder(prompt, parsed.citation);
  const named = new Set(order.filter((index) => collapse(prompt.sources[index]!.citation) === collapse(parsed.citation)));
  // The whole quote first; if it is not verbatim anywhere, the parts the model joined with `…`.
  const attempts = parsed.parts.length > 1 ? [[parsed.quote], parsed.parts] : [[parsed.quote]];
  for (const quotes of attempts) {
    for (const sourceIndex of order) {
      const citations: Citation[] = [];
      let located = 0;
      for (const quote of quotes) {
        const parts = await locate(prompt, sourceIndex, quote, getText, getPages);
        if (!parts) break;
        citations.push(...parts);
        located += 1;
      }
      if (located === quotes.length) {
        return {
          declined: false,
          reason: null,
          answer: citations.map((citation) => citation.quote).join(' … '),
          citations,
          citationCorrected: !named.has(sourceIndex),
        };
      }
    }
  }
  return declined('unverifiable_quote');
}

/**
 * Verifies an engine's candidate quotes (runs of whole sentences of a prompt source) against the
 * stored texts, best first, and keeps at most `limit` distinct ones. A candidate that cannot be
 * verified (its document was deleted meanwhile) is left out: a passage to read is still a quote.
 * A candidate that crosses blocks becomes its parts, headings dropped, each with its confidence.
 */
export async function resolveCandidates(
  candidates: readonly QuoteCandidate[],
  prompt: AnswerPrompt,
  getText: (documentId: string) => Promise<string>,
  getPages?: PageLookup,
  limit = 3,
): Promise<Candidate[]> {
  const result: Candidate[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (result.length >= limit) break;
    const source = prompt.sources[candidate.sourceIndex];
    const first = source?.sentences[candidate.firstSentence];
    const last = source?.sentences[candidate.lastSentence];
    if (!source || !first || !last || last.end <= first.start) continue;
    const parts = await locate(prompt, candidate.sourceIndex, source.text.slice(first.start, last.end), getText, getPages);
    for (const citation of parts ?? []) {
      const key = `${citation.documentId}:${citation.charStart}:${citation.charEnd}`;
      if (seen.has(key) || result.length >= limit) continue;
      seen.add(key);
      result.push({ ...citation, confidence: candidate.confidence });
    }
  }
  return result;
}
