/**
 * Time to a verified answer, beleg vs llama.cpp, on one shape with random weights (default
 * TinyLlama-1.1B's), both engines in one process, runs alternating (this host's noise is ±30 %).
 *
 * - RAG prompts: the real prompt builder (lean, `promptTokens` 1024: the issue's ~1,000-token
 *   prompt; the GPTQ engine's default budget is 768) over
 *   XQuAD-de dev paragraphs of odd articles (the question's paragraph ranked first, then its
 *   article's others), one prompt per question, rotating, so no run reuses another's prompt.
 * - beleg: the quote mask and jump-forward decoding as the engine runs them, prompt computed from
 *   scratch (no prefix cache), answering with a 2-sentence quote of ~40 tokens from the first
 *   source. Random weights choose nothing sensible, so the model's choices at the automaton's
 *   branch points (which sentence to start, continue or stop) are replayed from a dry run that
 *   steered towards that quote: every branch point still costs its decode step, every forced
 *   stretch its batched run, exactly as for a model that chose this quote. The answer is then
 *   verified against the source text (verify-quote). Also token by token (jump-forward off).
 * - llama.cpp: the same prompt token ids from an empty cache, then the same number of tokens as
 *   beleg's answer decoded freely (greedy).
 * - Prefill tok/s at 128 and 1,500 tokens and decode tok/s (64 tokens after 128), both engines.
 *
 * Writes bench/results/engine-e2e-<shape>.{json,md}.
 *
 *   npx tsx bench/engine/e2e.ts [--shape tinyllama|llama-2-13b] [--repeats 5] [--threads 2] [--accuracy-level 4]
 *                               [--prepare-only] [--skip-token-by-token]
 *
 * `--prepare-only` writes the random checkpoint and GGUF and converts the checkpoint, then exits
 * (on Llama-2-13B's shape that takes minutes and is not part of any measurement).
 * `--skip-token-by-token` leaves out beleg's answer with jump-forward off (on 13B's shape each one
 * costs as long as the answer itself; the issue's criteria do not need it).
 *
 * `--follow-up` measures kept prompt states instead (src/engine/gptq/prompt-state-cache.ts): per
 * repeat one person asks over a prompt's sources, somebody else asks over other sources, then the
 * first person asks a follow-up (the paragraph's next question, prompt rebuilt by the real prompt
 * builder from the same chunks); beleg's time to that verified answer against llama.cpp reading the
 * follow-up prompt and decoding as many tokens. Results go to engine-e2e-<shape>-follow-up.*.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createQuoteMask } from '../../src/engine/constrain/create-quote-mask.ts';
import { writeRandomGptqCheckpoint } from '../../src/engine/gptq/write-gptq-checkpoint.ts';
import { GptqLanguageModel } from '../../src/engine/gptq/gptq-language-model.ts';
import { REFUSAL } from '../../src/engine/language-model.ts';
import type { TokenMask } from '../../src/engine/token-mask.ts';
import { splitSentences } from '../../src/ingest/split-sentences.ts';
import { buildGroundedPrompt, type BuiltPrompt } from '../../src/retrieve/build-prompt.ts';
import { formatCitedAnswer } from '../../src/retrieve/em-german-format.ts';
import { loadNodeLlamaCpp, openLlamaCppPeer } from './llama-cpp-peer.ts';
import { writeRandomQ4Gguf } from './write-gguf.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    shape: { type: 'string', default: 'tinyllama' },
    repeats: { type: 'string', default: '5' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
    'accuracy-level': { type: 'string', default: '4' },
    'prompt-tokens': { type: 'string', default: '1024' },
    'prepare-only': { type: 'boolean', default: false },
    'skip-token-by-token': { type: 'boolean', default: false },
    'follow-up': { type: 'boolean', default: false },
  },
});
const shapes = {
  tinyllama: { label: 'TinyLlama-1.1B', shape: { vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, layers: 22, heads: 32, kvHeads: 4 } },
  'llama-2-13b': { label: 'Llama-2-13B', shape: { vocabSize: 32000, hiddenSize: 5120, intermediateSize: 13824, layers: 40, heads: 40, kvHeads: 40 } },
};
const shapeName = values.shape as keyof typeof shapes;
if (!(shapeName in shapes)) throw new Error(`--shape must be one of ${Object.keys(shapes).join(', ')}`);
const { label, shape } = shapes[shapeName];
const repeats = Number(values.repeats);
const threads = Number(values.threads);
const accuracyLevel = Number(values['accuracy-level']);
const promptTokens = Number(values['prompt-tokens']);
const followUpMode = values['follow-up'];
const log = (message: string) => process.stderr.write(`${message}\n`);
const loadAtStart = os.loadavg();

// ---- models
const checkpointDir = path.join(root, 'bench', '.work', `${shapeName}-shape-gptq-4bit-128g-actorder-tokenizer`);
if (!existsSync(path.join(checkpointDir, 'quantize_config.json'))) {
  log(`writing random AutoGPTQ checkpoint to ${checkpointDir} ...`);
  await writeRandomGptqCheckpoint({
    ...shape,
    directory: checkpointDir,
    seed: 2048,
    bits: 4,
    groupSize: 128,
    actOrder: true,
    symmetric: true,
    maxPositions: 2048,
    tokenizerFrom: path.join(root, 'assets', 'llama-2-tokenizer'),
  });
}
const ggufPath = path.join(root, 'bench', '.work', `${shapeName}-shape-q4_0.gguf`);
if (!existsSync(ggufPath)) {
  log(`writing random Q4_0 GGUF to ${ggufPath} ...`);
  writeRandomQ4Gguf(ggufPath, { ...shape, contextLength: 2048 }, path.join(root, 'assets', 'llama-2-tokenizer', 'tokenizer.json'));
}
log('loading beleg (converting the checkpoint the first time) ...');
const model = await GptqLanguageModel.load({
  modelDir: checkpointDir,
  cacheDir: path.join(root, 'bench', '.work', 'converted'),
  threads,
  accuracyLevel,
  createTokenMask: createQuoteMask,
  // The product's default (BELEG_GPTQ_PROMPT_CACHE_MB): one ~1,000-token state of 13B's shape
  // (1.6 MB a token), many of TinyLlama's. More does not fit beside llama.cpp's 13B in 24 GB.
  promptCacheBytes: followUpMode ? 2048 * 1024 ** 2 : 0,
  onProgress: (message) => log(`  ${message}`),
});
if (values['prepare-only']) {
  await model.dispose();
  log('prepared: checkpoint, GGUF and converted model are in bench/.work');
  process.exit(0);
}
const nodeLlamaCpp = await loadNodeLlamaCpp(path.join(root, 'bench', '.peer'));
if ('error' in nodeLlamaCpp) throw new Error(nodeLlamaCpp.error);
const peer = await openLlamaCppPeer(nodeLlamaCpp, ggufPath, { threads, contextSize: 2048 });

// ---- prompts and target quotes
type Squad = { data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }> };
const squad = JSON.parse(readFileSync(path.join(root, 'eval/datasets/xquad-de-dev/xquad.de.dev.json'), 'utf8')) as Squad;
const tokenizer = model.tokenizer;
const chunkOf = (id: string, ordinal: number, text: string) => ({
  chunk: {
    id: `${id}#${ordinal}`,
    documentId: id,
    ordinal,
    text,
    charStart: 0,
    charEnd: text.length,
    page: null,
    headingPath: null,
    tokenCount: tokenizer.count(text),
    sentenceOffsets: splitSentences(text).flatMap((span) => [span.charStart, span.charEnd]),
  },
  document: { id, title: id, url: null, fileName: null },
});

type Case = { prompt: BuiltPrompt; promptIds: number[]; target: string; quoteTokens: number; followUp?: { prompt: BuiltPrompt; promptIds: number[]; target: string } };
/** Two consecutive sentences of the first source, within one block, whose quote is closest to 40 tokens. */
function targetQuote(prompt: BuiltPrompt): { quote: string; tokens: number } | null {
  const source = prompt.sources[0]!;
  let best: { quote: string; tokens: number } | null = null;
  for (let index = 0; index + 1 < source.sentences.length; index += 1) {
    const [first, second] = [source.sentences[index]!, source.sentences[index + 1]!];
    if (second.blockStart || first.heading || second.heading) continue;
    const quote = source.text.slice(first.start, second.end);
    const tokens = tokenizer.count(quote);
    if (!best || Math.abs(tokens - 40) < Math.abs(best.tokens - 40)) best = { quote, tokens };
  }
  return best;
}
const cases: Case[] = [];
squad.data.forEach((article, articleIndex) => {
  if (articleIndex % 2 === 0) return;
  article.paragraphs.forEach((paragraph, paragraphIndex) => {
    if (cases.length >= 2 * repeats || paragraph.qas.length === 0) return;
    const others = article.paragraphs.map((other, index) => ({ other, index })).filter(({ index }) => index !== paragraphIndex);
    const chunks = [paragraph, ...others.map(({ other }) => other)].map((item, rank) =>
      chunkOf(`${article.title} ${rank === 0 ? paragraphIndex : others[rank - 1]!.index}`, 0, item.context),
    );
    const prompt = buildGroundedPrompt({ question: paragraph.qas[0]!.question, chunks, tokenizer, promptTokens });
    const target = targetQuote(prompt);
    if (!target || target.tokens < 30 || target.tokens > 55) return;
    const item: Case = { prompt, promptIds: tokenizer.encode(prompt.text), target: formatCitedAnswer(target.quote, prompt.sources[0]!.citation), quoteTokens: target.tokens };
    if (followUpMode) {
      if (paragraph.qas.length < 2) return;
      const again = buildGroundedPrompt({ question: paragraph.qas[1]!.question, chunks, tokenizer, promptTokens });
      const againTarget = targetQuote(again);
      if (!againTarget) return;
      item.followUp = { prompt: again, promptIds: tokenizer.encode(again.text), target: formatCitedAnswer(againTarget.quote, again.sources[0]!.citation) };
    }
    cases.push(item);
  });
});
log(`${cases.length} prompts, ${Math.min(...cases.map((item) => item.promptIds.length))}–${Math.max(...cases.map((item) => item.promptIds.length))} tokens`);

