import { describe, expect, it } from 'vitest';
import { checkCitation } from './check-citation.ts';

const text = 'Die Wärmepumpe kostet 12.000 Euro. Der Zuschuss beträgt 30 Prozent.';
const getText = (id: string) => (id === 'doc' ? text : undefined);
const at = (quote: string) => ({ quote, documentId: 'doc', charStart: text.indexOf(quote), charEnd: text.indexOf(quote) + quote.length });

describe('checkCitation', () => {
  it('accepts a quote that is exactly the stored text at its offsets', () => {
    expect(checkCitation(at('Der Zuschuss beträgt 30 Prozent.'), getText)).toMatchObject({ verdict: 'ok', offsetsValid: true });
  });

  it('tells offsets that are off by one from a quote that is not in the document', () => {
    const quote = at('Der Zuschuss beträgt 30 Prozent.');
    const shifted = checkCitation({ ...quote, charStart: quote.charStart - 1, charEnd: quote.charEnd - 1 }, getText);
    expect(shifted).toMatchObject({ verdict: 'offsets_mismatch', offsetsValid: true, foundAt: quote.charStart });
    const invented = checkCitation({ ...quote, quote: 'Der Zuschuss betraegt 30 Prozent.' }, getText);
    expect(invented).toMatchObject({ verdict: 'not_in_document', quoteInDocument: false });
  });

  it('rejects offsets outside the document, reversed offsets, empty quotes and unknown documents', () => {
    expect(checkCitation({ quote: 'x', documentId: 'doc', charStart: 60, charEnd: 999 }, getText)).toMatchObject({ verdict: 'invalid_offsets', offsetsValid: false });
    expect(checkCitation({ quote: 'Die', documentId: 'doc', charStart: 3, charEnd: 0 }, getText).verdict).toBe('invalid_offsets');
    expect(checkCitation({ quote: '   ', documentId: 'doc', charStart: 0, charEnd: 3 }, getText).verdict).toBe('empty_quote');
    expect(checkCitation({ ...at('Die Wärmepumpe'), documentId: 'other' }, getText).verdict).toBe('unknown_document');
  });
});
