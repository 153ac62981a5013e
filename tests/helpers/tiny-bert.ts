/**
 * A tiny random-weight BERT-style sentence-embedding model, written as a sentence-transformers
 * export directory (model.onnx, tokenizer.json, tokenizer_config.json, 1_Pooling/config.json),
 * plus a plain TypeScript forward pass over the same weights to check the ONNX path against.
 *
 * Architecture (hidden 8, one layer, one head): embeddings (word + position + token type) →
 * LayerNorm → self-attention with the padding mask → residual + LayerNorm → ReLU feed-forward →
 * residual + LayerNorm → `last_hidden_state` [batch, sequence, hidden].
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GraphBuilder, float } from '../../src/engine/onnx/graph-builder.ts';
import { seededRandom as random } from '../../src/eval/bootstrap.ts';

export const TINY_BERT_HIDDEN = 8;
const FEED_FORWARD = 16;
const MAX_POSITIONS = 64;
const EPSILON = 1e-12;

/** The WordPiece vocabulary of the fixture tokenizer. */
export const TINY_BERT_VOCABULARY = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]',
  'das', 'wetter', 'in', 'düsseldorf', 'wird', 'heute', 'schön', 'und', 'sonnig', '!', '?', '.', ',',
  'wo', 'liegt', 'der', 'die', 'reis', 'anbau', '##gebiet', '##s', 'sommer', '##zeit', 'ist', 'ein', 'getreide',
  'wie', 'wann', 'beginnt', 'im', 'märz', 'haus', '##es', 'größte', 'china', 'query', 'passage', ':',
];

type Matrix = Float64Array; // row-major
export type TinyBertWeights = {
  word: Matrix; // [vocab, hidden]
  position: Matrix; // [positions, hidden]
  tokenType: Matrix; // [2, hidden]
  norms: Array<{ gamma: Float64Array; beta: Float64Array }>; // 3 LayerNorms
  query: Matrix; key: Matrix; value: Matrix; output: Matrix; // [hidden, hidden]
  up: Matrix; // [hidden, feedForward]
  down: Matrix; // [feedForward, hidden]
};

function makeWeights(seed: number): TinyBertWeights {
  const next = random(seed);
  // Values rounded to float32 so the TS reference uses exactly the weights the ONNX file holds.
  const matrix = (rows: number, columns: number, scale = 0.5) =>
    Float64Array.from({ length: rows * columns }, () => Math.fround((next() * 2 - 1) * scale));
  const norm = () => ({
    gamma: Float64Array.from({ length: TINY_BERT_HIDDEN }, () => Math.fround(0.75 + next() * 0.5)),
    beta: Float64Array.from({ length: TINY_BERT_HIDDEN }, () => Math.fround((next() * 2 - 1) * 0.1)),
  });
  const hidden = TINY_BERT_HIDDEN;
  return {
    word: matrix(TINY_BERT_VOCABULARY.length, hidden, 1),
    position: matrix(MAX_POSITIONS, hidden, 0.3),
    tokenType: matrix(2, hidden, 0.1),
    norms: [norm(), norm(), norm()],
    query: matrix(hidden, hidden),
    key: matrix(hidden, hidden),
    value: matrix(hidden, hidden),
    output: matrix(hidden, hidden),
    up: matrix(hidden, FEED_FORWARD),
    down: matrix(FEED_FORWARD, hidden),
  };
}

function tokenizerJson(): unknown {
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[PAD]'), special(1, '[UNK]'), special(2, '[CLS]'), special(3, '[SEP]')],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(TINY_BERT_VOCABULARY.map((token, id) => [token, id])),
    },
  };
}

