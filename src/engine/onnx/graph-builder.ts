/**
 * A small writer for ONNX graphs, built on `onnx-proto`'s protobuf classes. Models are assembled
 * node by node in TypeScript; large initializers go to an external data file next to the model
 * (protobuf cannot hold more than 2 GB, and a 13B checkpoint has 7+ GB of weights), written
 * as they are added so a big model never sits in memory twice.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

// onnx-proto is CommonJS: its named export is only reachable through the default import.
const { onnx } = onnxProto;

/** ONNX element types used by beleg's graphs. */
export const DataType = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
} as const;
export type DataTypeName = keyof typeof DataType;

/** A dimension: a fixed size or a symbolic name such as `sequence`. */
export type Dimension = number | string;

/** An attribute value: numbers are ints unless wrapped with `float()`. */
export type AttributeValue = number | string | number[] | { float: number } | { floats: number[] } | { graph: OnnxTypes.IGraphProto };

/** Marks an attribute value as a float (ONNX distinguishes int and float attributes). */
export const float = (value: number): { float: number } => ({ float: value });

/** Initializers at least this large go to the external data file. */
const EXTERNAL_THRESHOLD_BYTES = 1024;
const EXTERNAL_ALIGNMENT = 64;

export type GraphBuilderOptions = {
  /** Absolute path of the external data file; without it every initializer stays inline. */
  externalDataPath?: string;
  opsetVersion?: number;
};

export class GraphBuilder {
  /** Where `node()` adds nodes: the main graph's list, or a subgraph's while one is built. */
  #nodes: OnnxTypes.INodeProto[] = [];
  readonly #initializers: OnnxTypes.ITensorProto[] = [];
  readonly #inputs: OnnxTypes.IValueInfoProto[] = [];
  readonly #outputs: OnnxTypes.IValueInfoProto[] = [];
  readonly #usedNames = new Set<string>();
  readonly #opsetVersion: number;
  readonly #externalDataPath?: string;
  #externalFd: number | undefined;
  #externalOffset = 0;

  constructor(options: GraphBuilderOptions = {}) {
    this.#opsetVersion = options.opsetVersion ?? 17;
    this.#externalDataPath = options.externalDataPath;
    if (options.externalDataPath) this.#externalFd = openSync(options.externalDataPath, 'w');
  }

