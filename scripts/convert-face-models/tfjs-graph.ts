// Converts a tfjs GRAPH model (model.json topology + weight shards) to ONNX, for the op subset of the
// MediaPipe face mesh that @vladmandic/human ships: _FusedConv2D (BiasAdd, optional Prelu / Relu),
// DepthwiseConv2dNative, AddV2, Prelu, Relu, MaxPool, Pad, Sigmoid, Reshape, Identity. Any other op
// stops the conversion with its name, so a new model version cannot be converted half right.
//
// Layout: tfjs graphs are NHWC; ONNX Conv is NCHW. The graph transposes the input once, runs NCHW, and
// transposes back to NHWC before every Reshape, so flattening keeps tfjs's element order.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder, type Shape } from './graph-builder';
import { convFilterToOnnx } from './tfjs-weights';

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, { s?: string; i?: string; f?: number; list?: { s?: string[]; i?: string[] } }>;
}

interface TfGraphModel {
  modelTopology: { node: TfNode[] };
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  signature?: { outputs?: Record<string, { name: string }> };
}

interface Constant {
  shape: number[];
  data: Float32Array | Int32Array;
}

const text = (b64: string | undefined): string => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : '');

/** Decoded constants of a tfjs graph model (float16-quantised weights come back as exact float32). */
export function loadGraphConstants(modelJson: string): { model: TfGraphModel; consts: Map<string, Constant> } {
  const model = JSON.parse(readFileSync(modelJson, 'utf8')) as TfGraphModel;
  const consts = new Map<string, Constant>();
  for (const group of model.weightsManifest) {
    const joined = Buffer.concat(group.paths.map((p) => readFileSync(join(dirname(modelJson), p))));
    const buffer = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
    for (const [name, t] of Object.entries(tf.io.decodeWeights(buffer, group.weights))) {
      const data = t.dtype === 'int32' ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array);
      consts.set(name, { shape: t.shape.slice(), data });
      t.dispose();
    }
  }
  return { model, consts };
}

/** tfjs [kh, kw, cin, cout] conv filter -> ONNX [cout, cin, kh, kw] (the face-api converter's transposition). */
const convFilter = (c: Constant): { dims: number[]; data: Float32Array } =>
  convFilterToOnnx({ shape: c.shape, data: Float32Array.from(c.data) });

/** tfjs [kh, kw, c, mult] depthwise filter -> ONNX grouped Conv weight [c * mult, 1, kh, kw]. */
function depthwiseFilter(c: Constant): { dims: number[]; data: Float32Array } {
  const [kh, kw, ch, mult] = c.shape;
  const out = new Float32Array(c.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let k = 0; k < ch; k++)
        for (let m = 0; m < mult; m++) out[((k * mult + m) * kh + y) * kw + x] = c.data[((y * kw + x) * ch + k) * mult + m];
  return { dims: [ch * mult, 1, kh, kw], data: out };
}

function strides(n: TfNode): number[] {
  const s = (n.attr?.strides?.list?.i ?? ['1', '1', '1', '1']).map(Number);
  return [s[1], s[2]];
}

function padding(n: TfNode): Record<string, string> {
  const p = text(n.attr?.padding?.s);
  if (p === 'SAME') return { auto_pad: 'SAME_UPPER' }; // TF puts the odd extra pixel at the end
  if (p === 'VALID') return { auto_pad: 'VALID' };
  throw new Error(`${n.name}: padding ${p} not supported`);
}

export interface GraphConversion {
  graphName: string;
  docString: string;
  metadata: Record<string, string>;
  /** Input side (square NHWC RGB). */
  inputSize: number;
  /** ONNX output name -> tfjs signature output key. */
  outputs: Record<string, string>;
}

