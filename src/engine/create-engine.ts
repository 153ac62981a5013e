/**
 * Chooses and builds engines from the parsed Config:
 * `BELEG_ENGINE` = `extractive` | `gptq` | `tgi` | `openai`; without it, `gptq` when
 * `BELEG_MODEL_DIR` is set, else `extractive`. Remote engines need `BELEG_ENGINE_URL`.
 * The extractive engine is always available besides the chosen one, so `POST /ask` can name it.
 * The GPTQ engine (and with it onnxruntime) is loaded only when it is chosen.
 */
import path from 'node:path';
import type { Config, EngineName } from '../config.ts';
import { ValidationError } from '../errors.ts';
import { userMessage } from '../messages/index.ts';
import { createQuoteMask } from './constrain/create-quote-mask.ts';
import { ExtractiveLanguageModel } from './extractive/extractive-language-model.ts';
import type { LanguageModel } from './language-model.ts';
import type { LlamaTokenizer } from './tokenizer/llama-tokenizer.ts';
import { OpenAiLanguageModel } from './openai/openai-language-model.ts';
import { TgiLanguageModel } from './tgi/tgi-language-model.ts';

export type CreateEngineOptions = {
  /**
   * Makes the extractive engine report usage in Llama-2 tokens. Exact, but tokenizing a
   * 3,000-token prompt costs ~150 ms, ten times the answer itself; without it, usage counts words.
   */
  tokenizer?: Pick<LlamaTokenizer, 'count'>;
  /** Progress of loading (GPTQ conversion can take minutes the first time). */
  onProgress?: (message: string) => void;
};

/** The engine that answers when a request names none. */
export function defaultEngineName(config: Pick<Config, 'engine' | 'modelDir'>): EngineName {
  return config.engine ?? (config.modelDir ? 'gptq' : 'extractive');
}

function requireUrl(config: Config, name: EngineName): string {
  if (!config.engineUrl) {
    throw new ValidationError(userMessage('validation_failed.engine_url_missing', { engine: name }), { setting: 'engineUrl' });
  }
  return config.engineUrl;
}

/** Builds one engine. Throws a ValidationError when its settings are missing. */
export async function createEngine(config: Config, name: EngineName, options: CreateEngineOptions = {}): Promise<LanguageModel> {
  switch (name) {
    case 'extractive':
      return new ExtractiveLanguageModel({ countTokens: options.tokenizer ? (text) => options.tokenizer!.count(text) : undefined });
    case 'gptq': {
      if (!config.modelDir) {
        throw new ValidationError(userMessage('validation_failed.model_dir_missing'), { setting: 'modelDir' });
      }
      const { GptqLanguageModel } = await import('./gptq/gptq-language-model.ts');
      return GptqLanguageModel.load({
        modelDir: config.modelDir,
        cacheDir: path.join(config.dataDir, 'models', 'converted'),
        accuracyLevel: config.gptqAccuracy === 'fast' ? 4 : 0,
        threads: config.gptqThreads || undefined,
        promptCacheBytes: config.gptqPromptCacheMb * 1024 * 1024,
        createTokenMask: createQuoteMask,
        onProgress: options.onProgress,
      });
    }
    case 'tgi':
      return new TgiLanguageModel({ baseUrl: requireUrl(config, name), modelId: config.engineModel });
    case 'openai':
      return new OpenAiLanguageModel({ baseUrl: requireUrl(config, name), model: config.engineModel });
  }
}

/** The configured engines by name (the chosen one plus `extractive`) and the default's name. */
export async function createEngines(
  config: Config,
  options: CreateEngineOptions = {},
): Promise<{ engines: Record<string, LanguageModel>; defaultEngine: EngineName }> {
  const defaultEngine = defaultEngineName(config);
  const engines: Record<string, LanguageModel> = { extractive: await createEngine(config, 'extractive', options) };
  if (defaultEngine !== 'extractive') engines[defaultEngine] = await createEngine(config, defaultEngine, options);
  return { engines, defaultEngine };
}