/** The real quote mask, with the choices at its branch points fixed to `choices` (step → token). */
function replayMask(prompt: BuiltPrompt, choices: Map<number, number>): TokenMask {
  const mask = createQuoteMask(prompt, { kind: 'quote-or-refusal', refusal: REFUSAL }, tokenizer);
  return {
    allowed(generated) {
      const allowed = mask.allowed(generated);
      const choice = choices.get(generated.length);
      if (choice === undefined || allowed.length <= 1) return allowed;
      if (!allowed.includes(choice)) throw new Error(`replayed choice ${choice} not allowed after ${generated.length} tokens`);
      return Int32Array.of(choice);
    },
    forcedTokens: (generated) => mask.forcedTokens(generated),
  };
}

/**
 * The branch-point choices of a model that answers with `target`: the generation loop of
 * generate-tokens.ts walked on the mask alone (no model runs), taking at each branch point the
 * longest allowed token that keeps the output a prefix of the target, and EOS once it is complete.
 */
function steer(item: Case, jumpForward: boolean): Map<number, number> {
  const mask = createQuoteMask(item.prompt, { kind: 'quote-or-refusal', refusal: REFUSAL }, tokenizer);
  const choices = new Map<number, number>();
  const eos = model.config.eosIds[0]!;
  const generated: number[] = [];
  while (generated.length < 200) {
    const forced = jumpForward ? mask.forcedTokens(generated) : [];
    if (forced.length > 0) {
      generated.push(...forced);
      continue;
    }
    const allowed = mask.allowed(generated);
    const text = generated.length > 0 ? tokenizer.decode(generated).trimStart() : '';
    if (allowed.length === 0 || (allowed.length === 1 && allowed[0] === eos)) break;
    if (allowed.length === 1) {
      generated.push(allowed[0]!);
      continue;
    }
    let best = -1;
    let bestLength = -1;
    if (text === item.target && allowed.includes(eos)) best = eos;
    else {
      for (const token of allowed) {
        if (token === eos) continue;
        const extended = tokenizer.decode([...generated, token]).trimStart();
        if (extended.length > bestLength && extended.length > text.length && item.target.startsWith(extended)) {
          best = token;
          bestLength = extended.length;
        }
      }
    }
    if (best < 0) throw new Error(`cannot steer towards ${JSON.stringify(item.target)} after ${JSON.stringify(text)}`);
    choices.set(generated.length, best);
    if (best === eos) break;
    generated.push(best);
  }
  return choices;
}

