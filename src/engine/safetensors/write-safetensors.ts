/**
 * Writes `.safetensors` files (used by the test and benchmark checkpoint writer). Tensors are
 * streamed to disk one after another, so a large checkpoint never sits in memory whole.
 */
import { open } from 'node:fs/promises';
import { bytesPerElement, type SafetensorsDtype } from './safetensors-file.ts';

/** A tensor to write: shape, dtype and its little-endian bytes (or a function producing them). */
export type TensorToWrite = {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array | (() => Uint8Array);
};

/** Writes tensors in the given order to one file with optional `__metadata__`. */
export async function writeSafetensors(
  filePath: string,
  tensors: readonly TensorToWrite[],
  metadata: Record<string, string> = {},
): Promise<void> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const tensor of tensors) {
    const length = tensor.shape.reduce((product, dimension) => product * dimension, 1) * bytesPerElement[tensor.dtype];
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const handle = await open(filePath, 'w');
  try {
    const lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64LE(BigInt(headerBytes.byteLength));
    await handle.write(lengthBytes);
    await handle.write(headerBytes);
    for (const tensor of tensors) {
      const bytes = typeof tensor.bytes === 'function' ? tensor.bytes() : tensor.bytes;
      const expected = tensor.shape.reduce((product, dimension) => product * dimension, 1) * bytesPerElement[tensor.dtype];
      if (bytes.byteLength !== expected) throw new Error(`Tensor '${tensor.name}' has ${bytes.byteLength} bytes, expected ${expected}.`);
      await handle.write(bytes);
    }
  } finally {
    await handle.close();
  }
}
