/**
 * Reads the tensors of one AutoGPTQ quantized Linear (`<prefix>.qweight`, `.qzeros`, `.scales`,
 * `.g_idx`, optional `.bias`) from a checkpoint and checks their shapes.
 */
import { UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { decodeFloat16 } from '../safetensors/float16.ts';
import type { SafetensorsCheckpoint } from '../safetensors/safetensors-checkpoint.ts';
import type { TensorData } from '../safetensors/safetensors-file.ts';
import type { QuantizationSettings } from './checkpoint-config.ts';
import { defaultGroupIndex, type GptqLinear } from './repack-matmul-nbits.ts';

/** Float tensor contents as float32, whatever the stored float dtype. */
export function toFloat32(tensor: TensorData): Float32Array {
  if (tensor.dtype === 'F16') return decodeFloat16(tensor.bytes);
  if (tensor.dtype === 'F32') return new Float32Array(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength / 4);
  if (tensor.dtype === 'BF16') {
    const result = new Float32Array(tensor.bytes.byteLength / 2);
    const words = new Uint32Array(result.buffer);
    const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength);
    for (let index = 0; index < result.length; index++) words[index] = view.getUint16(index * 2, true) << 16;
    return result;
  }
  throw new UnsupportedModelError(userMessage('unsupported_model.tensor_dtype', { name: tensor.name, dtype: tensor.dtype, expected: userMessage('fragment.expected_float') }), {
    name: tensor.name,
  });
}

function toInt32(tensor: TensorData): Int32Array {
  if (tensor.dtype !== 'I32') {
    throw new UnsupportedModelError(userMessage('unsupported_model.tensor_dtype', { name: tensor.name, dtype: tensor.dtype, expected: userMessage('fragment.expected_int32') }), {
      name: tensor.name,
    });
  }
  return new Int32Array(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength / 4);
}

function expectShape(tensor: TensorData, shape: number[]): void {
  if (tensor.shape.length !== shape.length || tensor.shape.some((dimension, index) => dimension !== shape[index])) {
    throw new UnsupportedModelError(
      userMessage('unsupported_model.tensor_shape', {
        name: tensor.name,
        shape: String(tensor.shape),
        expected: String(shape),
        source: userMessage('fragment.from_quantize_config'),
      }),
      { name: tensor.name, shape: tensor.shape, expected: shape },
    );
  }
}

/** Reads one quantized Linear with `inFeatures` inputs and `outFeatures` outputs. */
export async function readGptqLinear(
  checkpoint: SafetensorsCheckpoint,
  prefix: string,
  inFeatures: number,
  outFeatures: number,
  quantization: QuantizationSettings,
): Promise<GptqLinear> {
  const { bits, groupSize } = quantization;
  const valuesPerWord = 32 / bits;
  const groups = groupSize === -1 ? 1 : Math.ceil(inFeatures / groupSize);
  const qweight = await checkpoint.read(`${prefix}.qweight`);
  expectShape(qweight, [inFeatures / valuesPerWord, outFeatures]);
  const qzeros = await checkpoint.read(`${prefix}.qzeros`);
  expectShape(qzeros, [groups, outFeatures / valuesPerWord]);
  const scales = await checkpoint.read(`${prefix}.scales`);
  expectShape(scales, [groups, outFeatures]);
  let groupIndex: Int32Array;
  if (checkpoint.has(`${prefix}.g_idx`)) {
    const gIdx = await checkpoint.read(`${prefix}.g_idx`);
    expectShape(gIdx, [inFeatures]);
    groupIndex = toInt32(gIdx);
    for (const group of groupIndex) {
      if (group < 0 || group >= groups) {
        throw new UnsupportedModelError(userMessage('unsupported_model.group_index', { name: prefix, group, groups }), { name: prefix });
      }
    }
  } else {
    groupIndex = defaultGroupIndex(inFeatures, groupSize);
  }
  const bias = checkpoint.has(`${prefix}.bias`) ? toFloat32(await checkpoint.read(`${prefix}.bias`)) : undefined;
  return {
    name: prefix,
    bits,
    inFeatures,
    outFeatures,
    qweight: toInt32(qweight),
    qzeros: toInt32(qzeros),
    scales: toFloat32(scales),
    groupIndex,
    bias,
  };
}
