// Dev script (not run at install): converts @vladmandic/face-api's tfjs face models to ONNX.
//   node --import tsx scripts/convert-face-models/main.ts
// Writes media/models/tiny_face_detector.onnx and media/models/face_landmark_68.onnx (from face-api) and
// media/models/face_mesh.onnx (MediaPipe face mesh, from @vladmandic/human); all committed.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildLandmark68 } from './landmark68';
import { convertGraphModel } from './tfjs-graph';
import { loadTfjsWeights } from './tfjs-weights';
import { buildTinyFaceDetector } from './tiny-face-detector';

const root = resolve(__dirname, '..', '..');
const faceApiDir = dirname(require.resolve('@vladmandic/face-api/package.json', { paths: [root] }));
const modelDir = join(faceApiDir, 'model');
const outDir = join(root, 'media', 'models');

function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const version = (JSON.parse(readFileSync(join(faceApiDir, 'package.json'), 'utf8')) as { version: string }).version;
  const meta = (model: string): Record<string, string> => ({
    source: `@vladmandic/face-api ${version} model/${model} (tfjs weights, uint8-quantised)`,
    license: 'MIT (face-api by Vladimir Mandic, after face-api.js by Vincent Muehler)',
  });
  const jobs: Array<[string, string, (w: ReturnType<typeof loadTfjsWeights>, m: Record<string, string>) => Uint8Array]> = [
    ['tiny_face_detector_model', 'tiny_face_detector.onnx', buildTinyFaceDetector],
    ['face_landmark_68_model', 'face_landmark_68.onnx', buildLandmark68],
  ];
  for (const [src, dst, build] of jobs) {
    const weights = loadTfjsWeights(modelDir, src);
    const bytes = build(weights, meta(src));
    writeAtomically(join(outDir, dst), bytes);
    process.stdout.write(`${dst}: ${bytes.length} bytes from ${weights.size} tensors\n`);
  }
  // Its package.json is not exported: its main entry is dist/human.node.js, two levels below the package.
  const humanDir = dirname(dirname(require.resolve('@vladmandic/human', { paths: [root] })));
  const humanVersion = (JSON.parse(readFileSync(join(humanDir, 'package.json'), 'utf8')) as { version: string }).version;
  const mesh = convertGraphModel(join(humanDir, 'models', 'facemesh.json'), {
    graphName: 'face_mesh',
    inputSize: 192,
    outputs: { mesh: 'output_mesh', faceflag: 'output_faceflag' },
    docString:
      'MediaPipe face mesh (468 points) converted from the tfjs graph model. Input NHWC RGB 0..1, 192x192; output mesh [N, 1404] = (x, y, z) per point in input pixels, faceflag [N, 1].',
    metadata: {
      source: `@vladmandic/human ${humanVersion} models/facemesh.json (tfjs graph model, float16 weights)`,
      license: 'Apache-2.0 (MediaPipe face mesh model by Google); packaged by @vladmandic/human (MIT)',
    },
  });
  writeAtomically(join(outDir, 'face_mesh.onnx'), mesh);
  process.stdout.write(`face_mesh.onnx: ${mesh.length} bytes\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`convert-face-models: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
