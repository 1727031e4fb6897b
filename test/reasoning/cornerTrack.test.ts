// The lip-corner window fit (src/core/reasoning/cornerTrack.ts) on frames with a known motion: a textured
// pattern shifted by a known sub-pixel vector (sampled analytically, so no interpolation error is planted),
// a rigid head motion that must come off, noise, and a window with only one edge direction, which must
// give no answer rather than a guess.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GreyImage } from '../../src/core/native';
import type { Point } from '../../src/core/face/types';
import { trackLipCorners } from '../../src/core/reasoning/cornerTrack';
import type { RigidMotion } from '../../src/core/reasoning/rigidAlign';
import { rng, gaussian } from '../support/rng';

const W = 200;
const H = 160;
const textured = (x: number, y: number) => 128 + 40 * Math.sin(0.31 * x + 0.17 * y) + 30 * Math.cos(0.23 * y - 0.11 * x) + 20 * Math.sin(0.47 * x) * Math.cos(0.37 * y);
const stripes = (_x: number, y: number) => 128 + 60 * Math.sin(0.4 * y);

/** Frame of `f` where the content at q came from q - d(q) (d = the motion field). */
function frame(f: (x: number, y: number) => number, d: (x: number, y: number) => [number, number] = () => [0, 0], noise = 0, seed = 1): GreyImage {
  const r = rng(seed);
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [du, dv] = d(x, y);
      const v = f(x - du, y - dv) + noise * gaussian(r);
      data[y * W + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width: W, height: H, data };
}

/** 68 points with the lip corners (48: subject's right = image left, 54) where given. */
function points(r: Point, l: Point): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, () => [W / 2, H / 2] as Point);
  pts[48] = r;
  pts[54] = l;
  return pts;
}

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a.toFixed(3)} vs ${b.toFixed(3)}`);

test('a known sub-pixel shift of each corner is recovered (window of 0.15 inter-ocular distances)', () => {
  const R: Point = [60, 90];
  const L: Point = [140, 92];
  // Each corner moves by its own vector, fading with distance (like an action on one corner).
  const move = (c: Point, u: number, v: number) => (x: number, y: number): [number, number] => {
    const g = Math.exp(-((x - c[0]) ** 2 + (y - c[1]) ** 2) / (2 * 20 ** 2));
    return [u * g, v * g];
  };
  const mr = move(R, -0.8, 0.15);
  const ml = move(L, 0.6, -0.12);
  const onset = frame(textured);
  const apex = frame(textured, (x, y) => {
    const a = mr(x, y);
    const b = ml(x, y);
    return [a[0] + b[0], a[1] + b[1]];
  });
  const t = trackLipCorners(points(R, L), 80, onset, apex);
  assert.ok(t.R && t.L);
  // The window (half 12 px, Gaussian weights) averages the fading field a little below its peak.
  near(t.R.u, -0.8, 0.12, 'R u');
  near(t.R.v, 0.15, 0.05, 'R v');
  near(t.L.u, 0.6, 0.1, 'L u');
  near(t.L.v, -0.12, 0.05, 'L v');
  // The direction is what the reasoner reads: within 3 degrees.
  const ang = (u: number, v: number) => (Math.atan2(v, u) * 180) / Math.PI;
  near(ang(t.R.u, t.R.v), ang(-0.8, 0.15), 3, 'R angle');
  near(ang(t.L.u, t.L.v), ang(0.6, -0.12), 3, 'L angle');
});

test('the face rigid motion is taken off: a still corner on a moving head reads ~0', () => {
  const R: Point = [60, 90];
  const L: Point = [140, 92];
  // Shift (1.2, -0.7) and a 0.5 degree roll about the frame centre.
  const rigid: RigidMotion = { tx: 1.2, ty: -0.7, a: 0, b: (0.5 * Math.PI) / 180, cx: W / 2, cy: H / 2 } as RigidMotion;
  const head = (x: number, y: number): [number, number] => {
    const dx = x - rigid.cx;
    const dy = y - rigid.cy;
    return [rigid.tx - rigid.b * dy, rigid.ty + rigid.b * dx];
  };
  const t = trackLipCorners(points(R, L), 80, frame(textured), frame(textured, head), rigid);
  assert.ok(t.R && t.L);
  for (const c of [t.R, t.L]) assert.ok(Math.hypot(c.u, c.v) < 0.06, `still corner read ${c.u.toFixed(3)}, ${c.v.toFixed(3)}`);
});

test('sensor noise: the vertical part of a sideways corner pull keeps its sign', () => {
  const R: Point = [60, 90];
  const L: Point = [140, 92];
  const onset = frame(textured, undefined, 2, 3);
  // A dimpler-like pull: sideways (out = image left for the subject's right corner) and a little up.
  const apex = frame(textured, () => [-0.9, -0.14], 2, 4);
  const t = trackLipCorners(points(R, L), 80, onset, apex);
  assert.ok(t.R);
  assert.ok(t.R.v < 0, `up part lost: v = ${t.R.v.toFixed(3)}`);
  near(t.R.u, -0.9, 0.1, 'R u');
});

test('a window with one edge direction only (aperture) gives no answer, and so does one off the frame', () => {
  const t = trackLipCorners(points([60, 90], [196, 92]), 80, frame(stripes), frame(stripes, () => [0.5, 0.2]));
  assert.equal(t.R, null);
  assert.equal(t.L, null);
  assert.deepEqual(trackLipCorners([], 80, frame(textured), frame(textured)), { R: null, L: null });
});
