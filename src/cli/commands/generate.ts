/**
 * `beleg generate`: runs the local GPTQ engine on one prompt and streams the continuation.
 * With --json it prints `{ "promptTokens": [...], "tokens": [...], "text": "…" }` instead.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { GptqLanguageModel } from '../../engine/gptq/gptq-language-model.ts';
import { TextStream } from '../../engine/gptq/text-stream.ts';
import { DEFAULT_SAMPLING, type SamplingOptions } from '../../engine/language-model.ts';

const usage = `Usage: beleg generate --model <dir> "<prompt>" [options]
       beleg generate --model <dir> --prompt-ids 1,2,3 [options]

Generates text with a GPTQ checkpoint (converted to ONNX on first use and cached under
<data-dir>/models/converted).

Options:
  --model DIR            checkpoint directory (default: BELEG_MODEL_DIR)
  --max-new-tokens N     tokens to generate (default 128)
  --greedy               greedy decoding (default: EM German's sampling, temperature 0.7)
  --seed N               sampling seed (default 0)
  --prompt-ids 1,2,3     start from these token ids instead of text (no BOS is added)
  --json                 print { promptTokens, tokens, text } as JSON
  --threads N            onnxruntime threads (default: all cores)
  --fast                 int8 activations (BELEG_GPTQ_ACCURACY=fast): ~2x faster decoding, logits
                         within ~5e-2 of transformers (default here: exact float32, for comparisons)
  --data-dir DIR         where the converted model is cached (default: BELEG_DATA_DIR or ./data)`;

/** Runs `beleg generate`. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      greedy: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'prompt-ids': { type: 'string' },
      json: { type: 'boolean', default: false },
      threads: { type: 'string' },
      fast: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const config = loadConfig(process.env, { dataDir: values['data-dir'], modelDir: values.model });
  if (!config.modelDir) throw new ValidationError(userMessage('validation_failed.cli_no_model', { usage }));
  const positiveInteger = (value: string | undefined, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new ValidationError(userMessage('validation_failed.cli_non_negative', { flag: name, value }));
    return parsed;
  };
  const maxNewTokens = positiveInteger(values['max-new-tokens'], 'max-new-tokens', 128);
  const seed = positiveInteger(values.seed, 'seed', 0);
  const threads = positiveInteger(values.threads, 'threads', 0) || undefined;
  let promptIds: number[] | undefined;
  if (values['prompt-ids'] !== undefined) {
    promptIds = values['prompt-ids'].split(',').map((part) => Number(part.trim()));
    if (promptIds.length === 0 || promptIds.some((id) => !Number.isInteger(id) || id < 0)) {
      throw new ValidationError(userMessage('validation_failed.cli_prompt_ids', { value: values['prompt-ids'] }));
    }
  } else if (positionals.length !== 1) {
    throw new ValidationError(userMessage('validation_failed.cli_one_prompt', { usage }));
  }
  const sampling: SamplingOptions = values.greedy
    ? { kind: 'greedy' }
    : { ...(DEFAULT_SAMPLING as Extract<SamplingOptions, { kind: 'sample' }>), seed };

  const model = await GptqLanguageModel.load({
    modelDir: config.modelDir,
    cacheDir: path.join(config.dataDir, 'models', 'converted'),
    threads,
    accuracyLevel: values.fast ? 4 : 0,
    onProgress: (message) => process.stderr.write(`${message}\n`),
  });
  try {
    const ids = promptIds ?? model.tokenizer.encode(positionals[0]);
    const vocabulary = model.config.shape.vocabSize;
    if (ids.some((id) => id >= vocabulary)) throw new ValidationError(userMessage('validation_failed.cli_prompt_ids_vocabulary', { vocabulary }));
    const stream = new TextStream((tokens) => model.tokenizer.decode(tokens));
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    const result = await model.generateTokens({
      promptIds: ids,
      maxNewTokens,
      sampling,
      signal: controller.signal,
      onToken: (_token, generated) => {
        const delta = stream.update(generated);
        if (!values.json && delta) process.stdout.write(delta);
      },
    });
    process.off('SIGINT', onInterrupt);
    if (values.json) {
      console.log(JSON.stringify({ promptTokens: ids, tokens: result.tokens, text: stream.text }));
    } else {
      process.stdout.write(`${stream.flush()}\n`);
      const decodeRate = result.tokens.length > 1 ? ((result.tokens.length - 1) / result.decodeMs) * 1000 : 0;
      process.stderr.write(
        `[${result.finishReason}] ${ids.length} prompt tokens in ${result.prefillMs.toFixed(0)} ms, ${result.tokens.length} new tokens, ${decodeRate.toFixed(1)} tok/s\n`,
      );
    }
    return 0;
  } finally {
    await model.dispose();
  }
}
