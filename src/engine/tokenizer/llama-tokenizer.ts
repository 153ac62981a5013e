/**
 * The Llama-2 tokenizer, read from a Hugging Face `tokenizer.json` directory through
 * @huggingface/tokenizers (the only file that imports it). Used for token budgets when
 * chunking and building prompts, and by the local GPTQ engine.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { ModelNotFoundError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/** The Llama-2 tokenizer bundled with beleg (identical to EM German's). */
export const BUNDLED_TOKENIZER_DIR = fileURLToPath(new URL('../../../assets/llama-2-tokenizer/', import.meta.url));

const tokenizerConfigSchema = z
  .object({
    add_bos_token: z.boolean().default(true),
    add_eos_token: z.boolean().default(false),
    bos_token: z.union([z.string(), z.object({ content: z.string() })]).nullish(),
    eos_token: z.union([z.string(), z.object({ content: z.string() })]).nullish(),
  })
  .passthrough();

export class LlamaTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly addBos: boolean;
  readonly vocabSize: number;
  readonly #tokenizer: Tokenizer;

  private constructor(tokenizer: Tokenizer, config: z.infer<typeof tokenizerConfigSchema>) {
    this.#tokenizer = tokenizer;
    const tokenName = (value: unknown, fallback: string) =>
      typeof value === 'string' ? value : value && typeof value === 'object' && 'content' in value ? String(value.content) : fallback;
    this.bosId = tokenizer.token_to_id(tokenName(config.bos_token, '<s>')) ?? 1;
    this.eosId = tokenizer.token_to_id(tokenName(config.eos_token, '</s>')) ?? 2;
    this.addBos = config.add_bos_token;
    this.vocabSize = tokenizer.get_vocab(true).size;
  }

  /** Loads `tokenizer.json` and `tokenizer_config.json` from a directory. */
  static fromDirectory(directory: string = BUNDLED_TOKENIZER_DIR): LlamaTokenizer {
    const tokenizerPath = path.join(directory, 'tokenizer.json');
    if (!existsSync(tokenizerPath)) {
      throw new ModelNotFoundError(userMessage('model_not_found.tokenizer', { directory }), {
        directory,
      });
    }
    const configPath = path.join(directory, 'tokenizer_config.json');
    const rawConfig = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
    const config = tokenizerConfigSchema.parse(rawConfig);
    const tokenizerJson = JSON.parse(readFileSync(tokenizerPath, 'utf8'));
    return new LlamaTokenizer(new Tokenizer(tokenizerJson, rawConfig), config);
  }

  /** Token ids of `text`; with `addBos` (default: as tokenizer_config says) BOS comes first. */
  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    const ids = this.#tokenizer.encode(text, { add_special_tokens: false }).ids;
    const addBos = options.addBos ?? this.addBos;
    return addBos ? [this.bosId, ...ids] : ids;
  }

  /** Number of tokens `text` takes, without BOS. */
  count(text: string): number {
    return this.#tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  }

  /** Text of `ids`; special tokens are skipped unless asked for. */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return this.#tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? true });
  }

  /** The vocabulary entry (piece) of one id, e.g. `▁Haus` or `<0xC3>`. */
  piece(id: number): string {
    return this.#tokenizer.id_to_token(id) ?? '';
  }
}
