// Face boxes for detectFace / detectFaces: face-api's tiny face detector at two input sizes, a finer pass for
// large images, and a padded pass for face-filling crops. Measured on the labelled face set (docs/face-set.md).
import { clipBox, detectBoxes, nonMaxSuppression, type Detection, type DetectorOptions } from './detector';
import type { RasterImage } from './resample';

/**
 * Detector input sizes run on every image. The tiny detector's anchors span about 12-70% of its input
 * at 416 and 32-180% at 160, so together they cover faces from small ones in a photo up to a face crop
 * that fills the frame. Detections of both are merged by NMS.
 */
const PASSES = [416, 160];
/** Largest input of the extra pass for large images (cost grows with its square: ~10 ms at 416, ~60 ms at 1024). */
const MAX_INPUT_SIZE = 1024;
/**
 * Side of the padded canvas, in long sides of the image, for the padded pass. A face that fills the frame (a
 * CASME-like 280 x 340 crop) lies outside the tiny detector's training distribution, faces with background
 * around them: the plain passes missed 16 of the 20 grey face-filling crops of the face set. Centred on a black
 * canvas twice its long side, the same face is half the input wide, and the detector finds it (docs/face-set.md).
 */
export const PAD_FACTOR = 2;

/** The image centred on a black square canvas `factor` times its long side (grey stays grey: one channel). */
export function padImage(img: RasterImage, factor: number): { image: RasterImage; dx: number; dy: number } {
  const side = Math.ceil(Math.max(img.width, img.height) * factor);
  const dx = Math.floor((side - img.width) / 2);
  const dy = Math.floor((side - img.height) / 2);
  const c = img.channels;
  const data = new Uint8Array(side * side * c);
  for (let y = 0; y < img.height; y++) {
    data.set(img.data.subarray(y * img.width * c, (y + 1) * img.width * c), ((y + dy) * side + dx) * c);
  }
  return { image: { width: side, height: side, channels: c, data }, dx, dy };
}

async function standardPasses(img: RasterImage, opts: DetectorOptions): Promise<Detection[]> {
  const all: Detection[] = [];
  for (const inputSize of PASSES) all.push(...(await detectBoxes(img, { ...opts, inputSize })));
  return nonMaxSuppression(all);
}

/**
 * Face boxes, in image pixels. When the standard passes find nothing: in a large image one finer pass (at 416
 * a face must be ~12% of the image's long side, so an 80 px face in a 1600 px frame needs a ~1024 input); in
 * an image that is not large, the standard passes on the padded image (a face filling the frame). An image
 * where the standard passes find a face is handled exactly as before.
 */
/** `padFactor` 0 turns the padded pass off (the measurement compares with and without). */
export async function findFaces(img: RasterImage, opts: DetectorOptions, padFactor = PAD_FACTOR): Promise<Detection[]> {
  if (opts.inputSize !== undefined) return detectBoxes(img, opts);
  const found = await standardPasses(img, opts);
  if (found.length > 0) return found;
  const side = Math.max(img.width, img.height);
  const fine = Math.min(MAX_INPUT_SIZE, Math.ceil(side / 2 / 32) * 32);
  if (fine > PASSES[0]) return detectBoxes(img, { ...opts, inputSize: fine });
  if (padFactor <= 1) return [];
  const { image, dx, dy } = padImage(img, padFactor);
  return (await standardPasses(image, opts))
    .map((d) => ({ ...d, box: clipBox({ ...d.box, x: d.box.x - dx, y: d.box.y - dy }, img.width, img.height) }))
    .filter((d) => d.box.width >= 1 && d.box.height >= 1);
}
