/**
 * Converts one AutoGPTQ quantized Linear into onnxruntime's MatMulNBits layout.
 *
 * AutoGPTQ (checkpoint_format "gptq"), for `bits` b and v = 32/b values per int32:
 * - `qweight` int32 [in/v, out]: `q[k, n]` in bits `b*(k % v)` of `qweight[k / v, n]`;
 * - `qzeros` int32 [groups, out/v]: `zero[g, n] - 1` in bits `b*(n % v)` of `qzeros[g, n / v]`;
 * - `scales` float16 [groups, out]; `g_idx` int32 [in];
 * - `w[k, n] = scales[g, n] * (q[k, n] - (stored_zero[g, n] + 1))` with `g = g_idx[k]`.
 *
 * MatMulNBits (com.microsoft), for K inputs, N outputs, block size B, kBlocks = ceil(K / B):
 * - `B` uint8 [N, kBlocks, B*bits/8]: the quantized values of output n in input order, packed
 *   low bits first (4 bits: element 2i in the low nibble);
 * - `scales` [N * kBlocks]; `zero_points` uint8 [N * ceil(kBlocks*bits/8)], packed the same way;
 * - `w[k, n] = scales[n, k / B] * (q - zero_points[n, k / B])`.
 *
 * Input channels are first sorted by group (see permute-act-order.ts). The result is a sum of
 * one or more MatMulNBits `parts` over the same permuted input:
 * - Zero point 2^b: if a stored zero is the largest b-bit value, AutoGPTQ's "+1" gives 2^b, which a
 *   b-bit zero point cannot hold (AutoGPTQ writes this when the true zero point was 0). The main
 *   part keeps zero point 2^b − 1 and a 4-bit correction part adds `-scale` in exactly those blocks
 *   (q = 0, zero point 1), so the sum is `scale * (q − 2^b)`.
 * - 8 bits in float32: onnxruntime's CPU kernel has a fast 8-bit path only with int8 activations
 *   (accuracy_level 4); in float32 it dequantizes the whole matrix on every call (~100x slower).
 *   With `splitEightBit`, `q = 16·hi + lo` and `zero = 16·zh + zl` become two exact 4-bit parts:
 *   `(16·scale)·(hi − zh) + scale·(lo − zl)`.
 */
import { UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { chooseBlockSize, permuteActOrder } from './permute-act-order.ts';

/** One quantized Linear as stored by AutoGPTQ (`scales` already decoded to float32). */
export type GptqLinear = {
  name: string;
  bits: 4 | 8;
  inFeatures: number;
  outFeatures: number;
  qweight: Int32Array;
  qzeros: Int32Array;
  scales: Float32Array;
  /** Group of each input channel; derived from the group size when the checkpoint has none. */
  groupIndex: Int32Array;
  bias?: Float32Array;
};

/** One MatMulNBits node's constants. */
export type NBitsPart = {
  bits: 4 | 8;
  /** [N, kBlocks, blockSize*bits/8] */
  packed: Uint8Array;
  /** [N * kBlocks] */
  scales: Float32Array;
  /** [N * ceil(kBlocks*bits/8)] */
  zeroPoints: Uint8Array;
};

/** The same Linear in MatMulNBits layout: the sum of `parts` applied to the permuted input. */
export type NBitsLinear = {
  name: string;
  K: number;
  N: number;
  blockSize: number;
  parts: NBitsPart[];
  /** Input permutation to Gather before the MatMul; null when channels are already in order. */
  permutation: Int32Array | null;
  bias?: Float32Array;
};

export type RepackOptions = {
  /** Represent 8-bit layers as two 4-bit parts (exact and fast in float32). */
  splitEightBit?: boolean;
  /**
   * Largest MatMulNBits block (a power of two >= 16). A GPTQ group of 128 can run as four blocks
   * of 32 with repeated scales and zero points: exactly the same weights, other kernels.
   */
  maxBlockSize?: number;
};

/** `g_idx` as AutoGPTQ writes it without act-order: channel k is in group k / groupSize. */
export function defaultGroupIndex(inFeatures: number, groupSize: number): Int32Array {
  const size = groupSize === -1 ? inFeatures : groupSize;
  return Int32Array.from({ length: inFeatures }, (_, k) => Math.floor(k / size));
}

/** Quantized value q[k, n] of an AutoGPTQ `qweight`. */
export function unpackWeight(linear: GptqLinear, k: number, n: number): number {
  const valuesPerWord = 32 / linear.bits;
  const word = linear.qweight[Math.floor(k / valuesPerWord) * linear.outFeatures + n];
  return (word >>> (linear.bits * (k % valuesPerWord))) & ((1 << linear.bits) - 1);
}

/** The real zero point of group g, output n (stored value + 1). */
export function unpackZero(linear: GptqLinear, group: number, n: number): number {
  const valuesPerWord = 32 / linear.bits;
  const wordsPerRow = linear.outFeatures / valuesPerWord;
  const word = linear.qzeros[group * wordsPerRow + Math.floor(n / valuesPerWord)];
  return ((word >>> (linear.bits * (n % valuesPerWord))) & ((1 << linear.bits) - 1)) + 1;
}

/** Dequantized weight as float32 [in, out] (for the reference forward pass and tests). */
export function dequantize(linear: GptqLinear): Float32Array {
  const { inFeatures: K, outFeatures: N } = linear;
  const weight = new Float32Array(K * N);
  for (let k = 0; k < K; k++) {
    const group = linear.groupIndex[k];
    for (let n = 0; n < N; n++) {
      weight[k * N + n] = linear.scales[group * N + n] * (unpackWeight(linear, k, n) - unpackZero(linear, group, n));
    }
  }
  return weight;
}

/**
 * Packs values given in sorted-input order into one MatMulNBits part.
 * `value(n, sorted)` and `zero(n, block)` must already fit in `bits`.
 */
function packPart(
  bits: 4 | 8,
  K: number,
  N: number,
  blockSize: number,
  scales: Float32Array,
  value: (n: number, sorted: number) => number,
  zero: (n: number, block: number) => number,
): NBitsPart {
  const kBlocks = Math.ceil(K / blockSize);
  const rowBytes = (kBlocks * blockSize * bits) / 8;
  const packed = new Uint8Array(N * rowBytes);
  const zeroRowBytes = Math.ceil((kBlocks * bits) / 8);
  const zeroPoints = new Uint8Array(N * zeroRowBytes);
  for (let n = 0; n < N; n++) {
    for (let block = 0; block < kBlocks; block++) {
      const z = zero(n, block);
      if (bits === 8) zeroPoints[n * zeroRowBytes + block] = z;
      else zeroPoints[n * zeroRowBytes + (block >> 1)] |= z << ((block & 1) * 4);
    }
    const rowStart = n * rowBytes;
    const lastZero = zero(n, kBlocks - 1);
    for (let sorted = 0; sorted < kBlocks * blockSize; sorted++) {
      // Padding past K takes the block's zero point, so it contributes nothing.
      const q = sorted < K ? value(n, sorted) : lastZero;
      if (bits === 8) packed[rowStart + sorted] = q;
      else packed[rowStart + (sorted >> 1)] |= q << ((sorted & 1) * 4);
    }
  }
  return { bits, packed, scales, zeroPoints };
}

/** Repacks an AutoGPTQ Linear for MatMulNBits. */
export function repackForMatMulNBits(linear: GptqLinear, options: RepackOptions = {}): NBitsLinear {
  const { inFeatures: K, outFeatures: N, bits } = linear;
  if (linear.groupIndex.length !== K) {
    throw new UnsupportedModelError(userMessage('unsupported_model.group_index_length', { name: linear.name, length: linear.groupIndex.length, expected: K }), {
      name: linear.name,
    });
  }
  const { permutation, sortedGroups } = permuteActOrder(linear.groupIndex);
  const chosen = chooseBlockSize(sortedGroups);
  const blockSize = chosen === null ? null : Math.min(chosen, options.maxBlockSize ?? chosen);
  if (blockSize === null) {
    throw new UnsupportedModelError(userMessage('unsupported_model.group_sizes', { name: linear.name }), { name: linear.name, setting: 'group_size' });
  }
  const kBlocks = Math.ceil(K / blockSize);
  const maxq = (1 << bits) - 1;
  const blockGroups = Int32Array.from({ length: kBlocks }, (_, block) => sortedGroups[block * blockSize]);

  // Per (n, block): scale and real zero point (may be 2^bits, see above).
  const scales = new Float32Array(N * kBlocks);
  const zeros = new Uint16Array(N * kBlocks);
  let overflow = false;
  for (let n = 0; n < N; n++) {
    for (let block = 0; block < kBlocks; block++) {
      const group = blockGroups[block];
      scales[n * kBlocks + block] = linear.scales[group * N + n];
      const zero = unpackZero(linear, group, n);
      zeros[n * kBlocks + block] = zero;
      if (zero > maxq) overflow = true;
    }
  }
  const clampedZero = (n: number, block: number) => Math.min(maxq, zeros[n * kBlocks + block]);

  // Quantized values transposed to [N, K] in sorted input order, read row by row from qweight.
  const values = new Uint8Array(N * K);
  const valuesPerWord = 32 / bits;
  const inverse = new Int32Array(K);
  for (let sorted = 0; sorted < K; sorted++) inverse[permutation ? permutation[sorted] : sorted] = sorted;
  for (let row = 0; row < K / valuesPerWord; row++) {
    for (let n = 0; n < N; n++) {
      const word = linear.qweight[row * N + n];
      for (let j = 0; j < valuesPerWord; j++) values[n * K + inverse[row * valuesPerWord + j]] = (word >>> (bits * j)) & maxq;
    }
  }

  const parts: NBitsPart[] = [];
  if (bits === 8 && options.splitEightBit) {
    const highScales = scales.map((scale) => scale * 16);
    parts.push(packPart(4, K, N, blockSize, highScales, (n, sorted) => values[n * K + sorted] >> 4, (n, block) => clampedZero(n, block) >> 4));
    parts.push(packPart(4, K, N, blockSize, scales, (n, sorted) => values[n * K + sorted] & 15, (n, block) => clampedZero(n, block) & 15));
  } else {
    parts.push(packPart(bits, K, N, blockSize, scales, (n, sorted) => values[n * K + sorted], clampedZero));
  }
  if (overflow) {
    parts.push(packPart(4, K, N, blockSize, scales, () => 0, (n, block) => (zeros[n * kBlocks + block] > maxq ? 1 : 0)));
  }
  return { name: linear.name, K, N, blockSize, parts, permutation, bias: linear.bias };
}
