// 68 iBUG points from the MediaPipe face mesh (468 points, ONNX in media/models/face_mesh.onnx, converted by
// scripts/convert-face-models from @vladmandic/human's tfjs model): the alternative to face-api's 68-point
// net, measured against it on the labelled face set (docs/face-set.md).
//
// The mesh is run the way MediaPipe tracks a face: the first pass crops a square around the detector box;
// every later pass crops the ROI MediaPipe derives from the previous landmarks (the landmarks' box in the
// eye-aligned frame, scaled 1.5, rotated so that the outer eye corners 33 and 263 are level). The passes
// after the first no longer see the detector box, so a box that moves or changes size by a few pixels
// barely moves the points; they also straighten rolled heads, which the mesh was trained on.
import { affineCrop, roiToImage, type Roi } from './affineCrop';
import { MESH_FILE, session } from './models';
import type { RasterImage } from './resample';
import type { FaceBox, Point } from './types';

export const MESH_INPUT_SIZE = 192;
const MESH_POINTS = 468;
/** MediaPipe's ROI scale around the landmarks (face_landmark landmarks_to_roi: scale 1.5). */
const ROI_SCALE = 1.5;
/** Mesh passes per face: one from the detector box, then ROI refinements (see docs/face.md for the figures). */
export const MESH_PASSES = 3;

/**
 * Mesh index for each iBUG 300-W point (0-based, subject's right first as in iBUG). Point 30, the nose
 * tip, is mesh vertex 4, just above the vertex MediaPipe names noseTip (1): vertex 1 is the 3-D tip, which
 * projects ~12% of the inter-ocular distance below the 2-D tip hand-labelled on the face set, vertex 4 ~2%
 * (chosen on the set's even half, docs/face-set.md). Eye contours use the lid points at the corners
 * (33 / 133, 362 / 263) and two on each lid, so the iBUG eye centre (mean of 36-41) stays the eye's centre.
 */
export const MESH_TO_68: readonly number[] = [
  // jaw 0-16, subject's right (image left) to left
  127, 234, 93, 132, 58, 136, 150, 176, 152, 400, 379, 365, 288, 361, 323, 454, 356,
  // brows 17-21 (right), 22-26 (left)
  70, 63, 105, 66, 107, 336, 296, 334, 293, 300,
  // nose ridge 27-30, nostrils 31-35
  168, 197, 5, 4, 75, 97, 2, 326, 305,
  // eyes 36-41 (right), 42-47 (left)
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  // outer lips 48-59, inner lips 60-67
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181, 78, 82, 13, 312, 308, 317, 14, 87,
];

/** The first pass's crop: a square 1.5 x the detector box's longer side, upright, on the box centre. */
export function roiFromBox(box: FaceBox): Roi {
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, side: ROI_SCALE * Math.max(box.width, box.height), angle: 0 };
}

/** MediaPipe's landmarks-to-ROI: rotation from eye corner 33 to 263, the points' box in that frame, scaled 1.5. */
export function roiFromMesh(pts: Point[]): Roi {
  const angle = Math.atan2(pts[263][1] - pts[33][1], pts[263][0] - pts[33][0]);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (const [x, y] of pts) {
    const u = x * c + y * s;
    const v = -x * s + y * c;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const mu = (minU + maxU) / 2;
  const mv = (minV + maxV) / 2;
  return { cx: mu * c - mv * s, cy: mu * s + mv * c, side: ROI_SCALE * Math.max(maxU - minU, maxV - minV), angle };
}

/** One mesh pass on several ROIs (one batch): the 468 points of each, in image continuous coordinates. */
async function meshPass(img: RasterImage, rois: Roi[]): Promise<Point[][]> {
  const n = MESH_INPUT_SIZE;
  const size = n * n * 3;
  const batch = new Float32Array(rois.length * size);
  rois.forEach((roi, i) => batch.set(affineCrop(img, roi, n), i * size));
  const ort = await import('onnxruntime-node');
  const s = await session(MESH_FILE);
  const out = (await s.run({ input: new ort.Tensor('float32', batch, [rois.length, n, n, 3]) })).mesh.data as Float32Array;
  return rois.map((roi, i) => {
    const pts: Point[] = [];
    for (let k = 0; k < MESH_POINTS; k++) {
      const o = (i * MESH_POINTS + k) * 3;
      pts.push(roiToImage(roi, n, out[o], out[o + 1]));
    }
    return pts;
  });
}

/** The 468 mesh points (image index coordinates: pixel centres at integers) for each face box. */
export async function meshFor(img: RasterImage, boxes: FaceBox[], passes = MESH_PASSES): Promise<Point[][]> {
  if (boxes.length === 0) return [];
  let rois = boxes.map(roiFromBox);
  let pts: Point[][] = [];
  for (let p = 0; p < passes; p++) {
    pts = await meshPass(img, rois);
    rois = pts.map(roiFromMesh);
  }
  return pts.map((face) => face.map(([x, y]): Point => [x - 0.5, y - 0.5]));
}

/** The iBUG 68 points of a mesh. */
export function meshTo68(mesh: Point[]): Point[] {
  return MESH_TO_68.map((k) => mesh[k]);
}

/** 68 iBUG points for each face box, from the face mesh. */
export async function meshLandmarksFor(img: RasterImage, boxes: FaceBox[], passes = MESH_PASSES): Promise<Point[][]> {
  return (await meshFor(img, boxes, passes)).map(meshTo68);
}

/** Left-right mirror of an image. */
export function mirrorImage(img: RasterImage): RasterImage {
  const { width, height, channels: c } = img;
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * c;
      const d = (y * width + (width - 1 - x)) * c;
      for (let k = 0; k < c; k++) data[d + k] = img.data[s + k];
    }
  }
  return { width, height, channels: c, data };
}

/**
 * 68 iBUG points from the mesh run on the image and on its mirror (the mirrored run's points reflected back, each
 * taking its left/right partner's place, MIRROR_68), averaged: the mirror test-time augmentation the 68-point net
 * gets in landmarks.ts, here for the mesh.
 */
export async function meshMirroredLandmarksFor(img: RasterImage, boxes: FaceBox[], mirror68: readonly number[], passes = MESH_PASSES): Promise<Point[][]> {
  const direct = await meshLandmarksFor(img, boxes, passes);
  const w = img.width;
  const flipped = await meshLandmarksFor(mirrorImage(img), boxes.map((b) => ({ ...b, x: w - b.x - b.width })), passes);
  return direct.map((pts, i) =>
    pts.map(([x, y], k): Point => {
      const [mx, my] = flipped[i][mirror68[k]];
      return [(x + (w - 1 - mx)) / 2, (y + my) / 2];
    }),
  );
}
