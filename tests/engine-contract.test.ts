/**
 * One contract, every engine: extractive; TGI and OpenAI-compatible against local servers that
 * speak their wire formats; GPTQ on the tiny fixture checkpoint with the real quote mask.
 * - doGenerate and doStream give the same text; the deltas add up to it; `finish` comes last, once;
 * - usage counts prompt and completion tokens;
 * - with the quote constraint, the output is the refusal or a verbatim run of sentences of one
 *   source followed by that source's citation;
 * - cancellation through an AbortSignal, before or during generation, ends with finishReason
 *   `cancelled` (doGenerate resolves with it; doStream's last part is a `cancelled` finish).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswer } from '../src/answer/parse-answer.ts';
import { createQuoteMask } from '../src/engine/constrain/create-quote-mask.ts';
import { ExtractiveLanguageModel } from '../src/engine/extractive/extractive-language-model.ts';
import { GptqLanguageModel } from '../src/engine/gptq/gptq-language-model.ts';
import { REFUSAL, type GenerateOptions, type GroundedPrompt, type LanguageModel, type StreamPart } from '../src/engine/language-model.ts';
import { OpenAiLanguageModel } from '../src/engine/openai/openai-language-model.ts';
import { TgiLanguageModel } from '../src/engine/tgi/tgi-language-model.ts';
import {
  openAiCompletionBody,
  openAiStreamEvents,
  sendJson,
  startFakeServer,
  tgiGenerateBody,
  tgiStreamEvents,
  type FakeServer,
} from './fixtures/remote-engines/fake-servers.ts';
import { collect } from './helpers/collect.ts';

const GPTQ_FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const SLOW_MARKER = 'langsam';
const ANSWER = 'Der Rhein ist 1233 Kilometer lang. (Quelle: Titel: Rhein)';

function promptFor(question: string): GroundedPrompt {
  const parts = ['Der Rhein ist ein Strom.', 'Der Rhein ist 1233 Kilometer lang.', 'Er mündet in die Nordsee.'];
  const text = parts.join(' ');
  const sentences = parts.map((part) => ({ start: text.indexOf(part), end: text.indexOf(part) + part.length }));
  return {
    text: `Du bist ein hilfreicher Assistent. Für die folgende Aufgabe stehen dir zwischen den tags BEGININPUT und ENDINPUT mehrere Quellen zur Verfügung.\nBEGININPUT\nBEGINCONTEXT\nTitel: Rhein\nENDCONTEXT\n${text}\nENDINPUT\nBEGININSTRUCTION ${question} ENDINSTRUCTION ASSISTANT:`,
    question,
    sources: [{ text, metadata: 'Titel: Rhein', citation: 'Titel: Rhein', sentences }],
  };
}

const constraint = { kind: 'quote-or-refusal', refusal: REFUSAL } as const;
const baseOptions = (question = 'Wie lang ist der Rhein?'): GenerateOptions => ({
  prompt: promptFor(question),
  maxNewTokens: 40,
  sampling: { kind: 'greedy' },
  constraint,
});

/** Writes `events` but holds back everything after the first when the prompt asks to be slow. */
function writeEvents(response: import('node:http').ServerResponse, prompt: string, events: string[]) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  if (prompt.includes(SLOW_MARKER)) {
    response.write(events[0]!);
    return; // the connection stays open until the client goes away
  }
  response.end(events.join(''));
}

type EngineCase = { name: string; create: () => Promise<LanguageModel>; cleanup?: () => Promise<void> };

const servers: FakeServer[] = [];
let gptqCacheDir: string | undefined;

const engineCases: EngineCase[] = [
  { name: 'extractive', create: async () => new ExtractiveLanguageModel() },
  {
    name: 'tgi',
    create: async () => {
      const server = await startFakeServer((request, response) => {
        const inputs = String(request.body.inputs);
        if (request.path === '/generate') {
          if (inputs.includes(SLOW_MARKER)) return; // never answers
          return sendJson(response, 200, tgiGenerateBody(` ${ANSWER}`, 57));
        }
        writeEvents(response, inputs, tgiStreamEvents(` ${ANSWER}`, 57));
      });
      servers.push(server);
      return new TgiLanguageModel({ baseUrl: server.url });
    },
  },
  {
    name: 'openai',
    create: async () => {
      const server = await startFakeServer((request, response) => {
        const prompt = String(request.body.prompt);
        if (!request.body.stream) {
          if (prompt.includes(SLOW_MARKER)) return;
          return sendJson(response, 200, openAiCompletionBody(` ${ANSWER}`, 57));
        }
        writeEvents(response, prompt, openAiStreamEvents(` ${ANSWER}`, 57));
      });
      servers.push(server);
      return new OpenAiLanguageModel({ baseUrl: server.url, model: 'em_german_13b_v01' });
    },
  },
  {
    name: 'gptq',
    create: async () => {
      gptqCacheDir = mkdtempSync(path.join(tmpdir(), 'beleg-engine-contract-'));
      return GptqLanguageModel.load({ modelDir: GPTQ_FIXTURE, cacheDir: gptqCacheDir, threads: 1, createTokenMask: createQuoteMask });
    },
  },
];


