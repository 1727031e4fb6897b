// Lip-corner tracking: the corner's own displacement from a Lucas-Kanade fit of a window around it.
//
// Why: the dimpler (AU14) and the lip stretcher (AU20) both pull the corner sideways; FACS tells them apart
// by the small vertical part (AU14 level or a little up, AU20 a little down). The corner's sideways motion
// runs along the lip line, and TV-L1's regularised field reads it there mostly from fine texture: under
// sensor noise and JPEG the lateral part shrinks and a downward part appears (docs/reasoning.md, "Why AU14
// misses"). The corner itself is a two-dimensional feature (the lips meet), so one translation fitted over
// a window around it uses all of that window's gradients at once and is not bent by the lip line alone.
//
// Steps (per corner): the window's start from the face's rigid motion at the corner; inverse-compositional
// Lucas-Kanade for a translation on lightly smoothed grey frames (the apex is the lighting-corrected one);
// the rigid motion subtracted, leaving the corner's own motion.
import type { GreyImage } from '../native';
import type { Point } from '../face/types';
import { warpPoint, type RigidMotion } from './rigidAlign';

export interface CornerMotion {
  /** The corner's own displacement onset -> apex (rigid face motion removed), image px. */
  u: number;
  v: number;
}

export interface LipCornerTracks {
  /** Subject's right corner (iBUG point 48, image left) and left corner (point 54). */
  R: CornerMotion | null;
  L: CornerMotion | null;
}

/** Window half-size in inter-ocular distances (~14 px at 95 px): the corner and the skin just around it. */
const HALF_IOD = 0.15;
const ITERATIONS = 30;
/** Stop when an update moves less than this, px. */
const EPS = 1e-3;

/** 3-tap binomial blur in x and y (JPEG block edges and sensor noise out of the gradients). */
function smooth(img: GreyImage): Float32Array {
  const { width: w, height: h, data } = img;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = data[y * w + Math.max(0, x - 1)];
      const r = data[y * w + Math.min(w - 1, x + 1)];
      tmp[y * w + x] = 0.25 * l + 0.5 * data[y * w + x] + 0.25 * r;
    }
  }
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const dn = Math.min(h - 1, y + 1) * w;
    for (let x = 0; x < w; x++) out[y * w + x] = 0.25 * tmp[up + x] + 0.5 * tmp[y * w + x] + 0.25 * tmp[dn + x];
  }
  return out;
}

function bilinear(a: Float32Array, w: number, h: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const xa = Math.min(w - 1, Math.max(0, x0));
  const xb = Math.min(w - 1, Math.max(0, x0 + 1));
  const ya = Math.min(h - 1, Math.max(0, y0));
  const yb = Math.min(h - 1, Math.max(0, y0 + 1));
  return (1 - fy) * ((1 - fx) * a[ya * w + xa] + fx * a[ya * w + xb]) + fy * ((1 - fx) * a[yb * w + xa] + fx * a[yb * w + xb]);
}

/**
 * Translation of the window of half-size `half` around (cx, cy) from `onset` to `apex`, starting at `init`.
 * null when the window leaves the frame or has no two-dimensional structure to fit.
 */
export function trackWindow(onset: Float32Array, apex: Float32Array, w: number, h: number, cx: number, cy: number, half: number, init: [number, number]): [number, number] | null {
  const x0 = Math.round(cx - half);
  const y0 = Math.round(cy - half);
  const x1 = Math.round(cx + half);
  const y1 = Math.round(cy + half);
  if (x0 < 1 || y0 < 1 || x1 > w - 2 || y1 > h - 2) return null;
  const n = (x1 - x0 + 1) * (y1 - y0 + 1);
  const gx = new Float32Array(n);
  const gy = new Float32Array(n);
  const wt = new Float32Array(n);
  const s2 = 2 * (half / 2) ** 2;
  let hxx = 0;
  let hxy = 0;
  let hyy = 0;
  let k = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++, k++) {
      gx[k] = 0.5 * (onset[y * w + x + 1] - onset[y * w + x - 1]);
      gy[k] = 0.5 * (onset[(y + 1) * w + x] - onset[(y - 1) * w + x]);
      wt[k] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / s2);
      hxx += wt[k] * gx[k] * gx[k];
      hxy += wt[k] * gx[k] * gy[k];
      hyy += wt[k] * gy[k] * gy[k];
    }
  }
  const det = hxx * hyy - hxy * hxy;
  // The smaller eigenvalue of the structure tensor: a window along one edge only cannot fix a 2-D shift.
  const tr = hxx + hyy;
  const minEig = tr / 2 - Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  if (!(minEig > 1e-3 * n)) return null;
  let [du, dv] = init;
  for (let it = 0; it < ITERATIONS; it++) {
    let bx = 0;
    let by = 0;
    k = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++, k++) {
        const e = bilinear(apex, w, h, x + du, y + dv) - onset[y * w + x];
        bx += wt[k] * gx[k] * e;
        by += wt[k] * gy[k] * e;
      }
    }
    const su = (hyy * bx - hxy * by) / det;
    const sv = (hxx * by - hxy * bx) / det;
    du -= su;
    dv -= sv;
    if (Math.hypot(su, sv) < EPS) break;
  }
  return Number.isFinite(du) && Number.isFinite(dv) ? [du, dv] : null;
}

/** Both lip corners' own motion (rigid face motion removed) on the corrected grey pair. */
export function trackLipCorners(points: readonly Point[], interOcular: number, onset: GreyImage, apex: GreyImage, rigid?: RigidMotion): LipCornerTracks {
  if (points.length < 68 || onset.width !== apex.width || onset.height !== apex.height) return { R: null, L: null };
  const { width: w, height: h } = onset;
  const o = smooth(onset);
  const a = smooth(apex);
  const half = Math.max(4, Math.round(HALF_IOD * interOcular));
  const one = (p: Point): CornerMotion | null => {
    const [x, y] = p;
    const [rx, ry] = rigid ? warpPoint(rigid, x, y) : [x, y];
    const base: [number, number] = [rx - x, ry - y];
    const t = trackWindow(o, a, w, h, x, y, half, base);
    return t ? { u: t[0] - base[0], v: t[1] - base[1] } : null;
  };
  return { R: one(points[48]), L: one(points[54]) };
}