/** Builds the ONNX model; outputs are [N, k] for the named signature outputs. */
export function convertGraphModel(modelJson: string, conv: GraphConversion): Uint8Array {
  const { model, consts } = loadGraphConstants(modelJson);
  const g = new GraphBuilder();
  const nodes = new Map(model.modelTopology.node.map((n) => [n.name, n]));
  const done = new Map<string, string>(); // tfjs node name -> ONNX value name (NCHW unless 2-D)
  const rank2 = new Set<string>(); // ONNX values that are already flat
  const floatConst = (name: string, transform?: (c: Constant) => { dims: number[]; data: Float32Array }): string => {
    const c = consts.get(name);
    if (!c) throw new Error(`constant ${name} missing from the weights`);
    const t = transform ? transform(c) : { dims: c.shape, data: Float32Array.from(c.data) };
    return g.constant(name, t.dims, t.data);
  };
  /** A per-channel NHWC vector ([C] or [1, 1, C]) as an NCHW-broadcastable [C, 1, 1] initializer. */
  const channelConst = (name: string): string =>
    floatConst(name, (c) => ({ dims: [c.data.length, 1, 1], data: Float32Array.from(c.data) }));

  const inputName = 'input';
  const nchwInput = g.node('Transpose', [inputName], { perm: [0, 3, 1, 2] });

  const value = (ref: string): string => {
    const name = ref.split(':')[0];
    const have = done.get(name);
    if (have) return have;
    const n = nodes.get(name);
    if (!n) throw new Error(`node ${name} not in the graph`);
    const out = build(n);
    done.set(name, out);
    return out;
  };

  function build(n: TfNode): string {
    const ins = n.input ?? [];
    switch (n.op) {
      case 'Placeholder':
        return nchwInput;
      case 'Identity':
        return value(ins[0]);
      case '_FusedConv2D': {
        const ops = (n.attr?.fused_ops?.list?.s ?? []).map(text);
        if (ops[0] !== 'BiasAdd') throw new Error(`${n.name}: fused ops ${ops.join(',')} not supported`);
        let y = g.node('Conv', [value(ins[0]), floatConst(ins[1], convFilter), floatConst(ins[2])], {
          kernel_shape: consts.get(ins[1])?.shape.slice(0, 2) ?? [],
          strides: strides(n),
          ...padding(n),
        });
        if (ops[1] === 'Prelu') y = g.node('PRelu', [y, channelConst(ins[3])]);
        else if (ops[1] === 'Relu') y = g.node('Relu', [y]);
        else if (ops.length > 1) throw new Error(`${n.name}: fused ops ${ops.join(',')} not supported`);
        return y;
      }
      case 'DepthwiseConv2dNative': {
        const f = depthwiseFilter(consts.get(ins[1]) as Constant);
        return g.node('Conv', [value(ins[0]), g.constant(ins[1], f.dims, f.data)], {
          group: (consts.get(ins[1]) as Constant).shape[2],
          kernel_shape: f.dims.slice(2),
          strides: strides(n),
          ...padding(n),
        });
      }
      case 'AddV2':
        return g.node('Add', [value(ins[0]), value(ins[1])]);
      case 'Prelu':
        return g.node('PRelu', [value(ins[0]), channelConst(ins[1])]);
      case 'Relu':
        return g.node('Relu', [value(ins[0])]);
      case 'Sigmoid':
        return g.node('Sigmoid', [value(ins[0])]);
      case 'MaxPool': {
        const k = (n.attr?.ksize?.list?.i ?? []).map(Number);
        return g.node('MaxPool', [value(ins[0])], { kernel_shape: [k[1], k[2]], strides: strides(n), ...padding(n) });
      }
      case 'Pad': {
        const p = consts.get(ins[1]);
        if (!p || p.shape.join() !== '4,2') throw new Error(`${n.name}: only constant 4-D paddings are supported`);
        const nhwc = Array.from(p.data);
        const order = [0, 3, 1, 2]; // NCHW axis -> NHWC axis
        const begins = order.map((a) => nhwc[2 * a]);
        const ends = order.map((a) => nhwc[2 * a + 1]);
        return g.node('Pad', [value(ins[0]), g.constantInt64(`${n.name}/pads`, [...begins, ...ends])], { mode: 'constant' });
      }
      case 'Reshape': {
        const shape = consts.get(ins[1]);
        if (!shape) throw new Error(`${n.name}: only constant shapes are supported`);
        const src = value(ins[0]);
        const nhwc = rank2.has(src) ? src : g.node('Transpose', [src], { perm: [0, 2, 3, 1] });
        const out = g.node('Reshape', [nhwc, g.constantInt64(`${n.name}/shape`, Array.from(shape.data))]);
        if (shape.data.length === 2) rank2.add(out);
        return out;
      }
      default:
        throw new Error(`${n.name}: tfjs op ${n.op} not supported by this converter`);
    }
  }

  const sig = model.signature?.outputs ?? {};
  const outputs: Array<[string, Shape]> = [];
  for (const [onnxName, key] of Object.entries(conv.outputs)) {
    const ref = sig[key]?.name;
    if (!ref) throw new Error(`signature output ${key} not in ${modelJson}`);
    const v = value(ref);
    if (!rank2.has(v)) throw new Error(`output ${key} is not a flat [N, k] tensor`);
    g.node('Identity', [v], {}, onnxName);
    outputs.push([onnxName, ['N', `${onnxName}_size`]]);
  }
  const s = conv.inputSize;
  return g.toModel({
    graphName: conv.graphName,
    inputs: [[inputName, ['N', s, s, 3]]],
    outputs,
    docString: conv.docString,
    metadata: conv.metadata,
  });
}
