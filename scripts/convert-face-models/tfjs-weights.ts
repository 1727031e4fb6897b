// Reads face-api's tfjs weight files (manifest JSON + .bin shard, uint8-quantised) and dequantises them
// with tfjs's own decoder, so the ONNX initializers hold exactly the float32 values tfjs computes with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface Weight {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = Map<string, Weight>;

interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

export function loadTfjsWeights(modelDir: string, modelName: string): WeightMap {
  const manifest = JSON.parse(
    readFileSync(join(modelDir, `${modelName}-weights_manifest.json`), 'utf8'),
  ) as ManifestGroup[];
  const out: WeightMap = new Map();
  for (const group of manifest) {
    const shards = group.paths.map((p) => readFileSync(join(modelDir, p)));
    const joined = Buffer.concat(shards);
    const buffer = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
    const tensors = tf.io.decodeWeights(buffer, group.weights);
    for (const [name, t] of Object.entries(tensors)) {
      out.set(name, { shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) });
      t.dispose();
    }
  }
  return out;
}

export function take(weights: WeightMap, name: string, rank: number): Weight {
  const w = weights.get(name);
  if (!w) throw new Error(`weight ${name} missing from the tfjs model`);
  if (w.shape.length !== rank) throw new Error(`weight ${name}: rank ${w.shape.length}, expected ${rank}`);
  return w;
}

/** tfjs conv2d filter [kh, kw, cin, cout] -> ONNX Conv weight [cout, cin, kh, kw]. */
export function convFilterToOnnx(w: Weight): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = w.shape;
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < ci; c++)
        for (let o = 0; o < co; o++) data[((o * ci + c) * kh + y) * kw + x] = w.data[((y * kw + x) * ci + c) * co + o];
  return { dims: [co, ci, kh, kw], data };
}

/** tfjs depthwise filter [kh, kw, c, 1] -> ONNX grouped Conv weight [c, 1, kh, kw] (group = c). */
export function depthwiseFilterToOnnx(w: Weight): { dims: number[]; data: Float32Array } {
  const [kh, kw, c, mult] = w.shape;
  if (mult !== 1) throw new Error(`depthwise multiplier ${mult} not supported`);
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++) data[(ch * kh + y) * kw + x] = w.data[(y * kw + x) * c + ch];
  return { dims: [c, 1, kh, kw], data };
}
