import { mkdtempSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxEmbeddingModel } from '../src/engine/embedding/onnx-embedding-model.ts';
import { EmbeddingTokenizer } from '../src/engine/embedding/embedding-tokenizer.ts';
import { referenceEmbedding, TINY_BERT_HIDDEN, TINY_BERT_VOCABULARY, writeTinyBert, type TinyBertWeights } from './helpers/tiny-bert.ts';

const texts = [
  'Das Wetter in Düsseldorf wird heute schön und sonnig!',
  'Wo liegt das größte Reisanbaugebiet?',
  'Reis ist ein Getreide.',
  'Die Sommerzeit beginnt im März.',
  'Haus',
];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 2e-5) {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index += 1) expect(Math.abs(actual[index]! - expected[index]!)).toBeLessThan(tolerance);
}

describe('ONNX embedding model (tiny random BERT)', () => {
  let root: string;
  let meanDirectory: string;
  let weights: TinyBertWeights;
  let tokenizer: EmbeddingTokenizer;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'beleg-embedding-'));
    meanDirectory = path.join(root, 'mean');
    weights = writeTinyBert(meanDirectory);
    tokenizer = EmbeddingTokenizer.fromDirectory(meanDirectory);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('tokenizes with WordPiece, special tokens and umlauts kept', () => {
    const { ids } = tokenizer.encode('Wo liegt das größte Reisanbaugebiet?', 32);
    const tokens = ids.map((id) => TINY_BERT_VOCABULARY[id]);
    // WordPiece gives up on a word it cannot cover completely: the whole word becomes [UNK].
    expect(tokens).toEqual(['[CLS]', 'wo', 'liegt', 'das', 'größte', '[UNK]', '?', '[SEP]']);
    const compound = tokenizer.encode('Sommerzeit Hauses', 32).ids.map((id) => TINY_BERT_VOCABULARY[id]);
    expect(compound).toEqual(['[CLS]', 'sommer', '##zeit', 'haus', '##es', '[SEP]']);
  });

  it('matches the TypeScript reference: mean pooling and unit length, with the model dimension', async () => {
    const model = await OnnxEmbeddingModel.load({ directory: meanDirectory, intraOpThreads: 1 });
    try {
      expect(model.dimensions).toBe(TINY_BERT_HIDDEN);
      expect(model.pooling).toBe('mean');
      expect(model.modelId).toBe('mean');
      const vectors = await model.embedDocuments(texts);
      expect(vectors).toHaveLength(texts.length);
      vectors.forEach((vector, index) => {
        const expected = referenceEmbedding(weights, tokenizer.encode(texts[index]!, 32).ids, 'mean');
        expectClose(vector, expected);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      });
      // A query without prefix embeds like a document.
      expectClose(await model.embedQuery(texts[1]!), vectors[1]!);
    } finally {
      await model.dispose();
    }
  });

  it('gives the same vectors in any batch size: padding does not leak into the result', async () => {
    const model = await OnnxEmbeddingModel.load({ directory: meanDirectory, maxBatch: 2, intraOpThreads: 1 });
    const single = await OnnxEmbeddingModel.load({ directory: meanDirectory, maxBatch: 1, intraOpThreads: 1 });
    try {
      const batched = await model.embedDocuments(texts);
      const oneByOne = await single.embedDocuments(texts);
      batched.forEach((vector, index) => expectClose(vector, oneByOne[index]!, 1e-5));
      // "Haus" is the shortest text and was padded in its batch of 5 → the same as alone.
      expect(await model.embedDocuments([])).toEqual([]);
    } finally {
      await model.dispose();
      await single.dispose();
    }
  });

  it('uses CLS pooling when 1_Pooling says so, and truncates to the maximum length', async () => {
    const clsDirectory = path.join(root, 'cls');
    const clsWeights = writeTinyBert(clsDirectory, { pooling: 'cls', seed: 11 });
    const model = await OnnxEmbeddingModel.load({ directory: clsDirectory, maxLength: 6, intraOpThreads: 1 });
    try {
      expect(model.pooling).toBe('cls');
      const [vector] = await model.embedDocuments([texts[0]!]);
      const truncated = tokenizer.encode(texts[0]!, 6).ids;
      expect(truncated.map((id) => TINY_BERT_VOCABULARY[id])).toEqual(['[CLS]', 'das', 'wetter', 'in', 'düsseldorf', '[SEP]']);
      expectClose(vector!, referenceEmbedding(clsWeights, truncated, 'cls'));
    } finally {
      await model.dispose();
    }
  });

  it('puts e5 prefixes before queries and passages', async () => {
    const e5Directory = path.join(root, 'multilingual-e5-tiny');
    writeTinyBert(e5Directory);
    const model = await OnnxEmbeddingModel.load({ directory: e5Directory, intraOpThreads: 1 });
    try {
      expect(model.queryPrefix).toBe('query: ');
      expect(model.passagePrefix).toBe('passage: ');
      const query = await model.embedQuery('Reis ist ein Getreide.');
      expectClose(query, referenceEmbedding(weights, tokenizer.encode('query: Reis ist ein Getreide.', 32).ids, 'mean'));
      const [passage] = await model.embedDocuments(['Reis ist ein Getreide.']);
      expectClose(passage!, referenceEmbedding(weights, tokenizer.encode('passage: Reis ist ein Getreide.', 32).ids, 'mean'));
    } finally {
      await model.dispose();
    }
  });

  it('finds onnx/model*.onnx and reads the pulled repo as model id', async () => {
    const directory = path.join(root, 'optimum');
    writeTinyBert(directory, { pooling: null });
    mkdirSync(path.join(directory, 'onnx'));
    renameSync(path.join(directory, 'model.onnx'), path.join(directory, 'onnx', 'model_quantized.onnx'));
    writeFileSync(path.join(directory, 'beleg-model.json'), JSON.stringify({ repo: 'example/tiny-bert', revision: 'main' }));
    const model = await OnnxEmbeddingModel.load({ directory, intraOpThreads: 1 });
    try {
      expect(model.modelId).toBe('example/tiny-bert@main');
      expect(model.pooling).toBe('mean'); // no 1_Pooling: mean
    } finally {
      await model.dispose();
    }
  });

  it('explains a missing or unsupported model', async () => {
    await expect(OnnxEmbeddingModel.load({ directory: path.join(root, 'nothing') })).rejects.toThrow(/does not exist.*beleg models pull/);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await expect(OnnxEmbeddingModel.load({ directory: empty })).rejects.toThrow(/No ONNX model in/);
    const maxPooling = path.join(root, 'max');
    writeTinyBert(maxPooling, { pooling: 'max' });
    await expect(OnnxEmbeddingModel.load({ directory: maxPooling })).rejects.toThrow(/only mean and CLS/);
  });
});
