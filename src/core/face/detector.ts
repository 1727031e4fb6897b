// Face detection with face-api's TinyFaceDetector (ONNX): preprocessing, YOLO-grid decoding and
// non-maximum suppression as in face-api's TinyYolov2Base.detect / extractBoxes / nonMaxSuppression.
import { DETECTOR_FILE, session } from './models';
import { resampleSquare, squareLayout, type RasterImage } from './resample';
import type { FaceBox } from './types';

/** tinyFaceDetector/const.ts BOX_ANCHORS, in grid cells. */
const ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const IOU_THRESHOLD = 0.4;

export interface DetectorOptions {
  /** Side of the square net input, a multiple of 32 (face-api default 416). */
  inputSize?: number;
  /** Minimum objectness (face-api default 0.5). */
  scoreThreshold?: number;
}

export interface Detection {
  box: FaceBox;
  score: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Greedy NMS, highest score first (face-api ops/nonMaxSuppression). */
export function nonMaxSuppression(dets: Detection[], threshold = IOU_THRESHOLD): Detection[] {
  const rest = [...dets].sort((a, b) => b.score - a.score);
  const keep: Detection[] = [];
  while (rest.length > 0) {
    const cur = rest.shift() as Detection;
    keep.push(cur);
    for (let i = rest.length - 1; i >= 0; i--) if (iou(cur.box, rest[i].box) > threshold) rest.splice(i, 1);
  }
  return keep;
}

/**
 * Decodes the [cells, cells, 5 anchors x 5] grid into boxes in image pixels; `side` is the padded
 * square's side in image pixels (the grid covers the square, the image sits at its top-left).
 */
export function decodeGrid(grid: Float32Array, cells: number, side: number, threshold: number): Detection[] {
  const out: Detection[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let a = 0; a < ANCHORS.length; a++) {
        const o = ((row * cells + col) * ANCHORS.length + a) * 5;
        const score = sigmoid(grid[o + 4]);
        if (score <= threshold) continue;
        const cx = (col + sigmoid(grid[o])) / cells;
        const cy = (row + sigmoid(grid[o + 1])) / cells;
        const w = (Math.exp(grid[o + 2]) * ANCHORS[a][0]) / cells;
        const h = (Math.exp(grid[o + 3]) * ANCHORS[a][1]) / cells;
        out.push({ box: { x: (cx - w / 2) * side, y: (cy - h / 2) * side, width: w * side, height: h * side }, score });
      }
    }
  }
  return out;
}

/** All faces found at one input size, after NMS, boxes clipped to the image. */
export async function detectBoxes(img: RasterImage, opts: DetectorOptions = {}): Promise<Detection[]> {
  const size = opts.inputSize ?? 416;
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new Error(`detector inputSize ${size} is not a multiple of 32`);
  const threshold = opts.scoreThreshold ?? 0.5;
  const layout = squareLayout(img.width, img.height, false);
  const input = resampleSquare(img, { x: 0, y: 0, width: img.width, height: img.height }, layout, size);
  const ort = await import('onnxruntime-node');
  const s = await session(DETECTOR_FILE);
  const result = await s.run({ input: new ort.Tensor('float32', input, [1, size, size, 3]) });
  const grid = result.grid;
  const cells = grid.dims[1];
  const dets = nonMaxSuppression(decodeGrid(grid.data as Float32Array, cells, layout.side, threshold));
  return dets
    .map((d) => ({ ...d, box: clipBox(d.box, img.width, img.height) }))
    .filter((d) => d.box.width >= 1 && d.box.height >= 1);
}

export function clipBox(b: FaceBox, width: number, height: number): FaceBox {
  const x = Math.max(0, b.x);
  const y = Math.max(0, b.y);
  return { x, y, width: Math.min(b.x + b.width, width) - x, height: Math.min(b.y + b.height, height) - y };
}
