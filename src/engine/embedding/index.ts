/** The ONNX embedding model: the public names of src/engine/embedding. */
export { OnnxEmbeddingModel, findOnnxFile, type OnnxEmbeddingModelOptions } from './onnx-embedding-model.ts';
export type { EmbeddingModel } from '../embedding-model.ts';
