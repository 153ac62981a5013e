export { createQuoteMask, type QuoteMask } from './create-quote-mask.ts';
export { compileQuoteAutomaton, type QuoteAutomaton } from './quote-automaton.ts';
export { vocabularyTrie, pieceBytes, type VocabularyTrie, type VocabularySource } from './vocabulary-trie.ts';