/** True when `text` is the refusal or a run of whole sentences of a source plus its citation. */
function isValidAnswer(text: string, prompt: GroundedPrompt): boolean {
  const trimmed = text.trim();
  if (trimmed === REFUSAL) return true;
  return prompt.sources.some((source) =>
    source.sentences.some((first, i) => source.sentences.slice(i).some((last) => trimmed === `${source.text.slice(first.start, last.end)} (Quelle: ${source.citation})`)),
  );
}

afterAll(async () => {
  for (const server of servers) await server.close();
  if (gptqCacheDir) rmSync(gptqCacheDir, { recursive: true, force: true });
});

describe.each(engineCases)('engine contract: $name', ({ name, create }) => {
  let engine: LanguageModel;
  beforeAll(async () => {
    engine = await create();
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
  });

  it('names itself', () => {
    expect(engine.engine).toBe(name);
    expect(engine.modelId.length).toBeGreaterThan(0);
  });

  it('gives the same text from doGenerate and doStream, deltas adding up, finish last and once', async () => {
    const generated = await engine.doGenerate(baseOptions());
    const parts = await collect(engine.doStream(baseOptions()));
    const finishes = parts.filter((part) => part.type === 'finish');
    expect(finishes).toHaveLength(1);
    expect(parts.at(-1)!.type).toBe('finish');
    const finish = finishes[0] as Extract<StreamPart, { type: 'finish' }>;
    expect(finish.text).toBe(generated.text);
    expect(parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('')).toBe(finish.text);
    expect(finish.finishReason).toBe(generated.finishReason);
    expect(finish.usage).toEqual(generated.usage);
  });

  it('counts prompt and completion tokens', async () => {
    const { usage, text } = await engine.doGenerate(baseOptions());
    expect(usage.promptTokens).toBeGreaterThan(10);
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.completionTokens).toBeLessThanOrEqual(Math.max(40, text.length));
  });

  it('answers within the quote constraint: the refusal or a verbatim run of sentences with its citation', async () => {
    for (const question of ['Wie lang ist der Rhein?', 'Wohin mündet der Rhein?']) {
      const { text, finishReason } = await engine.doGenerate({ ...baseOptions(question), maxNewTokens: 80 });
      if (finishReason === 'length') continue; // an unfinished answer is refused by the answer layer
      expect(isValidAnswer(text, promptFor(question)), `${name}: ${JSON.stringify(text)}`).toBe(true);
      expect(parseAnswer(text).kind).not.toBe('malformed');
    }
  });

  it('reports a request cancelled before it starts as cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const generated = await engine.doGenerate({ ...baseOptions(), signal: controller.signal });
    expect(generated.finishReason).toBe('cancelled');
    const parts = await collect(engine.doStream({ ...baseOptions(), signal: controller.signal }));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'cancelled' });
  });

  it('stops a stream cancelled after its first delta, ending with a cancelled finish', async () => {
    const controller = new AbortController();
    const parts = await collect(engine.doStream({ ...baseOptions(`Wie lang ist der Rhein? (${SLOW_MARKER})`), maxNewTokens: 40, signal: controller.signal }), (part) => {
      if (part.type === 'text-delta') controller.abort();
    });
    const last = parts.at(-1)!;
    // A local engine may finish its step before it sees the abort; remote ones are cut off.
    expect(last.type).toBe('finish');
    if (name !== 'gptq') expect(last).toMatchObject({ finishReason: 'cancelled' });
    else expect(['cancelled', 'stop', 'length']).toContain((last as Extract<StreamPart, { type: 'finish' }>).finishReason);
  });

  it('reports a doGenerate cancelled while it runs as cancelled', async () => {
    const controller = new AbortController();
    const running = engine.doGenerate({ ...baseOptions(`Wie lang ist der Rhein? (${SLOW_MARKER})`), signal: controller.signal });
    controller.abort();
    const result = await running;
    if (name === 'tgi' || name === 'openai') expect(result.finishReason).toBe('cancelled');
    else expect(['cancelled', 'stop', 'length']).toContain(result.finishReason);
  });
});
