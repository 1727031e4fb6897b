// 68-point landmarks with face-api's FaceLandmark68Net (ONNX) on a face box: the box is cropped, padded
// to a centred square, resampled to 112 x 112, and the net's relative outputs mapped back to the image.
//
// Two refinements over face-api's own pipeline (figures in the README's face section):
// - Pixel convention. The net's outputs, times 112, are input-pixel indices (pixel centres at integers):
//   its predictions on a crop and on the mirrored crop are symmetric about 55.5, not 56 (median over the
//   20 demo-photo faces at 3 scales: 110.98 = 111 - 0.02 for x + mirrored x). Input pixel u covers the
//   source span [side * u / 112, side * (u + 1) / 112), so an output u maps to image index
//   x0 + (u + 0.5) * side / 112 - 0.5. face-api uses x0 + u * side / 112, which is off by half an input
//   pixel minus half an image pixel (~0.8 px down-right on a 300 px face).
// - Mirror test-time augmentation. The net also runs on the horizontally mirrored input (same batch); its
//   points are mirrored back with the iBUG left/right index map and averaged with the direct ones. The net
//   is not mirror-symmetric; averaging cancels that asymmetry and lowers the noise: on the hand-checked
//   fixture faces the eye-centre error fell from 4.0% to 3.0% of the inter-ocular distance (mean of 12),
//   and the nose tip's rms spread under small crop changes from 1.9% to 1.35% (median, demo faces).
//   The result is exactly mirror-equivariant for a mirror-symmetric crop.
import { LANDMARK_FILE, session } from './models';
import { resampleSquare, squareLayout, type RasterImage, type Region } from './resample';
import type { FaceBox, Point } from './types';

export const LANDMARK_INPUT_SIZE = 112;

/**
 * iBUG 300-W 68-point index of each point's mirror partner (0-based): jaw 0..16 reversed (chin 8 fixed), brows 17..21 <->
 * 26..22, nose ridge 27..30 and points 33, 51, 57, 62, 66 on the midline, nostrils 31..35 reversed, eye
 * corners and lids 36..41 <-> 45..42 / 47..46, outer lips 48..54 / 55..59 and inner lips 60..64 / 65..67 reversed.
 */
export const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pair = (a: number, b: number): void => {
    m[a] = b;
    m[b] = a;
  };
  for (let i = 0; i < 8; i++) pair(i, 16 - i);
  for (let i = 0; i < 5; i++) pair(17 + i, 26 - i);
  pair(31, 35);
  pair(32, 34);
  for (const [a, b] of [[36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46]]) pair(a, b);
  for (const [a, b] of [[48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]]) pair(a, b);
  return m;
})();

/** Integer crop of a (float) box inside the image, as face-api's clipAtImageBorders().floor(). */
export function cropRegion(box: FaceBox, width: number, height: number): Region | null {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const w = Math.min(Math.floor(box.x + box.width), width) - x;
  const h = Math.min(Math.floor(box.y + box.height), height) - y;
  return w >= 2 && h >= 2 ? { x, y, width: w, height: h } : null;
}

/** Left-right mirror of an n x n NHWC RGB tensor, written into `dst` at `offset`. */
function mirrorInto(src: Float32Array, n: number, dst: Float32Array, offset: number): void {
  for (let y = 0; y < n; y++) {
    const row = y * n * 3;
    for (let x = 0; x < n; x++) {
      const s = row + (n - 1 - x) * 3;
      const d = offset + row + x * 3;
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
    }
  }
}

/** Landmarks for several face boxes of one image, one net run (batched: each crop and its mirror). */
export async function landmarksFor(img: RasterImage, regions: Region[]): Promise<Point[][]> {
  if (regions.length === 0) return [];
  const n = LANDMARK_INPUT_SIZE;
  const size = n * n * 3;
  const batch = new Float32Array(2 * regions.length * size);
  const layouts = regions.map((r, i) => {
    const layout = squareLayout(r.width, r.height, true);
    const input = resampleSquare(img, r, layout, n);
    batch.set(input, 2 * i * size);
    mirrorInto(input, n, batch, (2 * i + 1) * size);
    return layout;
  });
  const ort = await import('onnxruntime-node');
  const s = await session(LANDMARK_FILE);
  const out = (await s.run({ input: new ort.Tensor('float32', batch, [2 * regions.length, n, n, 3]) })).landmarks
    .data as Float32Array;
  return regions.map((r, i) => {
    const { side, padLeft, padTop } = layouts[i];
    const scale = side / n;
    const direct = 2 * i * 136;
    const mirrored = (2 * i + 1) * 136;
    const pts: Point[] = [];
    for (let k = 0; k < 68; k++) {
      const j = MIRROR_68[k];
      // Input-pixel coordinates (centres at integers); the mirrored run's partner point reflected about (n - 1) / 2.
      const u = (out[direct + 2 * k] * n + (n - 1 - out[mirrored + 2 * j] * n)) / 2;
      const v = (out[direct + 2 * k + 1] * n + out[mirrored + 2 * j + 1] * n) / 2;
      pts.push([r.x - padLeft + (u + 0.5) * scale - 0.5, r.y - padTop + (v + 0.5) * scale - 0.5]);
    }
    return pts;
  });
}
