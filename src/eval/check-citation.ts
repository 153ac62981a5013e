/**
 * Re-checks a citation against the evaluator's own copy of the stored document text. The engine's
 * `verified` flag and `match` field are ignored on purpose: the evaluation exists to catch systems
 * that claim more than they deliver, so it trusts nothing the system under test says about itself.
 */

/** Looks up the stored text of a document by beleg document id; undefined when unknown. */
export type StoredTextLookup = (documentId: string) => string | undefined;

/** The parts of a citation the check needs (a subset of the answer contract's `Citation`). */
export type CitationToCheck = { quote: string; documentId: string; charStart: number; charEnd: number };

/** Why a citation failed, or `ok`. */
export type CitationVerdict =
  | 'ok'
  | 'unknown_document'
  | 'invalid_offsets'
  | 'empty_quote'
  | 'offsets_mismatch'
  | 'not_in_document';

export type CitationCheck = {
  verdict: CitationVerdict;
  /** Offsets are integers with 0 ≤ charStart < charEnd ≤ length of the stored text. */
  offsetsValid: boolean;
  /** The quote occurs verbatim somewhere in the cited document (at any offset). */
  quoteInDocument: boolean;
  /** Where the quote really is, when it is in the document but not at the given offsets. */
  foundAt: number | null;
};

/**
 * Checks one citation: the quote must equal `storedText.slice(charStart, charEnd)` exactly
 * (verdict `ok`). Otherwise says whether the offsets were in range and whether the quote occurs
 * elsewhere in the document, so a report can tell "wrong offsets" from "invented text".
 */
export function checkCitation(citation: CitationToCheck, getText: StoredTextLookup): CitationCheck {
  const text = getText(citation.documentId);
  if (text === undefined) {
    return { verdict: 'unknown_document', offsetsValid: false, quoteInDocument: false, foundAt: null };
  }
  const { charStart, charEnd, quote } = citation;
  const offsetsValid =
    Number.isInteger(charStart) && Number.isInteger(charEnd) && charStart >= 0 && charStart < charEnd && charEnd <= text.length;
  const position = quote.length > 0 ? text.indexOf(quote) : -1;
  const quoteInDocument = position >= 0;
  if (quote.trim().length === 0) return { verdict: 'empty_quote', offsetsValid, quoteInDocument: false, foundAt: null };
  if (!offsetsValid) {
    return { verdict: 'invalid_offsets', offsetsValid, quoteInDocument, foundAt: quoteInDocument ? position : null };
  }
  if (text.slice(charStart, charEnd) === quote) return { verdict: 'ok', offsetsValid, quoteInDocument: true, foundAt: charStart };
  if (quoteInDocument) return { verdict: 'offsets_mismatch', offsetsValid, quoteInDocument, foundAt: position };
  return { verdict: 'not_in_document', offsetsValid, quoteInDocument: false, foundAt: null };
}
