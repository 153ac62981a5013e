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
 * Input channels are first sorted by group (see permute-act-order.ts). If a stored zero is the
 * largest b-bit value, AutoGPTQ's "+1" gives 2^b, which a b-bit zero point cannot hold (AutoGPTQ
 * writes this when the true zero point was 0). Such a 4-bit layer is repacked as 8 bits (exact,
 * twice the memory for that layer only). An 8-bit layer with zero point 256 keeps zero point 255
 * and gets a 4-bit `correction` MatMulNBits whose weight is `-scale` in exactly those blocks
 * (q = 0, zero point 1), so the sum is `scale * (q - 256)`.
 */
import { UnsupportedModelError } from '../../errors.ts';
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

/** The same Linear in MatMulNBits layout. */
export type NBitsLinear = {
  name: string;
  bits: 4 | 8;
  K: number;
  N: number;
  blockSize: number;
  /** [N, kBlocks, blockSize*bits/8] */
  packed: Uint8Array;
  /** [N * kBlocks] */
  scales: Float32Array;
  /** [N * ceil(kBlocks*bits/8)] */
  zeroPoints: Uint8Array;
  /** Input permutation to Gather before the MatMul; null when channels are already in order. */
  permutation: Int32Array | null;
  bias?: Float32Array;
  /** Added to the output; only for 8-bit layers with zero point 256 (see above). */
  correction?: NBitsLinear;
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

/** Repacks an AutoGPTQ Linear for MatMulNBits. */
export function repackForMatMulNBits(linear: GptqLinear): NBitsLinear {
  const { inFeatures: K, outFeatures: N } = linear;
  if (linear.groupIndex.length !== K) {
    throw new UnsupportedModelError(`'${linear.name}.g_idx' has ${linear.groupIndex.length} entries, expected ${K}.`, { name: linear.name });
  }
  const { permutation, sortedGroups } = permuteActOrder(linear.groupIndex);
  const blockSize = chooseBlockSize(sortedGroups);
  if (blockSize === null) {
    throw new UnsupportedModelError(
      `'${linear.name}' has groups whose sizes are not multiples of 16; MatMulNBits needs blocks of at least 16 channels.`,
      { name: linear.name, setting: 'group_size' },
    );
  }
  const kBlocks = Math.ceil(K / blockSize);
  const groups = linear.scales.length / N;

  // Real zero points per (group, n); a 4-bit zero of 16 forces an 8-bit layout.
  const zeros = new Uint16Array(groups * N);
  let maxZero = 0;
  for (let group = 0; group < groups; group++) {
    for (let n = 0; n < N; n++) {
      const zero = unpackZero(linear, group, n);
      zeros[group * N + n] = zero;
      if (zero > maxZero) maxZero = zero;
    }
  }
  const bits: 4 | 8 = maxZero > (1 << linear.bits) - 1 ? 8 : linear.bits;
  const needsCorrection = maxZero > 255;
  const correctionZeroRowBytes = Math.ceil(kBlocks / 2);
  const correctionZeros = needsCorrection ? new Uint8Array(N * correctionZeroRowBytes) : undefined;

  // Quantized values in natural order [K, N], read row by row from qweight.
  const values = new Uint8Array(K * N);
  const valuesPerWord = 32 / linear.bits;
  const mask = (1 << linear.bits) - 1;
  for (let row = 0; row < K / valuesPerWord; row++) {
    for (let n = 0; n < N; n++) {
      const word = linear.qweight[row * N + n];
      for (let j = 0; j < valuesPerWord; j++) values[(row * valuesPerWord + j) * N + n] = (word >>> (linear.bits * j)) & mask;
    }
  }

  const blobSize = (blockSize * bits) / 8;
  const rowBytes = kBlocks * blobSize;
  const packed = new Uint8Array(N * rowBytes);
  const scales = new Float32Array(N * kBlocks);
  const zeroRowBytes = Math.ceil((kBlocks * bits) / 8);
  const zeroPoints = new Uint8Array(N * zeroRowBytes);
  const blockGroups = Int32Array.from({ length: kBlocks }, (_, block) => sortedGroups[block * blockSize]);

  for (let n = 0; n < N; n++) {
    for (let block = 0; block < kBlocks; block++) {
      const group = blockGroups[block];
      scales[n * kBlocks + block] = linear.scales[group * N + n];
      let zero = zeros[group * N + n];
      if (zero > 255) {
        zero = 255;
        correctionZeros![n * correctionZeroRowBytes + (block >> 1)] |= 1 << ((block & 1) * 4);
      }
      if (bits === 8) zeroPoints[n * zeroRowBytes + block] = zero;
      else zeroPoints[n * zeroRowBytes + (block >> 1)] |= zero << ((block & 1) * 4);
    }
    const rowStart = n * rowBytes;
    for (let sorted = 0; sorted < kBlocks * blockSize; sorted++) {
      // Padding past K takes the block's zero point, so it contributes nothing.
      const q = sorted < K ? values[(permutation ? permutation[sorted] : sorted) * N + n] : Math.min(255, zeros[blockGroups[kBlocks - 1] * N + n]);
      if (bits === 8) packed[rowStart + sorted] = q;
      else packed[rowStart + (sorted >> 1)] |= q << ((sorted & 1) * 4);
    }
  }
  const correction: NBitsLinear | undefined = correctionZeros && {
    name: `${linear.name}.correction`,
    bits: 4,
    K,
    N,
    blockSize,
    packed: new Uint8Array((N * kBlocks * blockSize) / 2),
    scales,
    zeroPoints: correctionZeros,
    permutation,
  };
  return { name: linear.name, bits, K, N, blockSize, packed, scales, zeroPoints, permutation, bias: linear.bias, correction };
}
