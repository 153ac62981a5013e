/**
 * A byte trie over a Llama vocabulary: every token's text as UTF-8 bytes, so a walk from the root
 * along some bytes finds every token that spells exactly those bytes.
 *
 * Llama-2 pieces: `▁` stands for a space; `<0xNN>` byte-fallback pieces are one raw byte (a token
 * may be half of a multi-byte umlaut, which is why everything here works on bytes, not
 * characters); `<unk>`, `<s>`, `</s>` spell nothing and are left out (EOS is handled apart).
 * Built once per tokenizer and cached; a flat array layout keeps 32k tokens in ~1 MB.
 */
import type { LlamaTokenizer } from '../tokenizer/llama-tokenizer.ts';

/** What the trie needs from a tokenizer (LlamaTokenizer has it). */
export type VocabularySource = Pick<LlamaTokenizer, 'piece' | 'vocabSize' | 'eosId' | 'bosId'>;

export type VocabularyTrie = {
  /** UTF-8 bytes each token spells (empty for special tokens). */
  tokenBytes: readonly Uint8Array[];
  /** Children of a node, sorted by byte: indices into `childBytes`/`childNodes`. */
  childStart: Int32Array;
  childCount: Int32Array;
  childBytes: Uint8Array;
  childNodes: Int32Array;
  /** Tokens spelling exactly the bytes up to a node: indices into `nodeTokens`. */
  tokenStart: Int32Array;
  tokenCount: Int32Array;
  nodeTokens: Int32Array;
  eosId: number;
};

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;
const encoder = new TextEncoder();

/** The bytes a Llama piece stands for. */
export function pieceBytes(piece: string): Uint8Array {
  const byte = BYTE_PIECE.exec(piece);
  if (byte) return Uint8Array.of(Number.parseInt(byte[1]!, 16));
  return encoder.encode(piece.replaceAll('▁', ' '));
}

function isSpecialPiece(piece: string): boolean {
  return piece === '<unk>' || piece === '<s>' || piece === '</s>' || piece === '';
}

/** Child of `node` reached by `byte`, or -1. */
export function childOf(trie: VocabularyTrie, node: number, byte: number): number {
  let low = trie.childStart[node]!;
  let high = low + trie.childCount[node]! - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = trie.childBytes[middle]!;
    if (value === byte) return trie.childNodes[middle]!;
    if (value < byte) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

function build(tokenizer: VocabularySource): VocabularyTrie {
  const tokenBytes: Uint8Array[] = [];
  // Build with maps, then flatten.
  const children: Array<Map<number, number>> = [new Map()];
  const tokensAt: number[][] = [[]];
  for (let id = 0; id < tokenizer.vocabSize; id += 1) {
    const piece = tokenizer.piece(id);
    if (isSpecialPiece(piece) || id === tokenizer.eosId || id === tokenizer.bosId) {
      tokenBytes.push(new Uint8Array(0));
      continue;
    }
    const bytes = pieceBytes(piece);
    tokenBytes.push(bytes);
    let node = 0;
    for (const byte of bytes) {
      let next = children[node]!.get(byte);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        tokensAt.push([]);
        children[node]!.set(byte, next);
      }
      node = next;
    }
    tokensAt[node]!.push(id);
  }

  const nodeCount = children.length;
  const childStart = new Int32Array(nodeCount);
  const childCount = new Int32Array(nodeCount);
  const tokenStart = new Int32Array(nodeCount);
  const tokenCount = new Int32Array(nodeCount);
  const childBytes = new Uint8Array(nodeCount);
  const childNodes = new Int32Array(nodeCount);
  const nodeTokens: number[] = [];
  let edge = 0;
  for (let node = 0; node < nodeCount; node += 1) {
    const sorted = [...children[node]!.entries()].sort((left, right) => left[0] - right[0]);
    childStart[node] = edge;
    childCount[node] = sorted.length;
    for (const [byte, child] of sorted) {
      childBytes[edge] = byte;
      childNodes[edge] = child;
      edge += 1;
    }
    tokenStart[node] = nodeTokens.length;
    tokenCount[node] = tokensAt[node]!.length;
    nodeTokens.push(...tokensAt[node]!);
  }
  return {
    tokenBytes,
    childStart,
    childCount,
    childBytes,
    childNodes,
    tokenStart,
    tokenCount,
    nodeTokens: Int32Array.from(nodeTokens),
    eosId: tokenizer.eosId,
  };
}

const cache = new WeakMap<object, VocabularyTrie>();

/** The vocabulary trie of a tokenizer, built on first use and cached for its lifetime. */
export function vocabularyTrie(tokenizer: VocabularySource): VocabularyTrie {
  let trie = cache.get(tokenizer);
  if (!trie) {
    trie = build(tokenizer);
    cache.set(tokenizer, trie);
  }
  return trie;
}
