// Whole-face rigid motion between onset and apex, estimated jointly with a global gain and offset:
//   apex(W(p)) = gain * onset(p) + offset,  W(p) = p + t + [a -b; b a] (p - c)   (similarity: shift, roll, scale)
// by robust Gauss-Newton (Lucas-Kanade with a photometric term; Huber weights, so the few pixels an
// expression moves do not drag the estimate), coarse to fine over a 3-level pyramid.
// Why: the photometric estimate compares the frames pixel for pixel, and a head that moved by a pixel
// changes every textured cell; with this warp the comparison is made where each face point went. The
// photometric term is what keeps a lighting change from being read as motion here (unlike TV-L1).
import type { GreyImage } from '../native';
import { selectInPlace } from './select';

export interface RigidBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface RigidMotion {
  /** Shift of the box centre, px (x right, y down). */
  tx: number;
  ty: number;
  /** Similarity terms: a = scale - 1 (about), b = roll in radians (about). */
  a: number;
  b: number;
  /** Centre of the similarity (the box centre), px. */
  cx: number;
  cy: number;
  gain: number;
  offset: number;
}

export const IDENTITY_RIGID: Readonly<RigidMotion> = Object.freeze({ tx: 0, ty: 0, a: 0, b: 0, cx: 0, cy: 0, gain: 1, offset: 0 });

/** Where the onset point (x, y) lies in the apex under `m`. */
export function warpPoint(m: RigidMotion, x: number, y: number): [number, number] {
  const dx = x - m.cx;
  const dy = y - m.cy;
  return [x + m.tx + m.a * dx - m.b * dy, y + m.ty + m.b * dx + m.a * dy];
}

interface Level {
  w: number;
  h: number;
  d: Float32Array;
}

function toLevel(img: GreyImage): Level {
  return { w: img.width, h: img.height, d: Float32Array.from(img.data) };
}

/** 2x2 box downsampling. */
function half(l: Level): Level {
  const w = Math.max(1, l.w >> 1);
  const h = Math.max(1, l.h >> 1);
  const d = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const x0 = Math.min(2 * x, l.w - 1);
      const y0 = Math.min(2 * y, l.h - 1);
      const x1 = Math.min(x0 + 1, l.w - 1);
      const y1 = Math.min(y0 + 1, l.h - 1);
      d[y * w + x] = 0.25 * (l.d[y0 * l.w + x0] + l.d[y0 * l.w + x1] + l.d[y1 * l.w + x0] + l.d[y1 * l.w + x1]);
    }
  return { w, h, d };
}

/**
 * Solve M t = r (n x n, row-major) by Gaussian elimination with partial pivoting; null when singular.
 * Shared with photometric.ts (its 7-parameter lighting fit).
 */
export function solveLinear(M: Float64Array, r: Float64Array, n: number, tiny = 1e-12): Float64Array | null {
  const a = Float64Array.from(M);
  const b = Float64Array.from(r);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    if (Math.abs(a[p * n + k]) < tiny) return null;
    if (p !== k) {
      for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j], a[k * n + j]];
      [b[k], b[p]] = [b[p], b[k]];
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / a[k * n + k];
      if (f === 0) continue;
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
      b[i] -= f * b[k];
    }
  }
  const t = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= a[i * n + j] * t[j];
    t[i] = s / a[i * n + i];
  }
  return t;
}

/**
 * Rigid (similarity) motion of the face box onset -> apex with a global gain/offset. Cost: a few passes over
 * the box at three scales (~2-4 ms for a 200 px face).
 */