// ---- summaries (both modes)
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
/** Median, min, max and the values of every key over the repeats. */
const summarize = (rows: Array<Record<string, number>>) =>
  Object.fromEntries(Object.keys(rows[0]!).map((key) => {
    const values = rows.map((row) => row[key]!);
    return [key, { median: median(values), min: Math.min(...values), max: Math.max(...values), values }];
  }));
/** What every result file says about the run. */
const runFacts = () => ({
  date: new Date().toISOString(),
  machine: { cpus: os.cpus()[0]?.model, cores: os.availableParallelism() },
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: os.loadavg(),
  shape: { name: shapeName, ...shape },
  threads,
  accuracyLevel,
  promptTokensBudget: promptTokens,
  repeats,
  llamaCpp: { version: peer.version },
});

// ---- follow-up questions over kept prompt states (--follow-up)
if (followUpMode) {
  const rows: Array<Record<string, number>> = [];
  const answer = async (item: Case, prefixCache: boolean) => {
    const mask = replayMask(item.prompt, steer(item, true));
    const start = performance.now();
    const result = await model.generateTokens({ promptIds: item.promptIds, maxNewTokens: 200, mask, prefixCache });
    const text = tokenizer.decode(result.tokens).trimStart();
    const quote = text.slice(0, text.indexOf(' (Quelle:'));
    if (text !== item.target || !item.prompt.sources[0]!.text.includes(quote)) throw new Error(`unverified answer ${JSON.stringify(text)}`);
    return { ms: performance.now() - start, tokens: result.tokens.length, reused: result.reusedPromptTokens, prefillMs: result.prefillMs };
  };
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    // Two prompts per repeat that no other repeat uses, so each first answer is read from an empty cache (but the system text).
    const item = cases[repeat]!;
    const other = cases[repeats + repeat]!;
    const followUp: Case = { ...item, ...item.followUp! };
    const row: Record<string, number> = { 'follow-up prompt tokens': followUp.promptIds.length };
    const belegTurn = async () => {
      row['beleg first answer ms'] = (await answer(item, true)).ms;
      // Somebody else's question over other sources: the first prompt's state is copied out.
      row['beleg other question prefill ms'] = (await model.generateTokens({ promptIds: other.promptIds, maxNewTokens: 1 })).prefillMs;
      const again = await answer(followUp, true);
      row['beleg follow-up ms'] = again.ms;
      row['beleg follow-up prefill ms'] = again.prefillMs;
      row['follow-up tokens resumed'] = again.reused;
      row['answer tokens'] = again.tokens;
    };
    const llamaTurn = async () => {
      const result = await peer.generate(followUp.promptIds, row['answer tokens'] ?? 48);
      row['llama.cpp follow-up ms'] = result.totalMs;
    };
    // beleg first (llama.cpp decodes as many tokens as beleg's answer had); its answer is fixed by the steering, so the order only moves the load.
    await belegTurn();
    await llamaTurn();
    row['ratio'] = row['beleg follow-up ms']! / row['llama.cpp follow-up ms']!;
    rows.push(row);
    log(`repeat ${repeat + 1}/${repeats}: ${Object.entries(row).map(([key, value]) => `${key} ${value.toFixed(1)}`).join(', ')}`);
  }
  const stats = model.promptCacheStats()!;
  await peer.dispose();
  await model.dispose();
  const summary = summarize(rows);
  const results = {
    benchmark: 'engine-e2e-follow-up',
    ...runFacts(),
    promptCache: stats,
    summary,
  };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  const base = path.join(root, 'bench', 'results', `engine-e2e-${shapeName}-follow-up`);
  writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 1)}\n`);
  const fmt = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
  const cell = (key: string) => `${fmt(summary[key]!.median)} [${fmt(summary[key]!.min)}, ${fmt(summary[key]!.max)}]`;
  const markdown = [
    `# A follow-up question after somebody else's: beleg with kept prompt states vs llama.cpp, ${label} shape (bench/engine/e2e.ts --follow-up)`,
    '',
    `${results.date}, ${results.machine.cpus}, ${results.machine.cores} cores, ${threads} threads, load average ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')} at start, ${results.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' / ')} at the end. ` +
      `Random weights; beleg 4-bit g128 act-order GPTQ (accuracy_level ${accuracyLevel}), llama.cpp ${peer.version} Q4_0. ${repeats} repeats; medians with [min, max].`,
    '',
    `Per repeat: a question over an XQuAD-de dev (odd article) paragraph and its article's other paragraphs (real prompt builder, lean ${promptTokens}-token budget), ` +
      `then another person's question over another article, then the first person's follow-up (the paragraph's next question; the prompt rebuilt from the same chunks). ` +
      `beleg's time to the verified follow-up answer (a 2-sentence quote of the first source) against llama.cpp reading the follow-up prompt and decoding as many tokens freely. ` +
      `Prompt states kept at the end: ${stats.entries} (${(stats.bytes / 1024 ** 2).toFixed(0)} MiB), ${stats.hits} resumed.`,
    '',
    '| measure | median [min, max] |',
    '| --- | ---: |',
    ...Object.keys(summary).map((key) => `| ${key} | ${cell(key)} |`),
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, markdown);
  console.log(markdown);
  process.exit(0);
}

