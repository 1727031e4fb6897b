// The ORIGINAL face-api nets (its own compiled code) on tfjs's pure-JS CPU backend, used as the reference
// the ONNX conversions are checked against. face-api's Node build requires '@tensorflow/tfjs-node'
// (native, not installed here); its API is a superset of '@tensorflow/tfjs', which is what we resolve
// it to, for this one require only.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Tf = typeof import('@tensorflow/tfjs');

interface FaceApiNet {
  loadFromWeightMap(map: Record<string, unknown>): void;
}
interface LandmarkNet extends FaceApiNet {
  runNet(input: unknown): { data(): Promise<Float32Array>; dispose(): void };
}
interface DetectorNet extends FaceApiNet {
  forwardInput(input: unknown, inputSize: number): { data(): Promise<Float32Array>; shape: number[]; dispose(): void };
}
interface FaceApi {
  tf: Tf;
  toNetInput(x: unknown): Promise<unknown>;
  nets: { faceLandmark68Net: LandmarkNet; tinyFaceDetector: DetectorNet };
}

let cached: Promise<FaceApi> | undefined;

function requireFaceApi(): FaceApi {
  const mod = Module as unknown as { _resolveFilename: (req: string, ...rest: unknown[]) => string };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (req: string, ...rest: unknown[]) {
    return original.call(this, req === '@tensorflow/tfjs-node' ? '@tensorflow/tfjs' : req, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@vladmandic/face-api/dist/face-api.node.js') as FaceApi;
  } finally {
    mod._resolveFilename = original;
  }
}

async function load(): Promise<FaceApi> {
  const faceapi = requireFaceApi();
  const tf = faceapi.tf;
  await tf.setBackend('cpu');
  await tf.ready();
  const modelDir = join(require.resolve('@vladmandic/face-api/package.json'), '..', 'model');
  for (const [name, net] of [
    ['face_landmark_68_model', faceapi.nets.faceLandmark68Net],
    ['tiny_face_detector_model', faceapi.nets.tinyFaceDetector],
  ] as const) {
    const manifest = JSON.parse(readFileSync(join(modelDir, `${name}-weights_manifest.json`), 'utf8')) as Array<{
      weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[];
    }>;
    const bin = readFileSync(join(modelDir, `${name}.bin`));
    const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    net.loadFromWeightMap(tf.io.decodeWeights(buffer, manifest.flatMap((g) => g.weights)));
  }
  return faceapi;
}

export function faceApiReference(): Promise<FaceApi> {
  cached ??= load();
  return cached;
}

/** face-api landmark net raw output [136] for one NHWC 112x112x3 input (pixels 0..255). */
export async function referenceLandmarks(nhwc: Float32Array): Promise<Float32Array> {
  const faceapi = await faceApiReference();
  const x = faceapi.tf.tensor4d(nhwc, [1, 112, 112, 3]);
  const out = faceapi.nets.faceLandmark68Net.runNet(await faceapi.toNetInput(x));
  const data = await out.data();
  out.dispose();
  x.dispose();
  return data;
}

/** face-api tiny face detector raw grid [1, S/32, S/32, 25] for one NHWC SxSx3 input (pixels 0..255). */
export async function referenceDetectorGrid(nhwc: Float32Array, size: number): Promise<Float32Array> {
  const faceapi = await faceApiReference();
  const x = faceapi.tf.tensor4d(nhwc, [1, size, size, 3]);
  const out = faceapi.nets.tinyFaceDetector.forwardInput(await faceapi.toNetInput(x), size);
  const data = await out.data();
  out.dispose();
  x.dispose();
  return data;
}

/** The tfjs graph model at `modelJson` (e.g. human's facemesh.json), loaded from disk on the CPU backend. */
async function loadGraph(
  modelJson: string,
): Promise<{ tf: Tf; model: import('@tensorflow/tfjs').GraphModel; outputs: Record<string, { name: string }> }> {
  const tf = (await faceApiReference()).tf;
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as {
    modelTopology: object;
    signature: { outputs: Record<string, { name: string }> };
    weightsManifest: Array<{ paths: string[]; weights: import('@tensorflow/tfjs').io.WeightsManifestEntry[] }>;
  };
  const bins = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(modelJson, '..', p))));
  const joined = Buffer.concat(bins);
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }),
  );
  return { tf, model, outputs: json.signature.outputs };
}

const graphs = new Map<string, ReturnType<typeof loadGraph>>();

/** Runs a tfjs graph model on one NHWC input; returns the named signature outputs, flattened. */
export async function referenceGraph(
  modelJson: string,
  nhwc: Float32Array,
  size: number,
  outputs: string[],
): Promise<Float32Array[]> {
  let g = graphs.get(modelJson);
  if (!g) graphs.set(modelJson, (g = loadGraph(modelJson)));
  const { tf, model, outputs: sig } = await g;
  const x = tf.tensor4d(nhwc, [1, size, size, 3]);
  const res = model.execute(x, outputs.map((o) => sig[o].name)) as import('@tensorflow/tfjs').Tensor[];
  const data = await Promise.all(res.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
  res.forEach((t) => t.dispose());
  x.dispose();
  return data;
}
