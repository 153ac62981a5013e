/**
 * A checkpoint's tensors across one `model.safetensors` file or several shards listed in
 * `model.safetensors.index.json` (`{ weight_map: { tensorName: fileName } }`). Files other than
 * the index's are ignored; without an index, every `*.safetensors` in the directory is used.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ModelNotFoundError, UnsupportedModelError } from '../../errors.ts';
import { userMessage } from '../../messages/index.ts';
import { SafetensorsFile, type TensorData, type TensorInfo } from './safetensors-file.ts';

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string()),
});

export class SafetensorsCheckpoint {
  readonly files: readonly SafetensorsFile[];
  readonly #fileOf: Map<string, SafetensorsFile>;

  private constructor(files: SafetensorsFile[], fileOf: Map<string, SafetensorsFile>) {
    this.files = files;
    this.#fileOf = fileOf;
  }

  /** Opens the safetensors file(s) of a model directory. */
  static async open(directory: string): Promise<SafetensorsCheckpoint> {
    const indexPath = path.join(directory, 'model.safetensors.index.json');
    let fileNames: string[];
    let expected: Map<string, string> | undefined;
    if (existsSync(indexPath)) {
      const parsed = indexSchema.safeParse(JSON.parse(readFileSync(indexPath, 'utf8')));
      if (!parsed.success) {
        throw new UnsupportedModelError(userMessage('unsupported_model.safetensors_index', { path: indexPath, problem: parsed.error.message }), { path: indexPath });
      }
      expected = new Map(Object.entries(parsed.data.weight_map));
      fileNames = [...new Set(expected.values())].sort();
    } else {
      fileNames = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.safetensors')).sort() : [];
    }
    if (fileNames.length === 0) {
      throw new ModelNotFoundError(userMessage('model_not_found.no_safetensors', { directory }), {
        directory,
      });
    }
    const files: SafetensorsFile[] = [];
    try {
      for (const name of fileNames) files.push(await SafetensorsFile.open(path.join(directory, name)));
    } catch (error) {
      await Promise.all(files.map((file) => file.dispose()));
      throw error;
    }
    const fileOf = new Map<string, SafetensorsFile>();
    for (const file of files) {
      for (const name of file.tensors.keys()) fileOf.set(name, file);
    }
    if (expected) {
      for (const [name, fileName] of expected) {
        const file = fileOf.get(name);
        if (!file || path.basename(file.path) !== fileName) {
          await Promise.all(files.map((each) => each.dispose()));
          throw new ModelNotFoundError(userMessage('model_not_found.index_tensor_missing', { name, fileName }), {
            name,
            fileName,
          });
        }
      }
    }
    return new SafetensorsCheckpoint(files, fileOf);
  }

  /** Names of all tensors. */
  names(): string[] {
    return [...this.#fileOf.keys()];
  }

  has(name: string): boolean {
    return this.#fileOf.has(name);
  }

  info(name: string): TensorInfo | undefined {
    return this.#fileOf.get(name)?.tensors.get(name);
  }

  /** Reads one tensor from whichever file holds it. */
  async read(name: string): Promise<TensorData> {
    const file = this.#fileOf.get(name);
    if (!file) throw new ModelNotFoundError(userMessage('model_not_found.tensor_missing', { name, where: userMessage('fragment.checkpoint') }), { name });
    return file.read(name);
  }

  /** Closes all files, last opened first. */
  async dispose(): Promise<void> {
    for (const file of [...this.files].reverse()) await file.dispose();
  }
}
