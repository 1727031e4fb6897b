// Synthetic micro-expressions on a real face: warp a grey image by a known smooth displacement field and
// return the apex image with its exact ground-truth flow (onset -> apex).
//
// The field d(p) is a uniform shift plus Gaussian bumps placed relative to the face's landmarks (offsets
// and widths in inter-ocular distances, so a case reads the same on any face size). The apex is made by
// backward sampling, apex(q) = onset(q - d(q)), bilinear, borders clamped. The flow that moves an onset
// pixel p to its apex position q = p + f(p) is therefore f(p) = d(p + f(p)); it is solved per pixel by
// fixed-point iteration (converges fast: the bumps are smooth and a few pixels high).
import type { FlowField, GreyImage } from '../../src/core/native';
import type { Point } from '../../src/core/face/types';

export interface Bump {
  /** Landmark index, or several whose mean is the centre (0-based iBUG 300-W). */
  at: number | number[];
  /** Offset of the centre from the landmark, in inter-ocular distances (x right, y down, image frame). */
  offset?: [number, number];
  /** Gaussian sigma in inter-ocular distances. */
  sigma: number;
  /** Peak displacement in pixels (x right, y down). */
  d: [number, number];
  label?: string;
}

export interface WarpSpec {
  bumps: Bump[];
  /** Uniform displacement of the whole image in pixels (simulated head motion). */
  shift?: [number, number];
}

export interface WarpResult {
  apex: GreyImage;
  /** Exact onset -> apex flow. */
  flow: FlowField;
}

/** Centres of the subject's right (36-41) and left (42-47) eye, and the distance between them. */
export function eyeCentres(points: readonly (readonly [number, number])[]): { right: Point; left: Point; iod: number } {
  const c = (a: number, b: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = a; i <= b; i++) {
      x += points[i][0];
      y += points[i][1];
    }
    return [x / (b - a + 1), y / (b - a + 1)];
  };
  const right = c(36, 41);
  const left = c(42, 47);
  return { right, left, iod: Math.hypot(left[0] - right[0], left[1] - right[1]) };
}

const interOcular = (points: Point[]): number => eyeCentres(points).iod;

interface PlacedBump {
  cx: number;
  cy: number;
  inv2s2: number;
  du: number;
  dv: number;
}

function place(spec: WarpSpec, points: Point[]): PlacedBump[] {
  const iod = interOcular(points);
  return spec.bumps.map((b) => {
    const ids = Array.isArray(b.at) ? b.at : [b.at];
    let cx = 0;
    let cy = 0;
    for (const i of ids) {
      if (!points[i]) throw new RangeError(`landmark ${i} does not exist`);
      cx += points[i][0] / ids.length;
      cy += points[i][1] / ids.length;
    }
    cx += (b.offset?.[0] ?? 0) * iod;
    cy += (b.offset?.[1] ?? 0) * iod;
    const s = b.sigma * iod;
    return { cx, cy, inv2s2: 1 / (2 * s * s), du: b.d[0], dv: b.d[1] };
  });
}

/** The displacement field d at (x, y). */
function field(bumps: PlacedBump[], shift: [number, number], x: number, y: number): [number, number] {
  let du = shift[0];
  let dv = shift[1];
  for (const b of bumps) {
    const dx = x - b.cx;
    const dy = y - b.cy;
    const g = Math.exp(-(dx * dx + dy * dy) * b.inv2s2);
    du += g * b.du;
    dv += g * b.dv;
  }
  return [du, dv];
}

function bilinear(img: GreyImage, x: number, y: number): number {
  const { width: w, height: h, data } = img;
  const cx = Math.min(Math.max(x, 0), w - 1);
  const cy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.min(Math.floor(cx), w - 2 < 0 ? 0 : w - 2);
  const y0 = Math.min(Math.floor(cy), h - 2 < 0 ? 0 : h - 2);
  const fx = cx - x0;
  const fy = cy - y0;
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const a = data[y0 * w + x0];
  const b = data[y0 * w + x1];
  const c = data[y1 * w + x0];
  const d = data[y1 * w + x1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

/** Warp `onset` by `spec` placed on the face's 68 `points`. Deterministic. */
export function warpFace(onset: GreyImage, points: Point[], spec: WarpSpec): WarpResult {
  const { width, height } = onset;
  const bumps = place(spec, points);
  const shift = spec.shift ?? [0, 0];
  const apex = new Uint8Array(width * height);
  const u = new Float32Array(width * height);
  const v = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const [du, dv] = field(bumps, shift, x, y);
      apex[p] = Math.min(255, Math.max(0, Math.round(bilinear(onset, x - du, y - dv))));
      // f = d(p + f), fixed point from f = d(p).
      let fu = du;
      let fv = dv;
      for (let it = 0; it < 8; it++) [fu, fv] = field(bumps, shift, x + fu, y + fv);
      u[p] = fu;
      v[p] = fv;
    }
  }
  return { apex: { width, height, data: apex }, flow: { width, height, u, v } };
}

/** The displacement field d (apex(q) = onset(q - d(q))) of `spec` on these landmarks, as a function. */
export function displacementField(points: Point[], spec: WarpSpec): (x: number, y: number) => [number, number] {
  const bumps = place(spec, points);
  const shift = spec.shift ?? [0, 0];
  return (x, y) => field(bumps, shift, x, y);
}

/** The field's peak displacement at each bump centre (for test messages). */
export function describeWarp(spec: WarpSpec): string {
  return spec.bumps.map((b) => `${b.label ?? `@${String(b.at)}`}:(${b.d[0]},${b.d[1]})`).join(' ');
}
