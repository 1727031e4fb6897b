// A tiny ONNX graph builder: named initializers, nodes with typed attributes, and serialisation
// through the schema subset in onnx-schema.ts.
import { ATTR, DT_FLOAT, DT_INT64, ModelProto } from './onnx-schema';

export type AttrValue = number | number[] | string | { float: number };

interface Attribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
}

interface Node {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Attribute[];
}

interface Tensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

/** A tensor shape: numbers are fixed sizes, strings are symbolic (dynamic) dimensions. */
export type Shape = Array<number | string>;

function toAttribute(name: string, v: AttrValue): Attribute {
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v };
  if (typeof v === 'object') return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.INT, i: v };
}

function valueInfo(name: string, shape: Shape): object {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DT_FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private counter = 0;

  /** Adds a float32 initializer (little-endian raw data) and returns its name. */
  constant(name: string, dims: number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== data.length) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, data_type: DT_FLOAT, raw_data: bytes });
    return name;
  }

  /** Adds an int64 initializer (shape / axes operands). */
  constantInt64(name: string, values: number[]): string {
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], data_type: DT_INT64, raw_data: new Uint8Array(raw.buffer) });
    return name;
  }

  /** Adds one node and returns the name of its (single) output. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    this.counter += 1;
    const name = `${opType.toLowerCase()}_${this.counter}`;
    const output = outName ?? name;
    this.nodes.push({
      input: inputs,
      output: [output],
      name,
      op_type: opType,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return output;
  }

  /** Serialises the graph as an ONNX model (IR version 8, default opset 13). */
  toModel(opts: {
    graphName: string;
    inputs: Array<[string, Shape]>;
    outputs: Array<[string, Shape]>;
    docString: string;
    metadata: Record<string, string>;
  }): Uint8Array {
    const model = {
      ir_version: 8,
      producer_name: 'mellm-studio convert-face-models',
      producer_version: '1',
      model_version: 1,
      doc_string: opts.docString,
      opset_import: [{ domain: '', version: 13 }],
      metadata_props: Object.entries(opts.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: opts.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: opts.inputs.map(([n, s]) => valueInfo(n, s)),
        output: opts.outputs.map(([n, s]) => valueInfo(n, s)),
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
