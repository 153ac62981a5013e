/**
 * Would a float16 KV cache speed up decoding? One layer's decode-step attention over a cache of
 * `--past` positions, as the default graph's decode branch computes it (llama-graph.ts
 * `cachedAttention`: FusedMatMul against the keys, softmax, MatMul with the values), in three
 * variants, alternating call by call in one process:
 * - `float32`: the cache as today (float32, read in place);
 * - `float16 + Cast`: the cache in float16, cast to float32 inside the graph before the same ops;
 * - `float16 compute`: the cache in float16 and the attention computed in float16 (query cast down,
 *   output cast up), if onnxruntime's CPU provider has the kernels.
 * Prints ms per call (medians) for TinyLlama's (4 KV heads × 8 queries × 64) and Llama-2-13B's
 * (40 × 1 × 128) head layout; the bench notes record the result.
 *
 *   npx tsx bench/engine/kv-float16.ts [--past 1500] [--calls 200] [--threads 2]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { GraphBuilder, float } from '../../src/engine/onnx/graph-builder.ts';
import { createSession, Tensor, type OnnxSession } from '../../src/engine/onnx/runtime.ts';
import { encodeFloat16 } from '../../src/engine/safetensors/float16.ts';

const { values } = parseArgs({
  options: {
    past: { type: 'string', default: '1500' },
    calls: { type: 'string', default: '200' },
    threads: { type: 'string', default: String(os.availableParallelism()) },
  },
});
const past = Number(values.past);
const calls = Number(values.calls);
const threads = Number(values.threads);

type Variant = 'float32' | 'float16 + Cast' | 'float16 compute';

function attentionGraph(variant: Variant, kvHeads: number, group: number, headDim: number): Uint8Array {
  const builder = new GraphBuilder();
  const cacheType = variant === 'float32' ? 'float' : 'float16';
  const rows = builder.input('rows', 'float', [1, kvHeads, group, headDim]);
  const keys = builder.input('keys', cacheType, [1, kvHeads, 'past', headDim]);
  const values = builder.input('values', cacheType, [1, kvHeads, 'past', headDim]);
  const scale = float(1 / Math.sqrt(headDim));
  let output: string;
  if (variant === 'float16 compute') {
    const halfRows = builder.op('Cast', [rows], { to: 10 });
    const scores = builder.op('MatMul', [halfRows, builder.op('Transpose', [keys], { perm: [0, 1, 3, 2] })]);
    const probabilities = builder.op('Softmax', [builder.op('Mul', [scores, builder.initializer('half_scale', 'float16', [1], encodeFloat16(Float32Array.of(scale.float)))])], { axis: -1 });
    output = builder.op('Cast', [builder.op('MatMul', [probabilities, values])], { to: 1 });
  } else {
    const [fullKeys, fullValues] = variant === 'float32' ? [keys, values] : [builder.op('Cast', [keys], { to: 1 }), builder.op('Cast', [values], { to: 1 })];
    const scores = builder.op('FusedMatMul', [rows, fullKeys], { transB: 1, alpha: scale }, 'com.microsoft');
    output = builder.op('MatMul', [builder.op('Softmax', [scores], { axis: -1 }), fullValues]);
  }
  builder.node('Identity', [output], {}, { outputs: ['context'] });
  builder.output('context', 'float', [1, kvHeads, group, headDim]);
  return builder.finish(`attention_${variant}`);
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}; cache ${past} positions, ${threads} threads, ${calls} calls per variant`);
for (const [name, kvHeads, group, headDim] of [
  ['TinyLlama', 4, 8, 64],
  ['Llama-2-13B', 40, 1, 128],
] as const) {
  const sessions = new Map<Variant, OnnxSession>();
  const failures: string[] = [];
  for (const variant of ['float32', 'float16 + Cast', 'float16 compute'] as Variant[]) {
    try {
      sessions.set(variant, await createSession(attentionGraph(variant, kvHeads, group, headDim), { intraOpThreads: threads, spinning: false }));
    } catch (error) {
      failures.push(`${variant}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const size = kvHeads * past * headDim;
  const cache32 = Float32Array.from({ length: size }, (_, index) => Math.sin(index) * 0.5);
  const cache16 = new Uint16Array(encodeFloat16(cache32).buffer);
  const rows = new Tensor('float32', Float32Array.from({ length: kvHeads * group * headDim }, (_, index) => Math.cos(index)), [1, kvHeads, group, headDim]);
  const feeds = (variant: Variant) => {
    const dims = [1, kvHeads, past, headDim];
    const cache = variant === 'float32' ? new Tensor('float32', cache32, dims) : new Tensor('float16', cache16, dims);
    return { rows, keys: cache, values: cache };
  };
  const times = new Map<Variant, number[]>([...sessions.keys()].map((variant) => [variant, []]));
  const reference = (await sessions.get('float32')!.run(feeds('float32'))).context!.data as Float32Array;
  const maxDifference = new Map<Variant, number>();
  for (const [variant, session] of sessions) {
    try {
      const result = (await session.run(feeds(variant))).context!.data as Float32Array;
      maxDifference.set(variant, Math.max(...Array.from(result, (value, index) => Math.abs(value - reference[index]!))));
    } catch (error) {
      failures.push(`${variant} (run): ${(error as Error).message.split('\n')[0]}`);
      sessions.delete(variant);
    }
  }
  for (let call = 0; call < calls; call++) {
    for (const [variant, session] of sessions) {
      const input = feeds(variant);
      const started = performance.now();
      await session.run(input);
      times.get(variant)!.push(performance.now() - started);
    }
  }
  for (const [variant] of sessions) {
    console.log(`${name} (${kvHeads} KV heads × ${group} queries × ${headDim}): ${variant.padEnd(16)} ${median(times.get(variant)!).toFixed(3)} ms per layer and step (median), max |Δ| vs float32 ${maxDifference.get(variant)!.toExponential(1)}`);
  }
  for (const failure of failures) console.log(`${name}: ${failure}`);
  for (const session of sessions.values()) await session.release();
}
