/**
 * Loading GPTQ checkpoints: safetensors read by offset (single and sharded), and clear errors for
 * settings beleg cannot run.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelNotFoundError, UnsupportedModelError } from '../src/errors.ts';
import { readCheckpointConfig } from '../src/engine/gptq/checkpoint-config.ts';
import { convertCheckpoint } from '../src/engine/gptq/convert-checkpoint.ts';
import { writeRandomGptqCheckpoint } from '../src/engine/gptq/write-gptq-checkpoint.ts';
import { decodeFloat16, encodeFloat16 } from '../src/engine/safetensors/float16.ts';
import { SafetensorsCheckpoint } from '../src/engine/safetensors/safetensors-checkpoint.ts';
import { SafetensorsFile } from '../src/engine/safetensors/safetensors-file.ts';
import { writeSafetensors } from '../src/engine/safetensors/write-safetensors.ts';

const FIXTURE = path.resolve('tests/fixtures/gptq/tiny-llama-gptq-4bit-32g-actorder');
const small = { vocabSize: 64, hiddenSize: 64, intermediateSize: 128, layers: 1, heads: 2, kvHeads: 2, seed: 9, bits: 4, groupSize: 32, actOrder: true, symmetric: true };

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'beleg-gptq-loading-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('safetensors', () => {
  it('reads the fixture header and one tensor by offset', async () => {
    const file = await SafetensorsFile.open(path.join(FIXTURE, 'model.safetensors'));
    try {
      expect(file.tensors.size).toBe(63);
      expect(file.metadata.format).toBe('pt');
      const gIdx = await file.read('model.layers.0.self_attn.q_proj.g_idx');
      expect(gIdx.shape).toEqual([128]);
      const groups = new Int32Array(gIdx.bytes.buffer, gIdx.bytes.byteOffset, 128);
      const counts = new Map<number, number>();
      for (const group of groups) counts.set(group, (counts.get(group) ?? 0) + 1);
      expect([...counts.values()]).toEqual([32, 32, 32, 32]);
    } finally {
      await file.dispose();
    }
  });

  it('round-trips float16 values and writes files it can read back', async () => {
    const values = [0, 1, -2.5, 65504, 6.103515625e-5, 1 / 3];
    const decoded = decodeFloat16(encodeFloat16(values));
    expect(Array.from(decoded.slice(0, 5))).toEqual([0, 1, -2.5, 65504, 6.103515625e-5]);
    expect(decoded[5]).toBeCloseTo(1 / 3, 3);
    const filePath = path.join(workDir, 'roundtrip.safetensors');
    await writeSafetensors(filePath, [
      { name: 'a', dtype: 'F16', shape: [2, 3], bytes: encodeFloat16(values) },
      { name: 'b', dtype: 'I32', shape: [2], bytes: new Uint8Array(Int32Array.from([7, -1]).buffer) },
    ]);
    const file = await SafetensorsFile.open(filePath);
    const b = await file.read('b');
    expect(Array.from(new Int32Array(b.bytes.buffer, b.bytes.byteOffset, 2))).toEqual([7, -1]);
    await file.dispose();
  });

  it('reads sharded checkpoints through model.safetensors.index.json and names a missing shard', async () => {
    const directory = path.join(workDir, 'sharded');
    await writeRandomGptqCheckpoint({ ...small, directory, shards: 2 });
    const checkpoint = await SafetensorsCheckpoint.open(directory);
    expect(checkpoint.files.length).toBe(2);
    expect(checkpoint.has('lm_head.weight')).toBe(true);
    expect(checkpoint.has('model.embed_tokens.weight')).toBe(true);
    await checkpoint.dispose();
    const indexPath = path.join(directory, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    index.weight_map['model.norm.weight'] = 'model-00009-of-00009.safetensors';
    writeFileSync(indexPath, JSON.stringify(index));
    await expect(SafetensorsCheckpoint.open(directory)).rejects.toThrow(/model-00009-of-00009/);
  });

  it('rejects a truncated file', async () => {
    const filePath = path.join(workDir, 'truncated.safetensors');
    const bytes = readFileSync(path.join(FIXTURE, 'model.safetensors')).subarray(0, 4096);
    writeFileSync(filePath, bytes);
    await expect(SafetensorsFile.open(filePath)).rejects.toThrow(UnsupportedModelError);
    expect(statSync(filePath).size).toBe(4096);
  });
});

describe('checkpoint settings', () => {
  it('reads the fixture config', () => {
    const config = readCheckpointConfig(FIXTURE);
    expect(config.quantization).toEqual({ bits: 4, groupSize: 32, actOrder: true, symmetric: true });
    expect(config.shape.headDim).toBe(32);
    expect(config.eosIds).toEqual([2]);
  });

  it('refuses 3-bit checkpoints naming the setting', async () => {
    const directory = path.join(workDir, 'three-bit');
    await writeRandomGptqCheckpoint({ ...small, directory, quantizationOverrides: { bits: 3 } });
    expect(() => readCheckpointConfig(directory)).toThrow(UnsupportedModelError);
    expect(() => readCheckpointConfig(directory)).toThrow(/bits=3/);
  });

  it('refuses architectures other than Llama naming the setting', async () => {
    const directory = path.join(workDir, 'mistral');
    await writeRandomGptqCheckpoint({ ...small, directory, configOverrides: { architectures: ['MistralForCausalLM'], model_type: 'mistral' } });
    expect(() => readCheckpointConfig(directory)).toThrow(/architectures=.*MistralForCausalLM/);
  });

  it('says what is missing for an empty directory', async () => {
    expect(() => readCheckpointConfig(workDir)).toThrow(ModelNotFoundError);
  });

  it('refuses a checkpoint whose tensors do not match its quantize_config', async () => {
    const directory = path.join(workDir, 'mismatch');
    await writeRandomGptqCheckpoint({ ...small, directory });
    const quantizePath = path.join(directory, 'quantize_config.json');
    writeFileSync(quantizePath, JSON.stringify({ ...JSON.parse(readFileSync(quantizePath, 'utf8')), group_size: 16 }));
    await expect(convertCheckpoint(directory, { cacheDir: path.join(workDir, 'cache') })).rejects.toThrow(/does not match its quantize_config/);
  });
});
