// 68-point landmarks with face-api's FaceLandmark68Net (ONNX) on a face box: the box is cropped, padded
// to a centred square, resampled to 112 x 112, and the net's relative outputs mapped back to the image.
import { LANDMARK_FILE, session } from './models';
import { resampleSquare, squareLayout, type RasterImage, type Region } from './resample';
import type { FaceBox, Point } from './types';

export const LANDMARK_INPUT_SIZE = 112;

/** Integer crop of a (float) box inside the image, as face-api's clipAtImageBorders().floor(). */
export function cropRegion(box: FaceBox, width: number, height: number): Region | null {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const w = Math.min(Math.floor(box.x + box.width), width) - x;
  const h = Math.min(Math.floor(box.y + box.height), height) - y;
  return w >= 2 && h >= 2 ? { x, y, width: w, height: h } : null;
}

/** Landmarks for several face boxes of one image, one net run (batched). */
export async function landmarksFor(img: RasterImage, regions: Region[]): Promise<Point[][]> {
  if (regions.length === 0) return [];
  const n = LANDMARK_INPUT_SIZE;
  const batch = new Float32Array(regions.length * n * n * 3);
  const layouts = regions.map((r, i) => {
    const layout = squareLayout(r.width, r.height, true);
    batch.set(resampleSquare(img, r, layout, n), i * n * n * 3);
    return layout;
  });
  const ort = await import('onnxruntime-node');
  const s = await session(LANDMARK_FILE);
  const out = (await s.run({ input: new ort.Tensor('float32', batch, [regions.length, n, n, 3]) })).landmarks
    .data as Float32Array;
  return regions.map((r, i) => {
    const { side, padLeft, padTop } = layouts[i];
    const pts: Point[] = [];
    for (let k = 0; k < 68; k++) {
      const rx = out[i * 136 + 2 * k];
      const ry = out[i * 136 + 2 * k + 1];
      pts.push([r.x + rx * side - padLeft, r.y + ry * side - padTop]);
    }
    return pts;
  });
}
