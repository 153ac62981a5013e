import { describe, expect, it } from 'vitest';
import { concatenateOutputs, permuteOutputs } from './fuse-linears.ts';
import { dequantizeParts } from '../../../tests/helpers/dequantize-nbits.ts';
import { repackForMatMulNBits, type GptqLinear, type NBitsLinear } from './repack-matmul-nbits.ts';

/** A random 4-bit act-order Linear with 64 inputs in two groups of 32. */
function randomLinear(outFeatures: number, seed: number, groupIndex = Int32Array.from({ length: 64 }, (_, k) => (k * 5) % 2)): NBitsLinear {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  const source: GptqLinear = {
    name: `linear${seed}`,
    bits: 4,
    inFeatures: 64,
    outFeatures,
    qweight: Int32Array.from({ length: 8 * outFeatures }, () => next() | 0),
    qzeros: Int32Array.from({ length: 2 * (outFeatures / 8) }, () => 0x66666666),
    scales: Float32Array.from({ length: 2 * outFeatures }, () => 0.01 + (next() % 100) / 1000),
    groupIndex,
  };
  return repackForMatMulNBits(source);
}

/** Column `n` of a [K, N] matrix. */
function column(matrix: Float32Array, N: number, n: number): number[] {
  return Array.from({ length: matrix.length / N }, (_, k) => matrix[k * N + n]);
}

describe('fusing MatMulNBits linears', () => {
  it('concatenates outputs of linears that share input and act-order permutation (q, k, v)', () => {
    const [query, key] = [randomLinear(16, 1), randomLinear(8, 2)];
    const fused = concatenateOutputs('qk', [query, key])!;
    expect(fused.N).toBe(24);
    const [whole, first, second] = [fused, query, key].map(dequantizeParts);
    for (let n = 0; n < 16; n++) expect(column(whole, 24, n)).toEqual(column(first, 16, n));
    for (let n = 0; n < 8; n++) expect(column(whole, 24, 16 + n)).toEqual(column(second, 8, n));
  });

  it('refuses to fuse linears whose inputs are permuted differently', () => {
    const other = randomLinear(8, 3, Int32Array.from({ length: 64 }, (_, k) => (k * 3) % 2 === 0 ? 1 : 0));
    expect(concatenateOutputs('mixed', [randomLinear(8, 1), other])).toBeNull();
  });

  it('reorders outputs so the result equals a Gather of the original outputs', () => {
    const original = randomLinear(8, 4);
    const permutation = Int32Array.from([3, 0, 7, 1, 6, 2, 5, 4]);
    const permuted = dequantizeParts(permuteOutputs(original, permutation));
    const before = dequantizeParts(original);
    permutation.forEach((source, target) => expect(column(permuted, 8, target)).toEqual(column(before, 8, source)));
    expect(() => permuteOutputs(original, Int32Array.from([0, 1]))).toThrow(RangeError);
  });
});
