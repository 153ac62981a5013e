/**
 * IEEE 754 half-precision conversion. Node 20 has no Float16Array, and checkpoints store
 * scales, embeddings and norms as float16, so we convert by bit manipulation.
 */

const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

/** The float32 value of one float16 bit pattern (exact: every half is representable). */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The float16 bit pattern nearest to `value` (round half to even), as PyTorch's `.half()` gives. */
export function float32ToFloat16(value: number): number {
  floatView[0] = value;
  const x = intView[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const halfMantissa = mantissa >> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const rounded = remainder > halfway || (remainder === halfway && (halfMantissa & 1)) ? halfMantissa + 1 : halfMantissa;
    return sign | rounded;
  }
  const halfMantissa = mantissa >> 13;
  const remainder = mantissa & 0x1fff;
  let result = sign | (halfExponent << 10) | halfMantissa;
  if (remainder > 0x1000 || (remainder === 0x1000 && (halfMantissa & 1))) result += 1;
  return result;
}

/** Decodes a float16 array (little-endian bytes) into float32. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  const count = bytes.byteLength / 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result = new Float32Array(count);
  const table = float16Table();
  for (let index = 0; index < count; index++) result[index] = table[view.getUint16(index * 2, true)];
  return result;
}

/** Encodes float values as float16 little-endian bytes. */
export function encodeFloat16(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index++) view.setUint16(index * 2, float32ToFloat16(values[index]), true);
  return bytes;
}

let table: Float32Array | undefined;
function float16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = float16ToFloat32(bits);
  }
  return table;
}
