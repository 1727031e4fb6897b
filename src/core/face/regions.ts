// Named facial regions (FACS-oriented) as polygons derived from the 68 iBUG 300-W points.
//
// Geometry: every offset is measured in a face frame so that regions follow head roll and scale:
//   ex  = unit vector from the subject's right eye centre (mean of 36-41, image left) to the left eye
//         centre (mean of 42-47); up = ex turned 90 degrees towards the top of the face;
//   iod = inter-ocular distance (between those eye centres). shift(p, a, b) = p + a*iod*ex + b*iod*up.
//   "out" is the lateral direction of the side (-ex for the subject's right, +ex for the left).
// Indices (0-based) for the subject's RIGHT side are given; the LEFT side uses the mirrored indices
// (17-21 <-> 26-22, 36-41 <-> 45-42,47,46, 31/32 <-> 35/34, 48-50 <-> 54-52, 59/58 <-> 55/56, jaw k <-> 16-k).
//   forehead      : brow line 17..26 raised 0.1 iod, closed by 17, 19, 24, 26 raised 0.7-0.8 iod
//                   (extrapolated: the 68 points have nothing above the brows).
//   outerBrow     : band +-0.1 iod around brow points 17, 18, 19.
//   innerBrow     : band +-0.1 iod around brow points 19, 20, 21 (AU1 / AU4 area).
//   upperEyelid   : upper lid 36, 37, 38, 39 and the same points raised 0.12 iod (the lid fold).
//   lowerEyelid   : lower lid 39, 40, 41, 36 and the same points lowered 0.12 iod.
//   cheek         : from the lowered lower-lid line (36, 41, 40, 39 lowered 0.12 iod) down the side of the
//                   nose (29 and 31, moved out 0.12 iod) to above the lip corner (48 raised 0.25 iod, out
//                   0.15) and back up the jaw line (points 2 and 1 moved in 0.1 iod) (AU6 area).
//   noseWing      : nose side between bridge point 29, tip 30, nostril 32, wing 31, and 31 moved out 0.08 iod
//                   and up 0.15 iod (the ala; AU9 / AU38 area).
//   nasolabial    : band from beside the nose wing (31 out 0.08-0.22 iod) down to beside the lip corner
//                   (48 out 0.05-0.2 iod) (the nasolabial fold, AU11 / AU12 area).
//   lipCorner     : octagon of radius 0.13 iod around lip corner 48 (AU12 / AU15 / AU14 area).
//   upperLip      : outer upper lip 48..54 and inner upper lip 64..60 (AU10 area).
//   lowerLip      : outer lower lip 54..59, 48 and inner lower lip 60, 67..64 (AU16 area).
//   chin          : jaw 6..10 and lower-lip outline 55..59 lowered 0.1 iod (AU17 area).
import type { Point, Polygon, RegionName } from './types';

type Side = 'R' | 'L';

/** Mirror index map (subject's right -> left). */
const MIRROR: Record<number, number> = {};
for (let k = 0; k <= 16; k++) MIRROR[k] = 16 - k;
[[17, 26], [18, 25], [19, 24], [20, 23], [21, 22], [31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42],
  [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [59, 55], [58, 56], [60, 64], [61, 63], [67, 65]].forEach(
  ([r, l]) => {
    MIRROR[r] = l;
    MIRROR[l] = r;
  },
);
for (const k of [27, 28, 29, 30, 33, 51, 57, 62, 66, 8]) MIRROR[k] = k;

export interface FaceFrame {
  ex: Point;
  up: Point;
  iod: number;
  eyeR: Point;
  eyeL: Point;
}

function mean(pts: Point[], from: number, to: number): Point {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += pts[i][0];
    y += pts[i][1];
  }
  const n = to - from + 1;
  return [x / n, y / n];
}

