/** Test helper: MatMulNBits parts (4 or 8 bits) dequantized back to [K, N] in the original input order. */
import type { NBitsLinear } from '../../src/engine/gptq/repack-matmul-nbits.ts';

export function dequantizeParts(weight: NBitsLinear): Float32Array {
  const { K, N, blockSize } = weight;
  const kBlocks = Math.ceil(K / blockSize);
  const result = new Float32Array(K * N);
  for (const part of weight.parts) {
    const rowBytes = (kBlocks * blockSize * part.bits) / 8;
    const zeroRowBytes = Math.ceil((kBlocks * part.bits) / 8);
    for (let n = 0; n < N; n++) {
      for (let sorted = 0; sorted < K; sorted++) {
        const block = Math.floor(sorted / blockSize);
        const q = part.bits === 8 ? part.packed[n * rowBytes + sorted] : (part.packed[n * rowBytes + (sorted >> 1)] >> ((sorted & 1) * 4)) & 15;
        const zero = part.bits === 8 ? part.zeroPoints[n * zeroRowBytes + block] : (part.zeroPoints[n * zeroRowBytes + (block >> 1)] >> ((block & 1) * 4)) & 15;
        const original = weight.permutation ? weight.permutation[sorted] : sorted;
        result[original * N + n] += part.scales[n * kBlocks + block] * (q - zero);
      }
    }
  }
  return result;
}