function buildGraph(weights: TinyBertWeights): Uint8Array {
  const graph = new GraphBuilder();
  const hidden = TINY_BERT_HIDDEN;
  const inputIds = graph.input('input_ids', 'int64', ['batch', 'sequence']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch', 'sequence']);
  const tokenTypeIds = graph.input('token_type_ids', 'int64', ['batch', 'sequence']);

  const word = graph.op('Gather', [graph.floats('word_embeddings', [TINY_BERT_VOCABULARY.length, hidden], weights.word), inputIds]); // [B, S, H]
  const sequenceLength = graph.op('Gather', [graph.op('Shape', [inputIds]), graph.int64s('one_index', [], [1])]); // scalar
  const positions = graph.op('Range', [graph.int64s('zero', [], [0]), sequenceLength, graph.int64s('step', [], [1])]); // [S]
  const position = graph.op('Gather', [graph.floats('position_embeddings', [MAX_POSITIONS, hidden], weights.position), positions]); // [S, H]
  const tokenType = graph.op('Gather', [graph.floats('token_type_embeddings', [2, hidden], weights.tokenType), tokenTypeIds]); // [B, S, H]
  const layerNorm = (input: string, index: number) =>
    graph.op('LayerNormalization', [input, graph.floats(`gamma${index}`, [hidden], weights.norms[index]!.gamma), graph.floats(`beta${index}`, [hidden], weights.norms[index]!.beta)], {
      axis: -1,
      epsilon: float(EPSILON),
    });
  const embedded = layerNorm(graph.op('Add', [graph.op('Add', [word, position]), tokenType]), 0); // [B, S, H]

  const project = (input: string, name: string, rows: number, columns: number, values: Float64Array) =>
    graph.op('MatMul', [input, graph.floats(name, [rows, columns], values)]);
  const query = project(embedded, 'query', hidden, hidden, weights.query);
  const key = project(embedded, 'key', hidden, hidden, weights.key);
  const value = project(embedded, 'value', hidden, hidden, weights.value);
  const scores = graph.op('Div', [graph.op('MatMul', [query, graph.op('Transpose', [key], { perm: [0, 2, 1] })]), graph.floats('scale', [], [Math.sqrt(hidden)])]); // [B, S, S]
  const maskFloat = graph.op('Cast', [attentionMask], { to: 1 }); // [B, S]
  const bias = graph.op('Mul', [graph.op('Sub', [graph.floats('one', [], [1]), maskFloat]), graph.floats('minus', [], [-10000])]);
  const maskBias = graph.op('Unsqueeze', [bias, graph.int64s('axis_one', [1], [1])]); // [B, 1, S]
  const probabilities = graph.op('Softmax', [graph.op('Add', [scores, maskBias])], { axis: -1 });
  const context = project(graph.op('MatMul', [probabilities, value]), 'attention_output', hidden, hidden, weights.output);
  const attended = layerNorm(graph.op('Add', [embedded, context]), 1);
  const feedForward = project(graph.op('Relu', [project(attended, 'up', hidden, FEED_FORWARD, weights.up)]), 'down', FEED_FORWARD, hidden, weights.down);
  const output = graph.node('LayerNormalization', [graph.op('Add', [attended, feedForward]), graph.floats('gamma2', [hidden], weights.norms[2]!.gamma), graph.floats('beta2', [hidden], weights.norms[2]!.beta)], {
    axis: -1,
    epsilon: float(EPSILON),
  }, { outputs: ['last_hidden_state'] })[0]!;
  graph.output(output, 'float', ['batch', 'sequence', hidden]);
  return graph.finish('tiny-bert');
}

/**
 * Writes the export directory and returns its weights.
 * `pooling` chooses what 1_Pooling/config.json says; null leaves the file out.
 */
export function writeTinyBert(directory: string, options: { seed?: number; pooling?: 'mean' | 'cls' | 'max' | null; modelMaxLength?: number } = {}): TinyBertWeights {
  const weights = makeWeights(options.seed ?? 7);
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'model.onnx'), buildGraph(weights));
  writeFileSync(path.join(directory, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  writeFileSync(
    path.join(directory, 'tokenizer_config.json'),
    JSON.stringify({ do_lower_case: true, model_max_length: options.modelMaxLength ?? 32, tokenizer_class: 'BertTokenizer' }),
  );
  const pooling = options.pooling === undefined ? 'mean' : options.pooling;
  if (pooling !== null) {
    mkdirSync(path.join(directory, '1_Pooling'), { recursive: true });
    writeFileSync(
      path.join(directory, '1_Pooling', 'config.json'),
      JSON.stringify({
        word_embedding_dimension: TINY_BERT_HIDDEN,
        pooling_mode_cls_token: pooling === 'cls',
        pooling_mode_mean_tokens: pooling === 'mean',
        pooling_mode_max_tokens: pooling === 'max',
      }),
    );
  }
  return weights;
}

// ---- plain TypeScript reference -------------------------------------------------------------

function layerNormRow(row: Float64Array, norm: { gamma: Float64Array; beta: Float64Array }): Float64Array {
  const mean = row.reduce((sum, value) => sum + value, 0) / row.length;
  const variance = row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / row.length;
  return row.map((value, index) => ((value - mean) / Math.sqrt(variance + EPSILON)) * norm.gamma[index]! + norm.beta[index]!);
}

function multiply(row: Float64Array, matrix: Float64Array, columns: number): Float64Array {
  const result = new Float64Array(columns);
  for (let column = 0; column < columns; column += 1) {
    for (let index = 0; index < row.length; index += 1) result[column] += row[index]! * matrix[index * columns + column]!;
  }
  return result;
}

/** Token vectors of one unpadded sequence: [sequence][hidden]. */
export function referenceForward(weights: TinyBertWeights, ids: readonly number[]): Float64Array[] {
  const hidden = TINY_BERT_HIDDEN;
  const embedded = ids.map((id, position) => {
    const row = new Float64Array(hidden);
    for (let index = 0; index < hidden; index += 1) {
      row[index] = weights.word[id * hidden + index]! + weights.position[position * hidden + index]! + weights.tokenType[index]!;
    }
    return layerNormRow(row, weights.norms[0]!);
  });
  const queries = embedded.map((row) => multiply(row, weights.query, hidden));
  const keys = embedded.map((row) => multiply(row, weights.key, hidden));
  const values = embedded.map((row) => multiply(row, weights.value, hidden));
  return embedded.map((row, position) => {
    const scores = keys.map((key) => key.reduce((sum, value, index) => sum + value * queries[position]![index]!, 0) / Math.sqrt(hidden));
    const maximum = Math.max(...scores);
    const exponentials = scores.map((score) => Math.exp(score - maximum));
    const total = exponentials.reduce((sum, value) => sum + value, 0);
    const context = new Float64Array(hidden);
    exponentials.forEach((weight, other) => {
      for (let index = 0; index < hidden; index += 1) context[index] += (weight / total) * values[other]![index]!;
    });
    const attentionOutput = multiply(context, weights.output, hidden);
    const attended = layerNormRow(row.map((value, index) => value + attentionOutput[index]!), weights.norms[1]!);
    const up = multiply(attended, weights.up, FEED_FORWARD).map((value) => Math.max(0, value));
    const down = multiply(up, weights.down, hidden);
    return layerNormRow(attended.map((value, index) => value + down[index]!), weights.norms[2]!);
  });
}

/** The sentence embedding of one sequence: pooled, then L2-normalised. */
export function referenceEmbedding(weights: TinyBertWeights, ids: readonly number[], pooling: 'mean' | 'cls'): number[] {
  const tokens = referenceForward(weights, ids);
  const pooled = new Float64Array(TINY_BERT_HIDDEN);
  if (pooling === 'cls') pooled.set(tokens[0]!);
  else for (const token of tokens) token.forEach((value, index) => (pooled[index] += value / tokens.length));
  const norm = Math.sqrt(pooled.reduce((sum, value) => sum + value * value, 0));
  return Array.from(pooled, (value) => value / norm);
}