export function faceFrame(pts: Point[]): FaceFrame {
  const eyeR = mean(pts, 36, 41);
  const eyeL = mean(pts, 42, 47);
  const dx = eyeL[0] - eyeR[0];
  const dy = eyeL[1] - eyeR[1];
  const iod = Math.hypot(dx, dy);
  const ex: Point = iod > 0 ? [dx / iod, dy / iod] : [1, 0];
  // Image y points down: turning ex = (1, 0) towards the top of the face gives (0, -1).
  const up: Point = [ex[1], -ex[0]];
  return { ex, up, iod, eyeR, eyeL };
}

export function computeRegions(pts: Point[]): Record<RegionName, Polygon> {
  const f = faceFrame(pts);
  const shift = (p: Point, a: number, b: number): Point => [
    p[0] + (a * f.ex[0] + b * f.up[0]) * f.iod,
    p[1] + (a * f.ex[1] + b * f.up[1]) * f.iod,
  ];
  const sided = (side: Side) => {
    const P = (i: number): Point => pts[side === 'R' ? i : MIRROR[i]];
    const o = side === 'R' ? -1 : 1; // lateral sign along ex
    /** p moved `out` iod laterally and `upBy` iod up. */
    const m = (i: number, out: number, upBy: number): Point => shift(P(i), o * out, upBy);
    const band = (idx: number[], half: number): Polygon => [
      ...idx.map((i) => m(i, 0, half)),
      ...[...idx].reverse().map((i) => m(i, 0, -half)),
    ];
    const lipCorner: Polygon = [];
    for (let k = 0; k < 8; k++) {
      const t = (k * Math.PI) / 4;
      lipCorner.push(m(48, 0.13 * Math.cos(t), 0.13 * Math.sin(t)));
    }
    return {
      outerBrow: band([17, 18, 19], 0.1),
      innerBrow: band([19, 20, 21], 0.1),
      upperEyelid: [P(36), P(37), P(38), P(39), m(39, 0, 0.12), m(38, 0, 0.12), m(37, 0, 0.12), m(36, 0, 0.12)],
      lowerEyelid: [P(39), P(40), P(41), P(36), m(36, 0, -0.12), m(41, 0, -0.12), m(40, 0, -0.12), m(39, 0, -0.12)],
      cheek: [m(36, 0, -0.12), m(41, 0, -0.12), m(40, 0, -0.12), m(39, 0, -0.12), m(29, 0.12, 0), m(31, 0.12, 0),
        m(48, 0.15, 0.25), m(2, -0.1, 0), m(1, -0.1, 0)],
      noseWing: [P(29), P(30), P(32), P(31), m(31, 0.08, 0), m(31, 0.08, 0.15)],
      nasolabial: [m(31, 0.08, 0), m(31, 0.22, 0), m(48, 0.2, 0), m(48, 0.05, 0)],
      lipCorner,
    };
  };
  const R = sided('R');
  const L = sided('L');
  const brow = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26].map((i) => shift(pts[i], 0, 0.1));
  const idx = (list: number[]): Polygon => list.map((i) => pts[i]);
  return {
    forehead: [...brow, shift(pts[26], 0, 0.7), shift(pts[24], 0, 0.8), shift(pts[19], 0, 0.8), shift(pts[17], 0, 0.7)],
    innerBrowL: L.innerBrow,
    innerBrowR: R.innerBrow,
    outerBrowL: L.outerBrow,
    outerBrowR: R.outerBrow,
    upperEyelidL: L.upperEyelid,
    upperEyelidR: R.upperEyelid,
    lowerEyelidL: L.lowerEyelid,
    lowerEyelidR: R.lowerEyelid,
    cheekL: L.cheek,
    cheekR: R.cheek,
    noseWingL: L.noseWing,
    noseWingR: R.noseWing,
    nasolabialL: L.nasolabial,
    nasolabialR: R.nasolabial,
    lipCornerL: L.lipCorner,
    lipCornerR: R.lipCorner,
    upperLip: idx([48, 49, 50, 51, 52, 53, 54, 64, 63, 62, 61, 60]),
    lowerLip: idx([54, 55, 56, 57, 58, 59, 48, 60, 67, 66, 65, 64]),
    chin: [...idx([6, 7, 8, 9, 10]), ...[55, 56, 57, 58, 59].map((i) => shift(pts[i], 0, -0.1))],
  };
}
