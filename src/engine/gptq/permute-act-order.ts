/**
 * Act-order (`desc_act`) handling. AutoGPTQ quantizes input channels in order of decreasing
 * Hessian diagonal, so `g_idx` (the group of each input channel) is not monotonic. onnxruntime's
 * MatMulNBits can take `g_idx`, but that path is ~240x slower than plain blocks. So, like
 * ExLlama, we sort the input channels by group once at conversion time (stable, so channels of a
 * group keep their order) and permute the activations with a Gather before the MatMul:
 * `x @ W == x[:, perm] @ W[perm, :]`.
 */

/** The stable sort of input channels by group. */
export type ActOrderPermutation = {
  /** `permutation[k]` is the original input channel placed at sorted position k; null if identity. */
  permutation: Int32Array | null;
  /** Group of each sorted position (non-decreasing). */
  sortedGroups: Int32Array;
};

/** Sorts input channels by `g_idx`, stably. */
export function permuteActOrder(groupIndex: Int32Array): ActOrderPermutation {
  const count = groupIndex.length;
  let monotonic = true;
  for (let k = 1; k < count && monotonic; k++) monotonic = groupIndex[k] >= groupIndex[k - 1];
  if (monotonic) return { permutation: null, sortedGroups: Int32Array.from(groupIndex) };
  // Counting sort by group: stable and linear.
  let groups = 0;
  for (let k = 0; k < count; k++) groups = Math.max(groups, groupIndex[k] + 1);
  const starts = new Int32Array(groups + 1);
  for (let k = 0; k < count; k++) starts[groupIndex[k] + 1]++;
  for (let group = 0; group < groups; group++) starts[group + 1] += starts[group];
  const permutation = new Int32Array(count);
  const sortedGroups = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const position = starts[groupIndex[k]]++;
    permutation[position] = k;
    sortedGroups[position] = groupIndex[k];
  }
  return { permutation, sortedGroups };
}

/**
 * The largest MatMulNBits block size (a power of two from 256 down to 16) such that every
 * block of sorted channels lies inside one group. Returns null if none fits.
 * With group size -1 (one group) any size fits; with group size 32 it is 32.
 */
export function chooseBlockSize(sortedGroups: Int32Array): number | null {
  for (let blockSize = 256; blockSize >= 16; blockSize /= 2) {
    let fits = true;
    for (let start = 0; start < sortedGroups.length && fits; start += blockSize) {
      const end = Math.min(start + blockSize, sortedGroups.length);
      fits = sortedGroups[start] === sortedGroups[end - 1];
    }
    if (fits) return blockSize;
  }
  return null;
}
