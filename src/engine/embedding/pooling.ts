/**
 * Sentence pooling over token embeddings, as sentence-transformers' `1_Pooling/config.json` says,
 * and L2 normalisation. Plain loops over flat Float32Arrays: the ONNX model does the heavy work.
 */

export type PoolingMode = 'mean' | 'cls';

/**
 * Pools `hidden` ([batch, sequence, dimensions], row-major) into one vector per batch row.
 * `mean` averages the positions whose `mask` is 1; `cls` takes the first position.
 */
export function poolTokens(
  hidden: Float32Array,
  mask: ArrayLike<number | bigint>,
  shape: { batch: number; sequence: number; dimensions: number },
  mode: PoolingMode,
): Float32Array[] {
  const { batch, sequence, dimensions } = shape;
  const vectors: Float32Array[] = [];
  for (let row = 0; row < batch; row += 1) {
    const vector = new Float32Array(dimensions);
    const rowOffset = row * sequence * dimensions;
    if (mode === 'cls') {
      vector.set(hidden.subarray(rowOffset, rowOffset + dimensions));
    } else {
      let count = 0;
      for (let position = 0; position < sequence; position += 1) {
        if (Number(mask[row * sequence + position]) === 0) continue;
        count += 1;
        const offset = rowOffset + position * dimensions;
        for (let index = 0; index < dimensions; index += 1) vector[index] += hidden[offset + index]!;
      }
      const divisor = Math.max(count, 1e-9);
      for (let index = 0; index < dimensions; index += 1) vector[index] /= divisor;
    }
    vectors.push(vector);
  }
  return vectors;
}

/** Scales `vector` to unit length in place (a zero vector stays zero) and returns it. */
export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let index = 0; index < vector.length; index += 1) vector[index] /= norm;
  return vector;
}
