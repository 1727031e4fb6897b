// Face bench: model load, landmarks on a 280 x 340 face, detector passes, and the original face-api nets
// (tfjs, pure-JS CPU backend) on the same inputs as the reference. Targets (issue 3): load < 300 ms,
// landmarks < 30 ms after warm-up. Also prints the accuracy figures on the hand-checked fixture faces
// (test/fixtures/face/truth.json): nose-tip and eye-centre errors in % of the inter-ocular distance, and
// nose tips per second on the calling thread against the dataset jobs' worker pool.
//   node --import tsx scripts/bench/face.ts      (or: npm run bench -- face)
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { runAlone, timeWithBusy, type BenchRow } from './_common';

const ROOT = resolve(__dirname, '..', '..');

async function median(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function rawImage(pipeline: sharp.Sharp): Promise<{ width: number; height: number; channels: 3; data: Uint8Array }> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

export async function face(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const add = (metric: string, value: number, unit: string, note?: string): void => {
    rows.push({ bench: 'face', metric, value, unit, note });
    process.stderr.write(`face: ${metric} ${value.toFixed(2)} ${unit}${note ? ` (${note})` : ''}\n`);
  };

  // Cold load: this process has not touched onnxruntime's sessions yet.
  const faceMod = await import('../../src/core/face');
  let t0 = performance.now();
  await faceMod.loadFaceModels();
  add('model load (both sessions, cold)', performance.now() - t0, 'ms', 'target < 300 ms');

  const { landmarksFor } = await import('../../src/core/face/landmarks');
  const { detectBoxes } = await import('../../src/core/face/detector');
  const crop = join(ROOT, 'test', 'fixtures', 'face', 'crop4.jpg');
  const face280 = await rawImage(sharp(crop).resize(280, 340, { fit: 'fill' }));
  const whole = { x: 0, y: 0, width: 280, height: 340 };
  await landmarksFor(face280, [whole]);
  add('landmarks, 280x340 face (preprocess + net on the crop and its mirror)', await median(50, () => landmarksFor(face280, [whole])), 'ms', 'median of 50 after warm-up; target < 30 ms');
  // The face mesh (the measured alternative, docs/face-set.md) against today's net on the same face, same run.
  const { meshLandmarksFor } = await import('../../src/core/face/mesh');
  const meshBox = { x: 0, y: 0, width: face280.width, height: face280.height };
  await meshLandmarksFor(face280, [meshBox]);
  const netMs = await median(30, () => landmarksFor(face280, [whole]));
  const meshMs = await median(30, () => meshLandmarksFor(face280, [meshBox]));
  add('landmarks per face: face-api-68 net (reference, same run)', netMs, 'ms', 'median of 30');
  add('landmarks per face: face mesh, 3 passes (--landmarks mesh)', meshMs, 'ms', `median of 30; ${(meshMs / netMs).toFixed(1)}x the net`);
  add('detectFace, 280x340 image (2 detector passes + landmarks)', await median(20, () => faceMod.detectFace(face280)), 'ms', 'median of 20');

  const frame = await rawImage(sharp(join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample5.jpg')).resize(640, 480, { fit: 'fill' }));
  add('detector pass 416, 640x480 image', await median(20, () => detectBoxes(frame, { inputSize: 416 })), 'ms', 'resample + net + decode + NMS');
  add('detector pass 160, 640x480 image', await median(20, () => detectBoxes(frame, { inputSize: 160 })), 'ms');
  add('detectFaces, 640x480 group photo', await median(10, () => faceMod.detectFaces(frame)), 'ms', 'all faces with landmarks');
  const big = await rawImage(sharp(join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample1.jpg')));
  add(`detectFaces, ${big.width}x${big.height} photo`, await median(5, () => faceMod.detectFaces(big)), 'ms', '3 faces');

  // Nose tips for a dataset job: on this thread (onnxruntime runs a session synchronously on its caller)
  // against the worker pool the dataset jobs use. Rate over 48 frames, and how long the calling thread is
  // busy per frame (event-loop utilisation x elapsed time).
  const { locateNoseTip } = await import('../../src/core/face/nose');
  const { createNosePool, defaultNosePoolSize } = await import('../../src/core/face/pool');
  const frames = Array.from({ length: 48 }, () => face280);
  const timeLocate = async (locate: (img: typeof face280) => Promise<unknown>, parallel: boolean): Promise<{ rate: number; busyMs: number }> => {
    const { ms, busyMs } = await timeWithBusy(async () => {
      if (parallel) await Promise.all(frames.map((f) => locate(f)));
      else for (const f of frames) await locate(f);
    });
    return { rate: (frames.length * 1000) / ms, busyMs: busyMs / frames.length };
  };
  await locateNoseTip(face280);
  const mainRun = await timeLocate((f) => locateNoseTip(f), false);
  add('nose tips/s, 280x340, on the calling thread', mainRun.rate, 'frames/s', `calling thread busy ${mainRun.busyMs.toFixed(1)} ms per frame; reference`);
  for (const size of [...new Set([1, 2, defaultNosePoolSize()])].sort((a, b) => a - b)) {
    const pool = createNosePool({ size });
    try {
      await Promise.all(Array.from({ length: size }, () => pool.locate(face280))); // start and warm every worker
      const r = await timeLocate((f) => pool.locate(f), true);
      add(`nose tips/s, 280x340, pool of ${size} worker(s)`, r.rate, 'frames/s', `${(r.rate / mainRun.rate).toFixed(2)}x the calling thread; calling thread busy ${r.busyMs.toFixed(2)} ms per frame; ${os.availableParallelism()} cores`);
    } finally {
      await pool.close();
    }
  }

  // Accuracy on the fixture faces (the test asserts bounds; the figures themselves are reported here).
  const { loadImage } = await import('../../src/core/image');
  const fixtures = join(ROOT, 'test', 'fixtures', 'face');
  type Pt = [number, number];
  const truth = (JSON.parse(readFileSync(join(fixtures, 'truth.json'), 'utf8')) as { crops: Record<string, { eyeR: Pt; eyeL: Pt; nose: Pt }> }).crops;
  const dist = (a: Pt, b: Pt): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const eyeCentre = (pts: Pt[], from: number): Pt => {
    const six = pts.slice(from, from + 6);
    return [six.reduce((s, p) => s + p[0], 0) / 6, six.reduce((s, p) => s + p[1], 0) / 6];
  };
  const noseErrors: number[] = [];
  for (const [file, t] of Object.entries(truth)) {
    const found = await faceMod.detectFace(await loadImage(join(fixtures, file)));
    if (!found) {
      add(`accuracy ${file}`, NaN, '% IOD', 'no face found');
      continue;
    }
    const iod = dist(t.eyeR, t.eyeL);
    const nose = (100 * dist([found.nose.x, found.nose.y], t.nose)) / iod;
    noseErrors.push(nose);
    const eyes = `eye R ${((100 * dist(eyeCentre(found.points, 36), t.eyeR)) / iod).toFixed(1)}%, eye L ${((100 * dist(eyeCentre(found.points, 42), t.eyeL)) / iod).toFixed(1)}%`;
    add(`nose-tip error ${file}`, nose, '% IOD', eyes);
  }
  const meanNose = noseErrors.reduce((a, b) => a + b, 0) / noseErrors.length;
  add('nose-tip error, mean of the fixture faces', meanNose, '% IOD', `max ${Math.max(...noseErrors).toFixed(2)}%; target <= 5% per face`);

  // Net alone, ONNX vs the original tfjs net on identical inputs (the reference of this run).
  const { modelDir } = await import('../../src/core/face/models');
  const lmSession = await ort.InferenceSession.create(join(modelDir(), 'face_landmark_68.onnx'), { intraOpNumThreads: 2 });
  const detSession = await ort.InferenceSession.create(join(modelDir(), 'tiny_face_detector.onnx'), { intraOpNumThreads: 2 });
  const x112 = new Float32Array(112 * 112 * 3).map((_, i) => (i * 37) % 255);
  const x416 = new Float32Array(416 * 416 * 3).map((_, i) => (i * 37) % 255);
  const lmOnnx = await median(50, () => lmSession.run({ input: new ort.Tensor('float32', x112, [1, 112, 112, 3]) }));
  const detOnnx = await median(20, () => detSession.run({ input: new ort.Tensor('float32', x416, [1, 416, 416, 3]) }));
  const ref = await import('../../test/face/tfjs-reference');
  await ref.referenceLandmarks(x112);
  await ref.referenceDetectorGrid(x416, 416);
  const lmTfjs = await median(10, () => ref.referenceLandmarks(x112));
  const detTfjs = await median(5, () => ref.referenceDetectorGrid(x416, 416));
  add('landmark net 112x112, ONNX', lmOnnx, 'ms');
  add('landmark net 112x112, face-api tfjs (cpu)', lmTfjs, 'ms', `reference; ONNX is ${(lmTfjs / lmOnnx).toFixed(1)}x faster`);
  add('detector net 416x416, ONNX', detOnnx, 'ms');
  add('detector net 416x416, face-api tfjs (cpu)', detTfjs, 'ms', `reference; ONNX is ${(detTfjs / detOnnx).toFixed(1)}x faster`);
  return rows;
}

export default face;

if (require.main === module) runAlone('face', face);
