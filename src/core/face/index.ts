// Face detection + 68-point landmarks + named regions, offline, with onnxruntime-node and the face-api
// models converted to ONNX (media/models). Sessions are created on first use and reused.
import { detectBoxes, nonMaxSuppression, type Detection, type DetectorOptions } from './detector';
import { cropRegion, landmarksFor } from './landmarks';
import { FaceModelError, loadFaceModels } from './models';
import { computeRegions, faceFrame } from './regions';
import type { RasterImage } from './resample';
import type { FaceResult, Point } from './types';

export { FaceModelError, loadFaceModels };
export type { RasterImage as FaceImage, DetectorOptions };
export * from './types';

/**
 * Detector input sizes run on every image. The tiny detector's anchors span about 12-70% of its input
 * at 416 and 32-180% at 160, so together they cover faces from small ones in a photo up to a face crop
 * that fills the frame (the usual micro-expression clip). Detections of both are merged by NMS.
 */
const PASSES = [416, 160];
/** Largest input of the extra pass for large images (cost grows with its square: ~10 ms at 416, ~60 ms at 1024). */
const MAX_INPUT_SIZE = 1024;

/**
 * Face boxes. When the standard passes find nothing in a large image, one finer pass follows: at 416
 * a face must be ~12% of the image's long side, so an 80 px face in a 1600 px frame needs a ~1024 input.
 */
async function findFaces(img: RasterImage, opts: DetectorOptions): Promise<Detection[]> {
  if (opts.inputSize !== undefined) return detectBoxes(img, opts);
  const all: Detection[] = [];
  for (const inputSize of PASSES) all.push(...(await detectBoxes(img, { ...opts, inputSize })));
  if (all.length > 0) return nonMaxSuppression(all);
  const side = Math.max(img.width, img.height);
  const fine = Math.min(MAX_INPUT_SIZE, Math.ceil(side / 2 / 32) * 32);
  return fine > PASSES[0] ? detectBoxes(img, { ...opts, inputSize: fine }) : [];
}

function checkImage(img: RasterImage): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`invalid image size ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`unsupported channel count ${channels}`);
  if (data.length < width * height * channels) {
    throw new Error(`image data too short: ${data.length} bytes for ${width}x${height}x${channels}`);
  }
}

function toResult(det: Detection, points: Point[]): FaceResult {
  const frame = faceFrame(points);
  return {
    box: det.box,
    score: det.score,
    points,
    nose: { x: points[30][0], y: points[30][1] },
    interOcular: frame.iod,
    regions: computeRegions(points),
  };
}

/** Every face found, largest box first, each with its 68 landmarks and regions. */
export async function detectFaces(img: RasterImage, opts: DetectorOptions = {}): Promise<FaceResult[]> {
  checkImage(img);
  const dets = (await findFaces(img, opts)).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const usable = dets
    .map((d) => ({ d, r: cropRegion(d.box, img.width, img.height) }))
    .filter((x): x is { d: Detection; r: NonNullable<typeof x.r> } => x.r !== null);
  const points = await landmarksFor(img, usable.map((u) => u.r));
  return usable.map((u, i) => toResult(u.d, points[i]));
}

/** The largest face (by box area), or null when there is none. */
export async function detectFace(img: RasterImage, opts: DetectorOptions = {}): Promise<FaceResult | null> {
  checkImage(img);
  const dets = (await findFaces(img, opts)).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  for (const d of dets) {
    const r = cropRegion(d.box, img.width, img.height);
    if (r) return toResult(d, (await landmarksFor(img, [r]))[0]);
  }
  return null;
}
