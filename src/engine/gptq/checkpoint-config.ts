/**
 * The settings of a GPTQ checkpoint directory, read from `config.json`, `quantize_config.json`
 * and `generation_config.json` and validated with zod. Anything beleg cannot run (bits other
 * than 4 or 8, architectures other than Llama, rope scaling) is refused here with an error
 * naming the setting, before any weight is read.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelNotFoundError, UnsupportedModelError } from '../../errors.ts';
import { userMessage, type MessageId } from '../../messages/index.ts';

const llamaConfigSchema = z
  .object({
    architectures: z.array(z.string()).optional(),
    model_type: z.string().optional(),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    intermediate_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    num_attention_heads: z.number().int().positive(),
    num_key_value_heads: z.number().int().positive().optional(),
    head_dim: z.number().int().positive().nullish(),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    rope_scaling: z.unknown().nullish(),
    max_position_embeddings: z.number().int().positive().default(4096),
    tie_word_embeddings: z.boolean().default(false),
    hidden_act: z.string().default('silu'),
    attention_bias: z.boolean().default(false),
    mlp_bias: z.boolean().default(false),
    bos_token_id: z.number().int().nullish(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
    quantization_config: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

const quantizeConfigSchema = z
  .object({
    bits: z.number().int(),
    group_size: z.number().int(),
    desc_act: z.boolean().default(false),
    sym: z.boolean().default(true),
    static_groups: z.boolean().default(false),
    quant_method: z.string().default('gptq'),
    checkpoint_format: z.string().optional(),
  })
  .passthrough();

const generationConfigSchema = z
  .object({
    bos_token_id: z.number().int().nullish(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    top_k: z.number().int().optional(),
    repetition_penalty: z.number().optional(),
    do_sample: z.boolean().optional(),
  })
  .passthrough();

/** Shape and numerics of the Llama network. */
export type LlamaShape = {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
  tieWordEmbeddings: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
};

/** How the Linear layers are quantized. */
export type QuantizationSettings = {
  bits: 4 | 8;
  /** Input channels per group; -1 means one group over the whole input. */
  groupSize: number;
  actOrder: boolean;
  symmetric: boolean;
};

export type CheckpointConfig = {
  directory: string;
  shape: LlamaShape;
  quantization: QuantizationSettings;
  bosId: number;
  eosIds: number[];
};

/** The message for a quantization setting beleg does not support. */
function unsupportedSetting(setting: string, value: string | number, supported: Extract<MessageId, `fragment.supports_${string}`>) {
  return userMessage('unsupported_model.quantization_setting', { setting, value, supported: userMessage(supported) });
}

function readJson(filePath: string): unknown {
  try {
    return JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new UnsupportedModelError(userMessage('unsupported_model.invalid_json', { file: filePath, reason: (error as Error).message }), { path: filePath });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, filePath: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue.path.join('.');
    throw new UnsupportedModelError(userMessage('unsupported_model.invalid_setting', { file: filePath, setting, problem: issue.message }), {
      path: filePath,
      setting,
    });
  }
  return parsed.data;
}

/** Reads and checks the configuration of a GPTQ checkpoint directory. */
export function readCheckpointConfig(directory: string): CheckpointConfig {
  const configPath = path.join(directory, 'config.json');
  if (!existsSync(configPath)) {
    throw new ModelNotFoundError(userMessage('model_not_found', { directory }), { directory });
  }
  const config = parseWith(llamaConfigSchema, readJson(configPath), configPath);
  const architecture = config.architectures?.[0] ?? config.model_type ?? 'unknown';
  if (!(architecture === 'LlamaForCausalLM' || (config.architectures === undefined && config.model_type === 'llama'))) {
    const value = JSON.stringify(config.architectures ?? config.model_type);
    throw new UnsupportedModelError(
      userMessage('unsupported_model.config_setting', { setting: 'architectures', value, supported: userMessage('fragment.supports_llama') }),
      { setting: 'architectures', value: architecture },
    );
  }
  if (config.hidden_act !== 'silu') {
    throw new UnsupportedModelError(
      userMessage('unsupported_model.config_setting', { setting: 'hidden_act', value: String(config.hidden_act), supported: userMessage('fragment.supports_silu') }),
      { setting: 'hidden_act' },
    );
  }
  if (config.rope_scaling) {
    throw new UnsupportedModelError(userMessage('unsupported_model.rope_scaling'), { setting: 'rope_scaling' });
  }

  const quantizePath = path.join(directory, 'quantize_config.json');
  const rawQuantization = existsSync(quantizePath) ? readJson(quantizePath) : config.quantization_config;
  if (rawQuantization === undefined) {
    throw new UnsupportedModelError(userMessage('unsupported_model.not_gptq', { directory }), { setting: 'quantization_config' });
  }
  const quantization = parseWith(quantizeConfigSchema, rawQuantization, existsSync(quantizePath) ? quantizePath : configPath);
  if (quantization.quant_method !== 'gptq') {
    throw new UnsupportedModelError(unsupportedSetting('quant_method', quantization.quant_method, 'fragment.supports_gptq'), { setting: 'quant_method' });
  }
  if (quantization.bits !== 4 && quantization.bits !== 8) {
    throw new UnsupportedModelError(unsupportedSetting('bits', quantization.bits, 'fragment.supports_bits'), { setting: 'bits', value: quantization.bits });
  }
  if (quantization.group_size !== -1 && quantization.group_size <= 0) {
    throw new UnsupportedModelError(unsupportedSetting('group_size', quantization.group_size, 'fragment.supports_group_size'), { setting: 'group_size' });
  }
  if (quantization.checkpoint_format && quantization.checkpoint_format !== 'gptq') {
    throw new UnsupportedModelError(unsupportedSetting('checkpoint_format', quantization.checkpoint_format, 'fragment.supports_gptq_format'), {
      setting: 'checkpoint_format',
    });
  }

  const generationPath = path.join(directory, 'generation_config.json');
  const generation = existsSync(generationPath) ? parseWith(generationConfigSchema, readJson(generationPath), generationPath) : {};
  const eos = generation.eos_token_id ?? config.eos_token_id ?? 2;

  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  if (heads % kvHeads !== 0) {
    throw new UnsupportedModelError(userMessage('unsupported_model.head_count', { heads, keyValueHeads: kvHeads }), { setting: 'num_key_value_heads' });
  }
  const headDim = config.head_dim ?? config.hidden_size / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new UnsupportedModelError(userMessage('unsupported_model.head_dimension', { headDimension: headDim }), { setting: 'head_dim' });
  }
  return {
    directory,
    shape: {
      vocabSize: config.vocab_size,
      hiddenSize: config.hidden_size,
      intermediateSize: config.intermediate_size,
      layers: config.num_hidden_layers,
      heads,
      kvHeads,
      headDim,
      rmsNormEps: config.rms_norm_eps,
      ropeTheta: config.rope_theta,
      maxPositions: config.max_position_embeddings,
      tieWordEmbeddings: config.tie_word_embeddings,
      attentionBias: config.attention_bias,
      mlpBias: config.mlp_bias,
    },
    quantization: {
      bits: quantization.bits,
      groupSize: quantization.group_size,
      actOrder: quantization.desc_act,
      symmetric: quantization.sym,
    },
    bosId: generation.bos_token_id ?? config.bos_token_id ?? 1,
    eosIds: Array.isArray(eos) ? eos : [eos],
  };
}
