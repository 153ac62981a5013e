/**
 * Reads one `.safetensors` file tensor by tensor, with positioned reads. A 13B checkpoint is
 * 7–15 GB, so the file is never loaded whole: only the JSON header is parsed up front and each
 * tensor's bytes are read when asked for.
 *
 * Format: 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }`, then the data;
 * offsets are relative to the end of the header.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { ModelNotFoundError, UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';

/** The tensor dtypes beleg reads. */
export const safetensorsDtypes = ['F32', 'F16', 'BF16', 'I32', 'I64', 'U8', 'I8', 'I16'] as const;
export type SafetensorsDtype = (typeof safetensorsDtypes)[number];

export const bytesPerElement: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1, I8: 1, I16: 2 };

const tensorEntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/** Where one tensor lives inside its file. */
export type TensorInfo = {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset in the file. */
  offset: number;
  byteLength: number;
};

/** One tensor read from disk: raw little-endian bytes plus its description. */
export type TensorData = TensorInfo & { bytes: Uint8Array };

/** Upper bound for the JSON header (safetensors itself limits it to 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsFile {
  readonly path: string;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** The raw header bytes, used to fingerprint the checkpoint cheaply. */
  readonly headerBytes: Uint8Array;
  readonly #handle: FileHandle;

  private constructor(
    path: string,
    handle: FileHandle,
    tensors: Map<string, TensorInfo>,
    metadata: Record<string, string>,
    headerBytes: Uint8Array,
  ) {
    this.path = path;
    this.#handle = handle;
    this.tensors = tensors;
    this.metadata = metadata;
    this.headerBytes = headerBytes;
  }

  /** Opens a file and parses its header; the tensor data stays on disk. */
  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new ModelNotFoundError(userMessage('model_not_found.cannot_open', { path, reason: (error as Error).message }), { path });
    }
    try {
      const { size } = await handle.stat();
      const lengthBytes = Buffer.alloc(8);
      await readExactly(handle, lengthBytes, 0, path);
      const headerLength = Number(lengthBytes.readBigUInt64LE(0));
      if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
        throw new UnsupportedModelError(userMessage('unsupported_model.safetensors_header', { path, length: headerLength }), { path });
      }
      const headerBytes = Buffer.alloc(headerLength);
      await readExactly(handle, headerBytes, 8, path);
      let raw: unknown;
      try {
        raw = JSON.parse(headerBytes.toString('utf8'));
      } catch {
        throw new UnsupportedModelError(userMessage('unsupported_model.safetensors_header_json', { path }), { path });
      }
      const header = z.record(z.string(), z.unknown()).parse(raw);
      const dataStart = 8 + headerLength;
      const tensors = new Map<string, TensorInfo>();
      let metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(header)) {
        if (name === '__metadata__') {
          metadata = z.record(z.string(), z.string()).parse(value);
          continue;
        }
        const entry = tensorEntrySchema.parse(value);
        if (!(safetensorsDtypes as readonly string[]).includes(entry.dtype)) {
          throw new UnsupportedModelError(userMessage('unsupported_model.safetensors_dtype', { name, path, dtype: entry.dtype }), {
            path,
            name,
            dtype: entry.dtype,
          });
        }
        const dtype = entry.dtype as SafetensorsDtype;
        const [begin, end] = entry.data_offsets;
        const expected = entry.shape.reduce((product, dimension) => product * dimension, 1) * bytesPerElement[dtype];
        if (end - begin !== expected || dataStart + end > size) {
          throw new UnsupportedModelError(userMessage('unsupported_model.safetensors_offsets', { name, path }), {
            path,
            name,
          });
        }
        tensors.set(name, { name, dtype, shape: entry.shape, offset: dataStart + begin, byteLength: end - begin });
      }
      return new SafetensorsFile(path, handle, tensors, metadata, new Uint8Array(headerBytes));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Reads one tensor's bytes with a positioned read. */
  async read(name: string): Promise<TensorData> {
    const info = this.tensors.get(name);
    if (!info) throw new ModelNotFoundError(userMessage('model_not_found.tensor_missing', { name, where: `'${this.path}'` }), { path: this.path, name });
    const bytes = new Uint8Array(info.byteLength);
    await readExactly(this.#handle, bytes, info.offset, this.path);
    return { ...info, bytes };
  }

  /** Closes the file handle. */
  async dispose(): Promise<void> {
    await this.#handle.close();
  }
}

async function readExactly(handle: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const { bytesRead } = await handle.read(target, done, Math.min(target.byteLength - done, 1 << 30), position + done);
    if (bytesRead === 0) throw new UnsupportedModelError(userMessage('unsupported_model.truncated', { path }), { path });
    done += bytesRead;
  }
}
