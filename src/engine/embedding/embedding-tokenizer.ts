/**
 * The tokenizer of an embedding model (WordPiece for BERT, Unigram for XLM-R/e5, …), read from
 * `tokenizer.json` and `tokenizer_config.json` through @huggingface/tokenizers. The only file of
 * the embedding code that imports it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { ModelNotFoundError, UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

const tokenizerConfigSchema = z.object({ model_max_length: z.number().optional() }).passthrough();

/** Token ids of one text, with the model's special tokens, cut to the model's length. */
export type EncodedText = { ids: number[]; typeIds: number[] };

export class EmbeddingTokenizer {
  readonly #tokenizer: Tokenizer;
  /** Longest sequence the tokenizer config allows (large sentinel values are ignored). */
  readonly modelMaxLength: number | null;
  /** Id used to pad batches. */
  readonly padId: number;

  private constructor(tokenizer: Tokenizer, modelMaxLength: number | null, padId: number) {
    this.#tokenizer = tokenizer;
    this.modelMaxLength = modelMaxLength;
    this.padId = padId;
  }

  /** Reads `tokenizer.json` (required) and `tokenizer_config.json` (optional) from `directory`. */
  static fromDirectory(directory: string): EmbeddingTokenizer {
    const tokenizerPath = path.join(directory, 'tokenizer.json');
    if (!existsSync(tokenizerPath)) {
      throw new ModelNotFoundError(userMessage('model_not_found.embedding_tokenizer', { directory }), {
        directory,
      });
    }
    const configPath = path.join(directory, 'tokenizer_config.json');
    const rawConfig: unknown = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
    const config = tokenizerConfigSchema.safeParse(rawConfig);
    if (!config.success) {
      throw new UnsupportedModelError(userMessage('unsupported_model', { file: configPath, problem: config.error.issues[0]?.message ?? '' }), { file: configPath });
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(JSON.parse(readFileSync(tokenizerPath, 'utf8')), config.data);
    } catch (error) {
      throw new UnsupportedModelError(userMessage('unsupported_model.tokenizer_unreadable', { directory, reason: (error as Error).message }), { directory });
    }
    const maxLength = config.data.model_max_length;
    const padId = tokenizer.token_to_id('[PAD]') ?? tokenizer.token_to_id('<pad>') ?? 0;
    return new EmbeddingTokenizer(tokenizer, maxLength !== undefined && maxLength < 1_000_000 ? maxLength : null, padId);
  }

  /**
   * Encodes `text` with special tokens. Longer than `maxLength`: the leading tokens are kept and the
   * final special token (`[SEP]`, `</s>`) stays last.
   */
  encode(text: string, maxLength: number): EncodedText {
    const encoding = this.#tokenizer.encode(text, { add_special_tokens: true, return_token_type_ids: true });
    let ids = encoding.ids;
    let typeIds = encoding.token_type_ids ?? ids.map(() => 0);
    if (ids.length > maxLength) {
      ids = [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!];
      typeIds = typeIds.slice(0, maxLength);
    }
    return { ids, typeIds };
  }
}