  /** A name not used yet, derived from `prefix`. */
  name(prefix: string): string {
    let candidate = prefix;
    for (let counter = 1; this.#usedNames.has(candidate); counter++) candidate = `${prefix}_${counter}`;
    this.#usedNames.add(candidate);
    return candidate;
  }

  /** Declares a graph input. */
  input(name: string, type: DataTypeName, dims: Dimension[]): string {
    this.#usedNames.add(name);
    this.#inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output (an existing value name). */
  output(name: string, type: DataTypeName, dims: Dimension[]): string {
    this.#outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Adds a node and returns its output names. `outputs` is a count (names are generated) or a
   * list of names to use. An empty string in `inputs` marks an omitted optional input.
   */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    options: { outputs?: number | string[]; domain?: string; name?: string } = {},
  ): string[] {
    const outputSpec = options.outputs ?? 1;
    const outputs =
      typeof outputSpec === 'number'
        ? Array.from({ length: outputSpec }, () => this.name(`${options.name ?? opType}_out`))
        : outputSpec.map((name) => {
            this.#usedNames.add(name);
            return name;
          });
    this.#nodes.push(
      onnx.NodeProto.create({
        opType,
        input: inputs,
        output: outputs,
        name: this.name(options.name ?? opType),
        domain: options.domain ?? '',
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return outputs;
  }

  /**
   * Builds a subgraph (e.g. a branch of `If`): nodes added by `build` go into it, and it may read
   * any value of the enclosing graph. `build` returns its output values; constants it creates
   * stay initializers of the main graph (visible from the subgraph).
   */
  subgraph(graphName: string, outputs: Array<{ type: DataTypeName; dims: Dimension[] }>, build: () => string[]): OnnxTypes.IGraphProto {
    const outer = this.#nodes;
    this.#nodes = [];
    try {
      const values = build();
      if (values.length !== outputs.length) throw new Error(`Subgraph ${graphName} returned ${values.length} values; ${outputs.length} were declared.`);
      // Every subgraph output must be produced inside it: values from outside pass an Identity.
      const produced = new Set(this.#nodes.flatMap((node) => node.output ?? []));
      const names = values.map((value) => (produced.has(value) ? value : this.node('Identity', [value])[0]!));
      return onnx.GraphProto.create({ name: graphName, node: this.#nodes, output: names.map((name, index) => valueInfo(name, outputs[index]!.type, outputs[index]!.dims)) });
    } finally {
      this.#nodes = outer;
    }
  }

  /** Shorthand for a node with a single output. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, domain?: string): string {
    return this.node(opType, inputs, attributes, { domain })[0];
  }

  /** Adds a constant tensor; large ones are appended to the external data file. */
  initializer(prefix: string, type: DataTypeName, dims: number[], bytes: Uint8Array): string {
    const name = this.name(prefix);
    const tensor = onnx.TensorProto.create({ name, dims, dataType: DataType[type] });
    if (this.#externalFd !== undefined && bytes.byteLength >= EXTERNAL_THRESHOLD_BYTES) {
      const padding = (EXTERNAL_ALIGNMENT - (this.#externalOffset % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
      if (padding > 0) {
        writeSync(this.#externalFd, new Uint8Array(padding));
        this.#externalOffset += padding;
      }
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(this.#externalFd, bytes, written, bytes.byteLength - written);
      tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      tensor.externalData = [
        { key: 'location', value: path.basename(this.#externalDataPath!) },
        { key: 'offset', value: String(this.#externalOffset) },
        { key: 'length', value: String(bytes.byteLength) },
      ];
      this.#externalOffset += bytes.byteLength;
    } else {
      tensor.rawData = bytes;
    }
    this.#initializers.push(tensor);
    return name;
  }

  /** A float32 constant. */
  floats(prefix: string, dims: number[], values: ArrayLike<number>): string {
    const array = Float32Array.from(values);
    return this.initializer(prefix, 'float', dims, new Uint8Array(array.buffer));
  }

  /** An int64 constant (shapes, axes, indices). */
  int64s(prefix: string, dims: number[], values: ArrayLike<number>): string {
    const array = BigInt64Array.from(Array.from(values, (value) => BigInt(value)));
    return this.initializer(prefix, 'int64', dims, new Uint8Array(array.buffer));
  }

  /** Serialises the model; closes the external data file. */
  finish(graphName: string): Uint8Array {
    if (this.#externalFd !== undefined) {
      closeSync(this.#externalFd);
      this.#externalFd = undefined;
    }
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'beleg',
      opsetImport: [
        { domain: '', version: this.#opsetVersion },
        { domain: 'com.microsoft', version: 1 },
      ],
      graph: onnx.GraphProto.create({
        name: graphName,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: DataTypeName, dims: Dimension[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType[type],
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: value };
  if ('graph' in value) return { name, type: types.GRAPH, g: value.graph };
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  return { name, type: types.FLOATS, floats: value.floats };
}

/**
 * Bytes of each initializer of a saved model (inline or in external data), by name; used by
 * benchmarks to count the bytes a forward pass reads.
 */
export function initializerBytes(modelBytes: Uint8Array): Map<string, number> {
  const model = onnx.ModelProto.decode(modelBytes);
  const sizes = new Map<string, number>();
  for (const tensor of model.graph?.initializer ?? []) {
    const external = tensor.externalData?.find((entry) => entry.key === 'length');
    const inline = tensor.rawData?.length ?? 0;
    sizes.set(tensor.name ?? '', external ? Number(external.value) : inline);
  }
  return sizes;
}