// ---- measurements, alternating
type Sample = Record<string, number>;
const samples: Sample[] = [];
const syntheticPrompt = (length: number) => [1, ...Array.from({ length: length - 1 }, (_, index) => 3 + ((index * 7919) % 31990))];
const prompt128 = syntheticPrompt(128);
const prompt1500 = syntheticPrompt(1500);
const answers: Array<{ tokens: number; forwardPasses: number; forcedTokens: number; verified: boolean; promptTokens: number }> = [];

for (let repeat = 0; repeat < repeats; repeat += 1) {
  const sample: Sample = {};
  const belegFirst = repeat % 2 === 0;
  const both = async (name: string, beleg: () => Promise<number>, llama: () => Promise<number>) => {
    if (belegFirst) {
      sample[`beleg ${name}`] = await beleg();
      sample[`llama.cpp ${name}`] = await llama();
    } else {
      sample[`llama.cpp ${name}`] = await llama();
      sample[`beleg ${name}`] = await beleg();
    }
  };
  const belegPrefill = async (ids: number[]) => (await model.generateTokens({ promptIds: ids, maxNewTokens: 1, prefixCache: false })).prefillMs;
  const belegDecode = async () => {
    const result = await model.generateTokens({ promptIds: prompt128, maxNewTokens: 65, prefixCache: false });
    return ((result.tokens.length - 1) / result.decodeMs) * 1000;
  };
  await both('prefill 128 tok/s', async () => (128 / (await belegPrefill(prompt128))) * 1000, async () => (128 / (await peer.prefill(prompt128))) * 1000);
  await both('prefill 1500 tok/s', async () => (1500 / (await belegPrefill(prompt1500))) * 1000, async () => (1500 / (await peer.prefill(prompt1500))) * 1000);
  await both('decode tok/s', belegDecode, async () => {
    const result = await peer.generate(prompt128, 65);
    return ((result.generated - 1) / result.decodeMs) * 1000;
  });

  // Time to a verified answer on a fresh prompt (two per repeat: one per engine order).
  for (const item of [cases[2 * repeat]!, cases[2 * repeat + 1]!]) {
    const runBeleg = async (jumpForward: boolean) => {
      const choices = steer(item, jumpForward);
      const mask = replayMask(item.prompt, choices);
      const start = performance.now();
      const result = await model.generateTokens({ promptIds: item.promptIds, maxNewTokens: 200, mask, jumpForward, prefixCache: false });
      const text = tokenizer.decode(result.tokens).trimStart();
      const quote = text.slice(0, text.indexOf(' (Quelle:'));
      const verified = text === item.target && item.prompt.sources[0]!.text.includes(quote);
      const ms = performance.now() - start;
      if (jumpForward) answers.push({ tokens: result.tokens.length, forwardPasses: result.forwardPasses, forcedTokens: result.forcedTokens, verified, promptTokens: item.promptIds.length });
      return { ms, tokens: result.tokens.length, prefillMs: result.prefillMs };
    };
    let answerTokens = 0;
    const jump = async () => {
      const result = await runBeleg(true);
      answerTokens = result.tokens;
      sample['beleg answer prefill ms'] = (sample['beleg answer prefill ms'] ?? 0) + result.prefillMs / 2;
      return result.ms;
    };
    const llama = async () => {
      const result = await peer.generate(item.promptIds, answerTokens || 48);
      sample['llama.cpp answer prefill ms'] = (sample['llama.cpp answer prefill ms'] ?? 0) + result.prefillMs / 2;
      return result.totalMs;
    };
    // beleg first so llama.cpp knows how many tokens to decode; the order of the pair alternates with the next prompt.
    const first = await jump();
    const second = await llama();
    const stepwise = values['skip-token-by-token'] ? { ms: Number.NaN } : await runBeleg(false);
    sample['beleg answer ms'] = (sample['beleg answer ms'] ?? 0) + first / 2;
    sample['llama.cpp answer ms'] = (sample['llama.cpp answer ms'] ?? 0) + second / 2;
    sample['beleg token-by-token answer ms'] = (sample['beleg token-by-token answer ms'] ?? 0) + stepwise.ms / 2;
  }
  samples.push(sample);
  log(`repeat ${repeat + 1}/${repeats}: ${Object.entries(sample).map(([key, value]) => `${key} ${value.toFixed(1)}`).join(', ')}`);
}
await peer.dispose();
await model.dispose();