export function alignRigid(onset: GreyImage, apex: GreyImage, box: RigidBox): RigidMotion {
  const levels: { o: Level; p: Level; s: number }[] = [{ o: toLevel(onset), p: toLevel(apex), s: 1 }];
  while (levels.length < 3 && Math.min(box.x1 - box.x0, box.y1 - box.y0) / (levels[levels.length - 1].s * 2) >= 24) {
    const last = levels[levels.length - 1];
    levels.push({ o: half(last.o), p: half(last.p), s: last.s * 2 });
  }
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  // Parameters at full resolution: tx, ty, a, b, gain, offset.
  let tx = 0;
  let ty = 0;
  let A = 0;
  let B = 0;
  let gain = 1;
  let offset = 0;
  for (let li = levels.length - 1; li >= 0; li--) {
    const { o, p, s } = levels[li];
    const bx0 = Math.ceil(box.x0 / s);
    const by0 = Math.ceil(box.y0 / s);
    const bx1 = Math.floor(box.x1 / s);
    const by1 = Math.floor(box.y1 / s);
    const step = Math.max(1, Math.round(Math.sqrt(((bx1 - bx0) * (by1 - by0)) / 6000))); // <= ~6k samples per pass
    const ccx = cx / s;
    const ccy = cy / s;
    const abs = new Float64Array(Math.ceil((by1 - by0) / step) * Math.ceil((bx1 - bx0) / step) + 1);
    const M = new Float64Array(36);
    const v = new Float64Array(6);
    const { w: pw, d: pd } = p;
    const { w: ow, d: od } = o;
    const xmax = pw - 1.001;
    const ymax = p.h - 1.001;
    let huber = 8 * 1.345;
    for (let it = 0; it < 8; it++) {
      // The normal equations' upper triangle and right-hand side as scalars (the hot loop: ~20k samples a
      // pass); the same products, summed in the same order, as the row-by-row loops they replace.
      let m00 = 0, m01 = 0, m02 = 0, m03 = 0, m04 = 0, m05 = 0;
      let m11 = 0, m12 = 0, m13 = 0, m14 = 0, m15 = 0;
      let m22 = 0, m23 = 0, m24 = 0, m25 = 0;
      let m33 = 0, m34 = 0, m35 = 0;
      let m44 = 0, m45 = 0;
      let m55 = 0;
      let v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0;
      let n = 0;
      const txs = tx / s;
      const tys = ty / s;
      for (let y = by0; y < by1; y += step) {
        for (let x = bx0; x < bx1; x += step) {
          const dx = x - ccx;
          const dy = y - ccy;
          // sample(p, ...) written out: bilinear value and gradient, borders clamped.
          const sx = x + txs + A * dx - B * dy;
          const sy = y + tys + B * dx + A * dy;
          const cx0 = Math.min(Math.max(sx, 0), xmax);
          const cy0 = Math.min(Math.max(sy, 0), ymax);
          const x0 = Math.floor(cx0);
          const y0 = Math.floor(cy0);
          const fx = cx0 - x0;
          const fy = cy0 - y0;
          const x1 = Math.min(x0 + 1, pw - 1);
          const y1 = Math.min(y0 + 1, p.h - 1);
          const pa = pd[y0 * pw + x0];
          const pb = pd[y0 * pw + x1];
          const pc = pd[y1 * pw + x0];
          const pdd = pd[y1 * pw + x1];
          const val = (pa * (1 - fx) + pb * fx) * (1 - fy) + (pc * (1 - fx) + pdd * fx) * fy;
          const gx = (pb - pa) * (1 - fy) + (pdd - pc) * fy;
          const gy = (pc - pa) * (1 - fx) + (pdd - pb) * fx;
          const on = od[y * ow + x];
          const r = val - gain * on - offset;
          const ar = Math.abs(r);
          abs[n++] = ar;
          const w = ar <= huber ? 1 : huber / ar;
          // d r / d (tx/s, ty/s, A, B, gain, offset)
          const J0 = gx;
          const J1 = gy;
          const J2 = gx * dx + gy * dy;
          const J3 = -gx * dy + gy * dx;
          const J4 = -on;
          const J5 = -1;
          const w0 = w * J0;
          const w1 = w * J1;
          const w2 = w * J2;
          const w3 = w * J3;
          const w4 = w * J4;
          const w5 = w * J5;
          v0 -= w0 * r;
          m00 += w0 * J0; m01 += w0 * J1; m02 += w0 * J2; m03 += w0 * J3; m04 += w0 * J4; m05 += w0 * J5;
          v1 -= w1 * r;
          m11 += w1 * J1; m12 += w1 * J2; m13 += w1 * J3; m14 += w1 * J4; m15 += w1 * J5;
          v2 -= w2 * r;
          m22 += w2 * J2; m23 += w2 * J3; m24 += w2 * J4; m25 += w2 * J5;
          v3 -= w3 * r;
          m33 += w3 * J3; m34 += w3 * J4; m35 += w3 * J5;
          v4 -= w4 * r;
          m44 += w4 * J4; m45 += w4 * J5;
          v5 -= w5 * r;
          m55 += w5 * J5;
        }
      }
      // Huber scale for the next pass: 1.345 robust sigmas of these residuals (at least 1 grey level).
      huber = 1.345 * Math.max(1, 1.4826 * (n > 0 ? selectInPlace(abs, n, n >> 1) : 8));
      M[0] = m00; M[1] = m01; M[2] = m02; M[3] = m03; M[4] = m04; M[5] = m05;
      M[7] = m11; M[8] = m12; M[9] = m13; M[10] = m14; M[11] = m15;
      M[14] = m22; M[15] = m23; M[16] = m24; M[17] = m25;
      M[21] = m33; M[22] = m34; M[23] = m35;
      M[28] = m44; M[29] = m45;
      M[35] = m55;
      v[0] = v0; v[1] = v1; v[2] = v2; v[3] = v3; v[4] = v4; v[5] = v5;
      for (let i = 0; i < 6; i++) for (let k = 0; k < i; k++) M[i * 6 + k] = M[k * 6 + i];
      const d = solveLinear(M, v, 6, 1e-9);
      if (!d) break;
      tx += d[0] * s;
      ty += d[1] * s;
      A += d[2];
      B += d[3];
      gain += d[4];
      offset += d[5];
      if (Math.abs(d[0]) < 0.005 && Math.abs(d[1]) < 0.005 && Math.abs(d[2]) < 1e-5 && Math.abs(d[3]) < 1e-5) break;
    }
  }
  return { tx, ty, a: A, b: B, cx, cy, gain, offset };
}

