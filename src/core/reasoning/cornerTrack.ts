// Lip-corner tracking: the corner's own displacement from a Lucas-Kanade fit of a window around it.
//
// Why: the dimpler (AU14) and the lip stretcher (AU20) both pull the corner sideways; FACS tells them apart
// by the small vertical part (AU14 level or a little up, AU20 a little down). The corner's sideways motion
// runs along the lip line, and TV-L1's regularised field reads it there mostly from fine texture: under
// sensor noise and JPEG the lateral part shrinks and a downward part appears (docs/reasoning.md, "Why the
// flow misread AU14"). The corner itself is a two-dimensional feature (the lips meet), so one translation fitted over
// a window around it uses all of that window's gradients at once and is not bent by the lip line alone.
//
// Steps (per corner): the window's start from the face's rigid motion at the corner; inverse-compositional
// Lucas-Kanade for a translation on lightly smoothed grey frames (the apex is the lighting-corrected one);
// the rigid motion subtracted, leaving the corner's own motion.
import type { GreyImage } from '../native';
import type { Point } from '../face/types';
import { bilinearAt } from './regionMotion';
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

/** Free room around a window for the apex samples: the rigid start plus a corner's own motion stay inside. */
const MARGIN = 12;

/** A rectangle of a frame, smoothed; `data` is row-major over the rectangle. */
interface Patch {
  data: Float32Array;
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/**
 * 3-tap binomial blur in x and y (JPEG block edges and sensor noise out of the gradients), computed only on
 * the rectangle [x0, x1) x [y0, y1) clipped to the frame, reading the frame clamped at its own edges: the
 * values equal those of a whole-frame blur, for two small windows instead of every pixel of every pair.
 */
function smoothPatch(img: GreyImage, x0: number, y0: number, x1: number, y1: number): Patch {
  const { width: W, height: H, data } = img;
  const px0 = Math.max(0, x0);
  const py0 = Math.max(0, y0);
  const w = Math.max(0, Math.min(W, x1) - px0);
  const h = Math.max(0, Math.min(H, y1) - py0);
  // Horizontal pass on the rows the vertical pass reads (one above and below, clamped to the frame).
  const rows = h + 2;
  const tmp = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) {
    const y = Math.min(H - 1, Math.max(0, py0 + r - 1));
    for (let i = 0; i < w; i++) {
      const x = px0 + i;
      tmp[r * w + i] = 0.25 * data[y * W + Math.max(0, x - 1)] + 0.5 * data[y * W + x] + 0.25 * data[y * W + Math.min(W - 1, x + 1)];
    }
  }
  const out = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    // Row j of the patch is tmp row j + 1; its clamped neighbours are rows j and j + 2 (clamping done above).
    for (let i = 0; i < w; i++) out[j * w + i] = 0.25 * tmp[j * w + i] + 0.5 * tmp[(j + 1) * w + i] + 0.25 * tmp[(j + 2) * w + i];
  }
  return { data: out, x0: px0, y0: py0, w, h };
}

/**
 * Translation of the window of half-size `half` around (cx, cy) from `onset` to `apex` (patches of the same
 * rectangle), starting at `init`. null when the window leaves the frame or has no two-dimensional structure.
 */
function trackWindow(onset: Patch, apex: Patch, cx: number, cy: number, half: number, init: [number, number]): [number, number] | null {
  const { w, h } = onset;
  // Window corners in patch coordinates; one pixel kept free on each side for the central differences.
  const x0 = Math.round(cx - half) - onset.x0;
  const y0 = Math.round(cy - half) - onset.y0;
  const x1 = Math.round(cx + half) - onset.x0;
  const y1 = Math.round(cy + half) - onset.y0;
  if (x0 < 1 || y0 < 1 || x1 > w - 2 || y1 > h - 2) return null;
  const o = onset.data;
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
      gx[k] = 0.5 * (o[y * w + x + 1] - o[y * w + x - 1]);
      gy[k] = 0.5 * (o[(y + 1) * w + x] - o[(y - 1) * w + x]);
      wt[k] = Math.exp(-((x + onset.x0 - cx) ** 2 + (y + onset.y0 - cy) ** 2) / s2);
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
        const e = bilinearAt(apex.data, w, h, x + du, y + dv) - o[y * w + x];
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
  const half = Math.max(4, Math.round(HALF_IOD * interOcular));
  const one = (p: Point): CornerMotion | null => {
    const [x, y] = p;
    const [rx, ry] = rigid ? warpPoint(rigid, x, y) : [x, y];
    const base: [number, number] = [rx - x, ry - y];
    const r = half + MARGIN;
    const [x0, y0, x1, y1] = [Math.round(x) - r, Math.round(y) - r, Math.round(x) + r + 1, Math.round(y) + r + 1];
    const t = trackWindow(smoothPatch(onset, x0, y0, x1, y1), smoothPatch(apex, x0, y0, x1, y1), x, y, half, base);
    return t ? { u: t[0] - base[0], v: t[1] - base[1] } : null;
  };
  return { R: one(points[48]), L: one(points[54]) };
}
