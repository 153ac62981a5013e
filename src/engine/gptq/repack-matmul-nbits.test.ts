import { describe, expect, it } from 'vitest';
import { chooseBlockSize, permuteActOrder } from './permute-act-order.ts';
import { dequantizeParts } from '../../../tests/helpers/dequantize-nbits.ts';
import { dequantize, repackForMatMulNBits, type GptqLinear, type NBitsLinear } from './repack-matmul-nbits.ts';

function linear(bits: 4 | 8, groupIndex: Int32Array, zeroStored: number, seed = 1): GptqLinear {
  const K = groupIndex.length;
  const N = 8;
  const groups = Math.max(...groupIndex) + 1;
  const valuesPerWord = 32 / bits;
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  return {
    name: 'test',
    bits,
    inFeatures: K,
    outFeatures: N,
    qweight: Int32Array.from({ length: (K / valuesPerWord) * N }, () => next() | 0),
    qzeros: Int32Array.from({ length: groups * (N / valuesPerWord) }, (_, index) =>
      index === 0 ? -1 : Array.from({ length: valuesPerWord }, (_, j) => zeroStored << (bits * j)).reduce((word, value) => word | value, 0),
    ),
    scales: Float32Array.from({ length: groups * N }, (_, index) => 0.01 + index * 0.001),
    groupIndex,
  };
}

describe('act-order permutation', () => {
  it('sorts channels by group stably and picks the block size from the groups', () => {
    const { permutation, sortedGroups } = permuteActOrder(Int32Array.from([1, 0, 1, 0]));
    expect(Array.from(permutation!)).toEqual([1, 3, 0, 2]);
    expect(Array.from(sortedGroups)).toEqual([0, 0, 1, 1]);
    expect(permuteActOrder(Int32Array.from([0, 0, 1])).permutation).toBeNull();
    expect(chooseBlockSize(Int32Array.from({ length: 128 }, (_, k) => Math.floor(k / 32)))).toBe(32);
    expect(chooseBlockSize(new Int32Array(5120))).toBe(256);
    expect(chooseBlockSize(Int32Array.from({ length: 48 }, (_, k) => Math.floor(k / 24)))).toBe(null);
  });
});

describe('MatMulNBits repacking', () => {
  const actOrder = Int32Array.from({ length: 64 }, (_, k) => (k * 5) % 2);
  for (const [bits, split] of [[4, false], [8, false], [8, true]] as const) {
    it(`keeps every weight exactly (${bits}-bit${split ? ' split into two 4-bit parts' : ''}, act-order, zero point 2^bits in one group)`, () => {
      const source = linear(bits, actOrder, bits === 4 ? 7 : 127);
      const repacked = repackForMatMulNBits(source, { splitEightBit: split });
      expect(repacked.parts.map((part) => part.bits)).toEqual(split ? [4, 4, 4] : [bits, 4]);
      const expected = dequantize(source);
      const actual = dequantizeParts(repacked);
      for (let index = 0; index < expected.length; index++) expect(actual[index]).toBeCloseTo(expected[index], 6);
    });
  }
});

describe('MatMulNBits block size', () => {
  it('runs a group of 64 as blocks of 32 with the same weights when maxBlockSize asks for it', () => {
    const groupIndex = Int32Array.from({ length: 128 }, (_, k) => (k * 3) % 2);
    const source = linear(4, groupIndex, 3);
    const whole = repackForMatMulNBits(source);
    const split = repackForMatMulNBits(source, { maxBlockSize: 32 });
    expect([whole.blockSize, split.blockSize]).toEqual([64, 32]);
    const expected = dequantizeParts(whole);
    const actual = dequantizeParts(split);
    for (let index = 0; index < expected.length; index++) expect(actual[index]).toBeCloseTo(expected[index], 6);
  });
});