/**
 * The rigid (similarity) part of a dense flow over the face box: shift, roll and scale fitted to the flow
 * vectors by robust least squares (Tukey biweight), so the local pulls of an expression, a minority of the
 * face's pixels, do not bend it. What is left after subtracting it is the face's non-rigid motion: with only
 * the nose-tip shift removed (the MMC-Map's compensation), a 0.8 degree head roll alone moves a brow or a
 * lip corner 80 px from the nose by over a pixel.
 */
export function fitRigidToFlow(flow: { width: number; height: number; u: Float32Array; v: Float32Array }, box: RigidBox): RigidMotion {
  const { width, u, v } = flow;
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const step = Math.max(1, Math.round(Math.sqrt(((box.x1 - box.x0) * (box.y1 - box.y0)) / 12000)));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = box.y0; y < box.y1; y += step) for (let x = box.x0; x < box.x1; x += step) (xs.push(x), ys.push(y));
  const n = xs.length;
  const w = new Float64Array(n).fill(1);
  const res = new Float64Array(n);
  let p: Float64Array = new Float64Array(4); // tx, ty, a, b
  for (let it = 0; it < 10 && n >= 8; it++) {
    const M = new Float64Array(16);
    const r = new Float64Array(4);
    for (let i = 0; i < n; i++) {
      if (w[i] === 0) continue;
      const dx = xs[i] - cx;
      const dy = ys[i] - cy;
      const q = ys[i] * width + xs[i];
      // Rows for u: [1, 0, dx, -dy]; for v: [0, 1, dy, dx].
      const ju = [1, 0, dx, -dy];
      const jv = [0, 1, dy, dx];
      for (let j = 0; j < 4; j++) {
        r[j] += w[i] * (ju[j] * u[q] + jv[j] * v[q]);
        for (let k = 0; k < 4; k++) M[j * 4 + k] += w[i] * (ju[j] * ju[k] + jv[j] * jv[k]);
      }
    }
    const t = solveLinear(M, r, 4, 1e-9);
    if (!t) break;
    p = t;
    for (let i = 0; i < n; i++) {
      const dx = xs[i] - cx;
      const dy = ys[i] - cy;
      const q = ys[i] * width + xs[i];
      res[i] = Math.hypot(u[q] - (p[0] + p[2] * dx - p[3] * dy), v[q] - (p[1] + p[3] * dx + p[2] * dy));
    }
    const sorted = Float64Array.from(res).sort();
    // Scale floor 0.05 px: a clean rigid flow would otherwise give every pixel a zero weight but the exact ones.
    const c = 4.685 * Math.max(0.05, 1.4826 * sorted[n >> 1]);
    for (let i = 0; i < n; i++) w[i] = res[i] >= c ? 0 : (1 - (res[i] / c) ** 2) ** 2;
  }
  return { tx: p[0], ty: p[1], a: p[2], b: p[3], cx, cy, gain: 1, offset: 0 };
}
