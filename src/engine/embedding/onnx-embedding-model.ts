/**
 * An EmbeddingModel on onnxruntime (through ../onnx/runtime.ts) that loads a sentence-transformers
 * or optimum ONNX export directory:
 *
 * ```text
 * model.onnx | onnx/model.onnx | onnx/model*.onnx   the graph (input_ids, attention_mask[, token_type_ids])
 * tokenizer.json, tokenizer_config.json            the tokenizer
 * 1_Pooling/config.json                            mean or CLS pooling (mean when absent)
 * sentence_bert_config.json                        max_seq_length (optional)
 * config_sentence_transformers.json                prompts.query / prompts.passage (optional)
 * beleg-model.json                                 repo and revision, written by `beleg models pull`
 * ```
 *
 * Texts are tokenized, cut to the maximum length, padded per batch, run through the model, pooled
 * over the attention mask and L2-normalised. Models whose export already pools (an output named
 * `sentence_embedding`) are only normalised. e5 models get their `query: ` / `passage: ` prefixes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EmbeddingModel } from '../embedding-model.ts';
import { ModelNotFoundError, UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { createSession, Tensor, type OnnxSession, type OnnxTensor } from '../onnx/runtime.ts';
import { EmbeddingTokenizer } from './embedding-tokenizer.ts';
import { normalise, poolTokens, type PoolingMode } from './pooling.ts';

export type OnnxEmbeddingModelOptions = {
  /** The export directory. */
  directory: string;
  /** Defaults to the repo and revision in beleg-model.json, else the directory name. */
  modelId?: string;
  /** Longest token sequence (default: sentence_bert_config.json, else tokenizer config, capped at 512). */
  maxLength?: number;
  /** Texts per forward pass (default 16). */
  maxBatch?: number;
  /** onnxruntime threads per operator (default: all cores). */
  intraOpThreads?: number;
  /** Override the pooling of 1_Pooling/config.json. */
  pooling?: PoolingMode;
  /** Override the text put before queries and passages. */
  queryPrefix?: string;
  passagePrefix?: string;
};

const poolingConfigSchema = z
  .object({
    pooling_mode_cls_token: z.boolean().default(false),
    pooling_mode_mean_tokens: z.boolean().default(false),
    pooling_mode_max_tokens: z.boolean().default(false),
    pooling_mode_mean_sqrt_len_tokens: z.boolean().default(false),
    pooling_mode_weightedmean_tokens: z.boolean().default(false),
    pooling_mode_lasttoken: z.boolean().default(false),
  })
  .passthrough();
const sentenceBertConfigSchema = z.object({ max_seq_length: z.number().int().positive().optional() }).passthrough();
const sentenceTransformersConfigSchema = z
  .object({ prompts: z.record(z.string(), z.string()).optional() })
  .passthrough();
const pulledModelSchema = z.object({ repo: z.string(), revision: z.string() }).passthrough();

const DEFAULT_MAX_LENGTH = 512;
const DEFAULT_MAX_BATCH = 16;

function readJson<Schema extends z.ZodType>(file: string, schema: Schema): z.infer<Schema> | null {
  if (!existsSync(file)) return null;
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new UnsupportedModelError(userMessage('unsupported_model', { file, problem: parsed.error.issues[0]?.message ?? '' }), { file });
  return parsed.data;
}

/** The ONNX file of an export directory: model.onnx, onnx/model.onnx, or the first onnx/model*.onnx. */
export function findOnnxFile(directory: string): string {
  const candidates = [path.join(directory, 'model.onnx'), path.join(directory, 'onnx', 'model.onnx')];
  const onnxDirectory = path.join(directory, 'onnx');
  if (existsSync(onnxDirectory)) {
    const variants = readdirSync(onnxDirectory)
      .filter((name) => /^model.*\.onnx$/.test(name))
      .sort();
    candidates.push(...variants.map((name) => path.join(onnxDirectory, name)));
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new ModelNotFoundError(userMessage('model_not_found.no_onnx', { directory }), { directory });
  }
  return found;
}

function readPooling(directory: string): PoolingMode {
  const config = readJson(path.join(directory, '1_Pooling', 'config.json'), poolingConfigSchema);
  if (!config) return 'mean';
  if (config.pooling_mode_mean_tokens) return 'mean';
  if (config.pooling_mode_cls_token) return 'cls';
  throw new UnsupportedModelError(userMessage('unsupported_model.pooling', { directory }), { directory });
}

export class OnnxEmbeddingModel implements EmbeddingModel {
  readonly modelId: string;
  readonly dimensions: number;
  readonly maxBatch: number;
  readonly maxLength: number;
  readonly pooling: PoolingMode;
  readonly queryPrefix: string;
  readonly passagePrefix: string;
  readonly #session: OnnxSession;
  readonly #tokenizer: EmbeddingTokenizer;
  readonly #pooledOutput: string | null;
  readonly #tokenOutput: string;

