// The converted ONNX models against the originals on tfjs's pure-JS CPU backend, on the same inputs:
// face-api's nets (its own code) and the MediaPipe face mesh (human's tfjs graph model). Bound: max abs
// difference of the raw outputs <= 1e-3 (mesh: <= 1e-3 of its 192-px coordinate range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadImage } from '../../src/core/image';
import { modelDir } from '../../src/core/face/models';
import { resampleSquare, squareLayout } from '../../src/core/face/resample';
import { referenceDetectorGrid, referenceGraph, referenceLandmarks } from './tfjs-reference';

const FIXTURES = join(__dirname, '..', 'fixtures', 'face');

function noise(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = (s / 2147483647) * 255;
  }
  return a;
}

async function facePatch(size: number): Promise<Float32Array> {
  const img = await loadImage(join(FIXTURES, 'crop4.jpg'));
  const region = { x: 0, y: 0, width: img.width, height: img.height };
  return resampleSquare(img, region, squareLayout(img.width, img.height, true), size);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('face_landmark_68.onnx matches face-api FaceLandmark68Net (tfjs)', async () => {
  const session = await ort.InferenceSession.create(join(modelDir(), 'face_landmark_68.onnx'));
  const inputs = [noise(112 * 112 * 3, 7), await facePatch(112), new Float32Array(112 * 112 * 3).fill(128)];
  for (const x of inputs) {
    const ours = (await session.run({ input: new ort.Tensor('float32', x, [1, 112, 112, 3]) })).landmarks
      .data as Float32Array;
    const ref = await referenceLandmarks(x);
    assert.equal(ours.length, 136);
    const d = maxAbsDiff(ours, ref);
    assert.ok(d <= 1e-3, `max abs diff ${d}`);
  }
});

test('tiny_face_detector.onnx matches face-api TinyFaceDetector (tfjs) at 416 and 160', async () => {
  const session = await ort.InferenceSession.create(join(modelDir(), 'tiny_face_detector.onnx'));
  for (const size of [416, 160]) {
    for (const x of [noise(size * size * 3, 11), await facePatch(size)]) {
      const out = (await session.run({ input: new ort.Tensor('float32', x, [1, size, size, 3]) })).grid;
      assert.deepEqual(out.dims, [1, size / 32, size / 32, 25]);
      const d = maxAbsDiff(out.data as Float32Array, await referenceDetectorGrid(x, size));
      assert.ok(d <= 1e-3, `size ${size}: max abs diff ${d}`);
    }
  }
});

test('face_mesh.onnx matches the tfjs face mesh of @vladmandic/human (mesh points and face flag)', async () => {
  const session = await ort.InferenceSession.create(join(modelDir(), 'face_mesh.onnx'));
  const humanDir = join(require.resolve('@vladmandic/human'), '..', '..');
  const modelJson = join(humanDir, 'models', 'facemesh.json');
  const face = (await facePatch(192)).map((v) => v / 255);
  for (const x of [noise(192 * 192 * 3, 5).map((v) => v / 255), face]) {
    const out = await session.run({ input: new ort.Tensor('float32', x, [1, 192, 192, 3]) });
    const [mesh, flag] = await referenceGraph(modelJson, x, 192, ['output_mesh', 'output_faceflag']);
    assert.deepEqual(out.mesh.dims, [1, 1404]);
    const d = maxAbsDiff(out.mesh.data as Float32Array, mesh);
    assert.ok(d <= 0.192, `mesh max abs diff ${d} px`);
    assert.ok(maxAbsDiff(out.faceflag.data as Float32Array, flag) <= 1e-3);
  }
});
