/** The local GPTQ engine's public names. */
export { GptqLanguageModel, type CreateTokenMask, type GptqLanguageModelOptions, type TokenGenerationOptions } from './gptq-language-model.ts';
export { readCheckpointConfig, type CheckpointConfig, type LlamaShape, type QuantizationSettings } from './checkpoint-config.ts';
export { convertCheckpoint, type ConvertedModel, type ConvertOptions } from './convert-checkpoint.ts';
export type { GenerateTokensResult } from './generate-tokens.ts';
export { writeRandomGptqCheckpoint, type RandomCheckpointOptions } from './write-gptq-checkpoint.ts';