// ---- summary
const summary = summarize(samples);
const ratio = (name: string, higherIsBetter: boolean) => {
  const values = samples.map((sample) => (higherIsBetter ? sample[`beleg ${name}`]! / sample[`llama.cpp ${name}`]! : sample[`beleg ${name}`]! / sample[`llama.cpp ${name}`]!));
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
};
const ratios = {
  'answer time beleg / llama.cpp': ratio('answer ms', false),
  'prefill 128 beleg / llama.cpp': ratio('prefill 128 tok/s', true),
  'prefill 1500 beleg / llama.cpp': ratio('prefill 1500 tok/s', true),
  'decode beleg / llama.cpp': ratio('decode tok/s', true),
};
const meanOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const results = {
  benchmark: 'engine-e2e',
  ...runFacts(),
  answers: {
    count: answers.length,
    verified: answers.filter((answer) => answer.verified).length,
    meanPromptTokens: meanOf(answers.map((answer) => answer.promptTokens)),
    meanAnswerTokens: meanOf(answers.map((answer) => answer.tokens)),
    meanForwardPasses: meanOf(answers.map((answer) => answer.forwardPasses)),
    meanForcedTokens: meanOf(answers.map((answer) => answer.forcedTokens)),
  },
  summary,
  ratios,
};
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
const base = path.join(root, 'bench', 'results', `engine-e2e-${shapeName}`);
writeFileSync(`${base}.json`, `${JSON.stringify(results, null, 1)}\n`);
const fmt = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
const markdown = [
  `# Time to a verified answer: beleg vs llama.cpp, ${label} shape (bench/engine/e2e.ts)`,
  '',
  `${results.date}, ${results.machine.cpus}, ${results.machine.cores} cores, ${threads} threads, load average ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')} at start, ${results.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' / ')} at the end. ` +
    `Random weights; beleg 4-bit g128 act-order GPTQ (accuracy_level ${accuracyLevel}), llama.cpp ${peer.version} (node-llama-cpp prebuilt CPU binary) Q4_0. ` +
    `${repeats} repeats, engines alternating; medians with [min, max].`,
  '',
  `Answers: ${answers.length} prompts from the real prompt builder (lean, ${promptTokens}-token budget; mean ${results.answers.meanPromptTokens.toFixed(0)} tokens with BOS) over XQuAD-de dev odd articles; ` +
    `a 2-sentence quote from the first source, ${results.answers.meanAnswerTokens.toFixed(1)} answer tokens on average (quote plus citation), ${results.answers.verified}/${answers.length} verified verbatim; ` +
    `beleg needed ${results.answers.meanForwardPasses.toFixed(1)} model runs per answer (prompt included), ${results.answers.meanForcedTokens.toFixed(1)} tokens forced. llama.cpp decodes the same number of tokens freely after the same prompt.`,
  '',
  '| measure | beleg | llama.cpp | beleg / llama.cpp |',
  '| --- | ---: | ---: | ---: |',
  ...[
    ['time to answer, ms', 'answer ms', 'answer time beleg / llama.cpp'],
    ['of which prompt, ms', 'answer prefill ms', null],
    ['prefill 128 tokens, tok/s', 'prefill 128 tok/s', 'prefill 128 beleg / llama.cpp'],
    ['prefill 1,500 tokens, tok/s', 'prefill 1500 tok/s', 'prefill 1500 beleg / llama.cpp'],
    ['decode (64 tokens after 128), tok/s', 'decode tok/s', 'decode beleg / llama.cpp'],
  ].map(([title, key, ratioKey]) => {
    const cell = (entry: { median: number; min: number; max: number }) => `${fmt(entry.median)} [${fmt(entry.min)}, ${fmt(entry.max)}]`;
    const ratioCell = ratioKey ? cell(ratios[ratioKey as keyof typeof ratios]) : '';
    return `| ${title} | ${cell(summary[`beleg ${key}`]!)} | ${cell(summary[`llama.cpp ${key}`]!)} | ${ratioCell} |`;
  }),
  Number.isNaN(summary['beleg token-by-token answer ms']!.median)
    ? '| time to answer token by token (jump-forward off), ms | not run (--skip-token-by-token) | | |'
    : `| time to answer token by token (jump-forward off), ms | ${fmt(summary['beleg token-by-token answer ms']!.median)} [${fmt(summary['beleg token-by-token answer ms']!.min)}, ${fmt(summary['beleg token-by-token answer ms']!.max)}] | | |`,
  '',
  'Ratios are per repeat (same moment, same load), then the median. Time to answer: prompt from an empty cache, quote mask, generation and (beleg) the check that the quote is verbatim in its source; the product additionally reuses the cached system prefix of every prompt (about 40 tokens).',
  '',
].join('\n');
writeFileSync(`${base}.md`, markdown);
console.log(markdown);
