/**
 * Graph-level rewrites of MatMulNBits weights that make a decode step cheaper without changing
 * its arithmetic. Every array of an `NBitsPart` is laid out row by row over the N outputs
 * ([N, kBlocks, …]), so outputs can be reordered and concatenated by moving whole rows.
 *
 * - `concatenateOutputs`: q, k and v (and gate and up) read the same input with the same
 *   act-order permutation (GPTQ orders channels by the same Hessian), so they become one
 *   MatMulNBits with N = sum of their outputs: one kernel launch and one thread-pool round
 *   instead of three, and larger work per thread.
 * - `permuteOutputs`: down_proj's act-order Gather of its input is moved into gate and up, whose
 *   output rows are reordered the same way; the SiLU·up product is element-wise, so it then
 *   comes out already in down_proj's order and the Gather disappears.
 */
import type { NBitsLinear, NBitsPart } from './repack-matmul-nbits.ts';

/** Bytes per output row of each array of a part. */
function rowSizes(part: NBitsPart, N: number): { packed: number; scales: number; zeroPoints: number } {
  return { packed: part.packed.length / N, scales: part.scales.length / N, zeroPoints: part.zeroPoints.length / N };
}

function samePermutation(first: Int32Array | null, second: Int32Array | null): boolean {
  if (first === null || second === null) return first === second;
  if (first.length !== second.length) return false;
  for (let index = 0; index < first.length; index++) if (first[index] !== second[index]) return false;
  return true;
}

/**
 * One Linear computing `linears` side by side (outputs concatenated in order), or null when they
 * cannot share a MatMulNBits: different inputs sizes, block sizes, permutations or parts (e.g.
 * only one of them needs the zero-point correction part).
 */
export function concatenateOutputs(name: string, linears: readonly NBitsLinear[]): NBitsLinear | null {
  const [first] = linears;
  if (!first) return null;
  for (const linear of linears) {
    if (linear.K !== first.K || linear.blockSize !== first.blockSize || !samePermutation(linear.permutation, first.permutation)) return null;
    if (linear.parts.length !== first.parts.length || linear.parts.some((part, index) => part.bits !== first.parts[index].bits)) return null;
  }
  const parts = first.parts.map((_, index): NBitsPart => {
    const pieces = linears.map((linear) => linear.parts[index]);
    return {
      bits: first.parts[index].bits,
      packed: concatenate(Uint8Array, pieces.map((part) => part.packed)),
      scales: concatenate(Float32Array, pieces.map((part) => part.scales)),
      zeroPoints: concatenate(Uint8Array, pieces.map((part) => part.zeroPoints)),
    };
  });
  const hasBias = linears.some((linear) => linear.bias);
  const bias = hasBias ? concatenate(Float32Array, linears.map((linear) => linear.bias ?? new Float32Array(linear.N))) : undefined;
  const N = linears.reduce((sum, linear) => sum + linear.N, 0);
  return { name, K: first.K, N, blockSize: first.blockSize, parts, permutation: first.permutation, ...(bias ? { bias } : {}) };
}

/** `linear` with output n taken from output `permutation[n]`: its result is `Gather(result, permutation)`. */
export function permuteOutputs(linear: NBitsLinear, permutation: Int32Array): NBitsLinear {
  if (permutation.length !== linear.N) throw new RangeError(`A permutation of ${permutation.length} outputs does not fit '${linear.name}' with ${linear.N}.`);
  const parts = linear.parts.map((part): NBitsPart => {
    const sizes = rowSizes(part, linear.N);
    return {
      bits: part.bits,
      packed: permuteRows(part.packed, sizes.packed, permutation),
      scales: permuteRows(part.scales, sizes.scales, permutation),
      zeroPoints: permuteRows(part.zeroPoints, sizes.zeroPoints, permutation),
    };
  });
  const bias = linear.bias ? Float32Array.from(permutation, (source) => linear.bias![source]) : undefined;
  return { ...linear, parts, ...(bias ? { bias } : {}) };
}

function permuteRows<T extends Uint8Array | Float32Array>(data: T, rowSize: number, permutation: Int32Array): T {
  const result = new (data.constructor as new (length: number) => T)(data.length);
  permutation.forEach((source, target) => result.set(data.subarray(source * rowSize, (source + 1) * rowSize), target * rowSize));
  return result;
}

function concatenate<T extends Uint8Array | Float32Array>(Type: new (length: number) => T, arrays: readonly T[]): T {
  const result = new Type(arrays.reduce((sum, array) => sum + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    result.set(array, offset);
    offset += array.length;
  }
  return result;
}
