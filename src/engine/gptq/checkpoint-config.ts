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

function readJson(filePath: string): unknown {
  try {
    return JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new UnsupportedModelError(`'${filePath}' is not valid JSON: ${(error as Error).message}`, { path: filePath });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, filePath: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnsupportedModelError(`'${filePath}' has an invalid setting '${issue.path.join('.')}': ${issue.message}.`, {
      path: filePath,
      setting: issue.path.join('.'),
    });
  }
  return parsed.data;
}

/** Reads and checks the configuration of a GPTQ checkpoint directory. */
export function readCheckpointConfig(directory: string): CheckpointConfig {
  const configPath = path.join(directory, 'config.json');
  if (!existsSync(configPath)) {
    throw new ModelNotFoundError(`No config.json in '${directory}'. Point --model at a GPTQ checkpoint directory.`, { directory });
  }
  const config = parseWith(llamaConfigSchema, readJson(configPath), configPath);
  const architecture = config.architectures?.[0] ?? config.model_type ?? 'unknown';
  if (!(architecture === 'LlamaForCausalLM' || (config.architectures === undefined && config.model_type === 'llama'))) {
    throw new UnsupportedModelError(
      `config.json says architectures=${JSON.stringify(config.architectures ?? config.model_type)}; beleg runs only LlamaForCausalLM checkpoints.`,
      { setting: 'architectures', value: architecture },
    );
  }
  if (config.hidden_act !== 'silu') {
    throw new UnsupportedModelError(`config.json says hidden_act=${config.hidden_act}; beleg supports only silu.`, { setting: 'hidden_act' });
  }
  if (config.rope_scaling) {
    throw new UnsupportedModelError('config.json sets rope_scaling; beleg supports only plain RoPE. Use a checkpoint without rope_scaling.', {
      setting: 'rope_scaling',
    });
  }

  const quantizePath = path.join(directory, 'quantize_config.json');
  const rawQuantization = existsSync(quantizePath) ? readJson(quantizePath) : config.quantization_config;
  if (rawQuantization === undefined) {
    throw new UnsupportedModelError(
      `'${directory}' has neither quantize_config.json nor quantization_config in config.json; it is not a GPTQ checkpoint.`,
      { setting: 'quantization_config' },
    );
  }
  const quantization = parseWith(quantizeConfigSchema, rawQuantization, existsSync(quantizePath) ? quantizePath : configPath);
  if (quantization.quant_method !== 'gptq') {
    throw new UnsupportedModelError(`quant_method=${quantization.quant_method}; beleg runs only GPTQ checkpoints.`, {
      setting: 'quant_method',
    });
  }
  if (quantization.bits !== 4 && quantization.bits !== 8) {
    throw new UnsupportedModelError(`bits=${quantization.bits}; beleg supports GPTQ checkpoints with bits 4 or 8.`, {
      setting: 'bits',
      value: quantization.bits,
    });
  }
  if (quantization.group_size !== -1 && quantization.group_size <= 0) {
    throw new UnsupportedModelError(`group_size=${quantization.group_size}; it must be -1 or positive.`, { setting: 'group_size' });
  }
  if (quantization.checkpoint_format && quantization.checkpoint_format !== 'gptq') {
    throw new UnsupportedModelError(
      `checkpoint_format=${quantization.checkpoint_format}; beleg reads AutoGPTQ's 'gptq' format only (not gptq_v2 or marlin).`,
      { setting: 'checkpoint_format' },
    );
  }

  const generationPath = path.join(directory, 'generation_config.json');
  const generation = existsSync(generationPath) ? parseWith(generationConfigSchema, readJson(generationPath), generationPath) : {};
  const eos = generation.eos_token_id ?? config.eos_token_id ?? 2;

  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  if (heads % kvHeads !== 0) {
    throw new UnsupportedModelError(`num_attention_heads=${heads} is not a multiple of num_key_value_heads=${kvHeads}.`, {
      setting: 'num_key_value_heads',
    });
  }
  const headDim = config.head_dim ?? config.hidden_size / heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new UnsupportedModelError(`hidden_size/num_attention_heads=${headDim} must be an even integer.`, { setting: 'head_dim' });
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