  private constructor(
    session: OnnxSession,
    tokenizer: EmbeddingTokenizer,
    settings: { modelId: string; dimensions: number; maxBatch: number; maxLength: number; pooling: PoolingMode; queryPrefix: string; passagePrefix: string },
  ) {
    this.#session = session;
    this.#tokenizer = tokenizer;
    this.modelId = settings.modelId;
    this.dimensions = settings.dimensions;
    this.maxBatch = settings.maxBatch;
    this.maxLength = settings.maxLength;
    this.pooling = settings.pooling;
    this.queryPrefix = settings.queryPrefix;
    this.passagePrefix = settings.passagePrefix;
    const outputs = session.outputNames;
    this.#pooledOutput = outputs.includes('sentence_embedding') ? 'sentence_embedding' : null;
    this.#tokenOutput = ['last_hidden_state', 'token_embeddings'].find((name) => outputs.includes(name)) ?? outputs[0]!;
  }

  /** Loads the export in `options.directory`; throws ModelNotFoundError or UnsupportedModelError. */
  static async load(options: OnnxEmbeddingModelOptions): Promise<OnnxEmbeddingModel> {
    const directory = path.resolve(options.directory);
    if (!existsSync(directory)) {
      throw new ModelNotFoundError(userMessage('model_not_found.embedding_directory', { directory }), {
        directory,
      });
    }
    const onnxFile = findOnnxFile(directory);
    const tokenizer = EmbeddingTokenizer.fromDirectory(directory);
    const pooling = options.pooling ?? readPooling(directory);
    const sentenceBert = readJson(path.join(directory, 'sentence_bert_config.json'), sentenceBertConfigSchema);
    const maxLength = options.maxLength ?? Math.min(sentenceBert?.max_seq_length ?? tokenizer.modelMaxLength ?? DEFAULT_MAX_LENGTH, DEFAULT_MAX_LENGTH);
    const pulled = readJson(path.join(directory, 'beleg-model.json'), pulledModelSchema);
    const modelId = options.modelId ?? (pulled ? `${pulled.repo}@${pulled.revision}` : path.basename(directory));
    const prompts = readJson(path.join(directory, 'config_sentence_transformers.json'), sentenceTransformersConfigSchema)?.prompts ?? {};
    const isE5 = /(^|[^a-z])e5([^a-z]|$)/i.test(pulled?.repo ?? modelId);
    const queryPrefix = options.queryPrefix ?? prompts.query ?? (isE5 ? 'query: ' : '');
    const passagePrefix = options.passagePrefix ?? prompts.passage ?? prompts.document ?? (isE5 ? 'passage: ' : '');

    let session: OnnxSession;
    try {
      session = await createSession(onnxFile, { intraOpThreads: options.intraOpThreads });
    } catch (error) {
      throw new UnsupportedModelError(userMessage('unsupported_model.onnx_load', { file: onnxFile, reason: (error as Error).message }), { file: onnxFile });
    }
    for (const required of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(required)) {
        await session.release();
        throw new UnsupportedModelError(userMessage('unsupported_model.onnx_input', { file: onnxFile, input: required }), { file: onnxFile });
      }
    }
    const settings = { modelId, dimensions: 0, maxBatch: options.maxBatch ?? DEFAULT_MAX_BATCH, maxLength, pooling, queryPrefix, passagePrefix };
    const probe = new OnnxEmbeddingModel(session, tokenizer, settings);
    const [vector] = await probe.#embed(['probe']);
    return new OnnxEmbeddingModel(session, tokenizer, { ...settings, dimensions: vector!.length });
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatch) {
      const batch = texts.slice(start, start + this.maxBatch).map((text) => this.passagePrefix + text);
      vectors.push(...(await this.#embed(batch)));
    }
    return vectors;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.#embed([this.queryPrefix + text]);
    return vector!;
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }

  /** One forward pass over `texts`, padded to the longest. */
  async #embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const encoded = texts.map((text) => this.#tokenizer.encode(text, this.maxLength));
    const batch = encoded.length;
    const sequence = Math.max(...encoded.map((item) => item.ids.length));
    const ids = new BigInt64Array(batch * sequence).fill(BigInt(this.#tokenizer.padId)); // [batch, sequence]
    const mask = new BigInt64Array(batch * sequence); // [batch, sequence]
    const typeIds = new BigInt64Array(batch * sequence); // [batch, sequence]
    encoded.forEach((item, row) => {
      item.ids.forEach((id, position) => {
        ids[row * sequence + position] = BigInt(id);
        mask[row * sequence + position] = 1n;
        typeIds[row * sequence + position] = BigInt(item.typeIds[position] ?? 0);
      });
    });
    const feeds: Record<string, OnnxTensor> = {
      input_ids: new Tensor('int64', ids, [batch, sequence]),
      attention_mask: new Tensor('int64', mask, [batch, sequence]),
    };
    if (this.#session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new Tensor('int64', typeIds, [batch, sequence]);
    const outputs = await this.#session.run(feeds);
    if (this.#pooledOutput) {
      const pooled = outputs[this.#pooledOutput]!; // [batch, dimensions]
      const dimensions = pooled.dims[1]!;
      const data = pooled.data as Float32Array;
      return Array.from({ length: batch }, (_, row) => normalise(data.slice(row * dimensions, (row + 1) * dimensions)));
    }
    const hidden = outputs[this.#tokenOutput]!; // [batch, sequence, dimensions]
    const dimensions = hidden.dims[2]!;
    return poolTokens(hidden.data as Float32Array, mask, { batch, sequence, dimensions }, this.pooling).map(normalise);
  }
}
