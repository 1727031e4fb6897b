// Regional motion: what each named facial region did between onset and apex, measured from the dense
// flow (head motion removed) inside the landmark polygons. The built-in reasoner infers AUs from it and
// the claim check compares a model's "colour / direction / intensity" statements with it.
//
// Statistic per region (why): an AU moves part of a region (a fold, a lip corner), so a plain mean over
// the polygon dilutes it. We take the pixels in the top TOP_FRACTION by (head-compensated) magnitude and
// average their flow VECTORS: a muscle pull is coherent and survives the average, while flow noise points
// every way and mostly cancels, so a still region reads near zero even though its top pixels are noisy.
//
// Background: the median magnitude over the face box outside all regions is the face's own motion level
// (residual head motion, TV-L1 noise). A region counts as moving only when it exceeds that level by
// BACKGROUND_RATIO; its intensity is graded on the excess over the background in inter-ocular distances,
// so the same grade means the same physical motion whatever the image size.
import type { FlowField } from '../native';
import { REGION_NAMES, type FaceResult, type Polygon, type RegionName } from '../face/types';

/** The eight named directions of the colour table (DESIGN.md §2), image frame: x right, y down. */
export type Direction8 = 'right' | 'down-right' | 'down' | 'down-left' | 'left' | 'up-left' | 'up' | 'up-right';
/** Index k is the direction of angle 45k degrees (90 = down). */
export const DIRECTIONS: readonly Direction8[] = ['right', 'down-right', 'down', 'down-left', 'left', 'up-left', 'up', 'up-right'];

export type MotionIntensity = 'none' | 'slight' | 'moderate' | 'strong';
export const INTENSITIES: readonly MotionIntensity[] = ['none', 'slight', 'moderate', 'strong'];

/** Colour and direction words exactly as the FGMU prompt states them (zh) and its English rendering. */
export const DIRECTION_WORDS: Readonly<Record<Direction8, { zhColour: string; zhDirection: string; enColour: string; enDirection: string }>> = {
  up: { zhColour: '紫色', zhDirection: '向上', enColour: 'purple', enDirection: 'up' },
  'up-right': { zhColour: '品红色/粉红色', zhDirection: '右上', enColour: 'magenta/pink', enDirection: 'up-right' },
  right: { zhColour: '红色', zhDirection: '向右', enColour: 'red', enDirection: 'right' },
  'down-right': { zhColour: '橙黄色', zhDirection: '右下', enColour: 'orange-yellow', enDirection: 'down-right' },
  down: { zhColour: '黄绿色', zhDirection: '向下', enColour: 'yellow-green', enDirection: 'down' },
  'down-left': { zhColour: '绿色', zhDirection: '左下', enColour: 'green', enDirection: 'down-left' },
  left: { zhColour: '青色', zhDirection: '向左', enColour: 'cyan', enDirection: 'left' },
  'up-left': { zhColour: '蓝色', zhDirection: '左上', enColour: 'blue', enDirection: 'up-left' },
};

export const INTENSITY_WORDS: Readonly<Record<MotionIntensity, { zh: string; en: string }>> = {
  none: { zh: '无明显运动', en: 'none' },
  slight: { zh: '弱', en: 'slight' },
  moderate: { zh: '中等', en: 'moderate' },
  strong: { zh: '强', en: 'strong' },
};

/** Fraction of a region's pixels (largest magnitudes) whose mean vector is the region's motion. */
export const TOP_FRACTION = 0.25;
/** A region moves only if its magnitude is at least this multiple of the background level. */
export const BACKGROUND_RATIO = 1.5;

/**
 * Lower bounds of the excess motion (region magnitude minus background, in inter-ocular distances) for
 * each grade. With a typical micro-expression crop (inter-ocular ~80 px) they are about 0.5 / 1.2 / 2.4 px:
 * below half a pixel TV-L1 cannot tell motion from noise; apex motion of micro-expressions is mostly 1-3 px.
 */
export interface IntensityThresholds {
  slight: number;
  moderate: number;
  strong: number;
}
export const DEFAULT_THRESHOLDS: Readonly<IntensityThresholds> = Object.freeze({ slight: 0.006, moderate: 0.015, strong: 0.03 });

export interface RegionMotion {
  region: RegionName;
  /** Pixels of the polygon inside the image. */
  pixels: number;
  /** Robust mean flow (px), head motion removed. */
  u: number;
  v: number;
  /** |(u, v)| in px. */
  magnitude: number;
  /** atan2(v, u) in degrees, [0, 360), 90 = down (as the map). */
  angle: number;
  /** The map's 30-degree quantised angle (round half to even, as the reference). */
  mapAngle: number;
  /** The named direction / colour the map shows for this motion; null when the region has no pixels or no motion at all. */
  direction: Direction8 | null;
  /** magnitude - background, px (>= 0). */
  excess: number;
  /** excess / inter-ocular distance. */
  normalised: number;
  /** magnitude / background (background floored at 0.01 px). */
  ratio: number;
  /** |mean vector| / mean magnitude of the selected pixels, 0..1 (1 = all pixels move the same way). */
  coherence: number;
  intensity: MotionIntensity;
}

export interface RegionMotionReport {
  width: number;
  height: number;
  interOcular: number;
  /** Head-motion vector subtracted from the flow (px). */
  head: [number, number];
  /** Median compensated magnitude over the face box outside the regions (px). */
  background: number;
  thresholds: IntensityThresholds;
  /**
   * The face's own axes in the image: `ex` points from the subject's right eye to the left eye, `up` to the
   * top of the face. The reasoner reads "up" and "outwards" along these, so head roll does not bend the rules.
   */
  axes: { ex: [number, number]; up: [number, number] };
  regions: Record<RegionName, RegionMotion>;
}

export interface MeasureOptions {
  /** The head vector to subtract (mmc's head-motion compensation). Default [0, 0]: flow already compensated. */
  head?: readonly [number, number];
  topFraction?: number;
  thresholds?: IntensityThresholds;
}

/** round(angle / 30) * 30 mod 360 with round-half-to-even, as DESIGN.md §2 step 6. */
export function quantiseAngle(deg: number): number {
  const x = deg / 30;
  let r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds half up; the reference rounds half to even
  return (((r * 30) % 360) + 360) % 360;
}

/**
 * The named direction of an angle AS THE MAP COLOURS IT: quantise to 30 degrees first, then name the
 * 45-degree sector (0 -> right; 30, 60 -> down-right; 90 -> down; 120, 150 -> down-left; ...).
 */
export function directionOfAngle(deg: number): Direction8 {
  const q = quantiseAngle(deg);
  return DIRECTIONS[Math.round(q / 45) % 8];
}

export function angleOf(u: number, v: number): number {
  const a = (Math.atan2(v, u) * 180) / Math.PI;
  return a < 0 ? a + 360 : a;
}

export function intensityOf(normalised: number, ratio: number, t: IntensityThresholds = DEFAULT_THRESHOLDS): MotionIntensity {
  if (ratio < BACKGROUND_RATIO || normalised < t.slight) return 'none';
  if (normalised < t.moderate) return 'slight';
  if (normalised < t.strong) return 'moderate';
  return 'strong';
}

/**
 * Pixel indices (y * width + x) whose centres lie inside the polygon (even-odd rule), clipped to the
 * image, appended to `out`; returns the count. Scanline fill: per row, the edge crossings at the pixel
 * centre line, sorted, filled pairwise — O(rows x edges), no per-pixel point-in-polygon test.
 */
export function rasterisePolygon(poly: Polygon, width: number, height: number, out: Int32Array): number {
  const n = poly.length;
  if (n < 3) return 0;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const [, y] of poly) {
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  const r0 = Math.max(0, Math.floor(ymin));
  const r1 = Math.min(height - 1, Math.ceil(ymax));
  const xs: number[] = [];
  let count = 0;
  for (let row = r0; row <= r1; row++) {
    const yc = row + 0.5;
    xs.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = poly[i];
      const [xj, yj] = poly[j];
      if (yi <= yc !== yj <= yc) xs.push(xi + ((yc - yi) * (xj - xi)) / (yj - yi));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel x is inside when its centre x + 0.5 lies in [xs[k], xs[k+1]).
      const c0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const c1 = Math.min(width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      const base = row * width;
      for (let x = c0; x <= c1; x++) {
        if (count < out.length) out[count] = base + x;
        count++;
      }
    }
  }
  return Math.min(count, out.length);
}

/** k-th smallest (0-based) of the first n entries; reorders `a`. Hoare quickselect, deterministic pivot. */
function select(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function emptyMotion(region: RegionName): RegionMotion {
  return { region, pixels: 0, u: 0, v: 0, magnitude: 0, angle: 0, mapAngle: 0, direction: null, excess: 0, normalised: 0, ratio: 0, coherence: 0, intensity: 'none' };
}

/**
 * Measure every region of `face` in `flow` (flow minus `opts.head`). Cost is linear in the pixels of the
 * face box (~1 ms for a 200 px face).
 */
export function measureRegionMotion(flow: FlowField, face: FaceResult, opts: MeasureOptions = {}): RegionMotionReport {
  const { width, height, u, v } = flow;
  if (u.length < width * height || v.length < width * height) throw new RangeError(`flow arrays shorter than ${width}x${height}`);
  const [hu, hv] = opts.head ?? [0, 0];
  const frac = opts.topFraction ?? TOP_FRACTION;
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const iod = face.interOcular > 0 ? face.interOcular : 1;

  // Face box (clipped) and a mask of region pixels inside it, for the background level.
  const bx0 = Math.max(0, Math.floor(face.box.x));
  const by0 = Math.max(0, Math.floor(face.box.y));
  const bx1 = Math.min(width, Math.ceil(face.box.x + face.box.width));
  const by1 = Math.min(height, Math.ceil(face.box.y + face.box.height));
  const bw = Math.max(0, bx1 - bx0);
  const bh = Math.max(0, by1 - by0);
  const inRegion = new Uint8Array(bw * bh);

  // Scratch buffers sized by the largest region's bounding box (clipped) and the face box, not the frame:
  // HD frames would otherwise cost megabytes of zero-filled allocation per call.
  let most = bw * bh;
  for (const name of REGION_NAMES) {
    const poly = face.regions[name];
    if (!poly || poly.length < 3) continue;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const [x, y] of poly) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    const w = Math.max(0, Math.min(width, Math.ceil(x1) + 1) - Math.max(0, Math.floor(x0)));
    const h = Math.max(0, Math.min(height, Math.ceil(y1) + 1) - Math.max(0, Math.floor(y0)));
    most = Math.max(most, w * h);
  }
  const idx = new Int32Array(most);
  const mags = new Float32Array(most);
  const pixelsOf: Partial<Record<RegionName, Int32Array>> = {};
  for (const name of REGION_NAMES) {
    const poly = face.regions[name];
    const n = poly ? rasterisePolygon(poly, width, height, idx) : 0;
    const own = idx.slice(0, n);
    pixelsOf[name] = own;
    for (let i = 0; i < n; i++) {
      const p = own[i];
      const x = (p % width) - bx0;
      const y = ((p / width) | 0) - by0;
      if (x >= 0 && y >= 0 && x < bw && y < bh) inRegion[y * bw + x] = 1;
    }
  }

  let nb = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      if (inRegion[y * bw + x]) continue;
      const p = (y + by0) * width + x + bx0;
      const du = u[p] - hu;
      const dv = v[p] - hv;
      mags[nb++] = Math.sqrt(du * du + dv * dv); // not Math.hypot: several times slower in V8's hot loops
    }
  }
  const background = nb > 0 ? select(mags, nb, nb >> 1) : 0;
  const bgFloor = Math.max(background, 0.01);

  const regions = {} as Record<RegionName, RegionMotion>;
  for (const name of REGION_NAMES) {
    const own = pixelsOf[name]!;
    const n = own.length;
    if (n === 0) {
      regions[name] = emptyMotion(name);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const du = u[own[i]] - hu;
      const dv = v[own[i]] - hv;
      mags[i] = Math.sqrt(du * du + dv * dv);
    }
    const k = Math.max(1, Math.round(n * frac));
    // Threshold = k-th largest magnitude; select() reorders mags, so recompute per pixel below.
    const thr = select(mags, n, n - k);
    let su = 0;
    let sv = 0;
    let sm = 0;
    let cnt = 0;
    for (let i = 0; i < n && cnt < k; i++) {
      const p = own[i];
      const du = u[p] - hu;
      const dv = v[p] - hv;
      const m = Math.sqrt(du * du + dv * dv);
      if (m < thr) continue;
      su += du;
      sv += dv;
      sm += m;
      cnt++;
    }
    const mu = su / cnt;
    const mv = sv / cnt;
    const magnitude = Math.hypot(mu, mv);
    const angle = angleOf(mu, mv);
    const excess = Math.max(0, magnitude - background);
    const normalised = excess / iod;
    const ratio = magnitude / bgFloor;
    regions[name] = {
      region: name,
      pixels: n,
      u: mu,
      v: mv,
      magnitude,
      angle,
      mapAngle: quantiseAngle(angle),
      direction: magnitude > 0 ? directionOfAngle(angle) : null,
      excess,
      normalised,
      ratio,
      coherence: sm > 0 ? magnitude / (sm / cnt) : 0,
      intensity: intensityOf(normalised, ratio, thresholds),
    };
  }
  return { width, height, interOcular: iod, head: [hu, hv], background, thresholds, axes: faceAxes(face.points), regions };
}

/** Face axes from the eye centres (means of points 36-41 and 42-47); image axes when points are missing. */
export function faceAxes(points: readonly (readonly [number, number])[]): { ex: [number, number]; up: [number, number] } {
  if (points.length < 48) return { ex: [1, 0], up: [0, -1] };
  let rx = 0;
  let ry = 0;
  let lx = 0;
  let ly = 0;
  for (let i = 0; i < 6; i++) {
    rx += points[36 + i][0] / 6;
    ry += points[36 + i][1] / 6;
    lx += points[42 + i][0] / 6;
    ly += points[42 + i][1] / 6;
  }
  const d = Math.hypot(lx - rx, ly - ry);
  if (!(d > 0)) return { ex: [1, 0], up: [0, -1] };
  const ex: [number, number] = [(lx - rx) / d, (ly - ry) / d];
  // y points down: ex = (1, 0) turned towards the top of the face is (0, -1).
  return { ex, up: [ex[1], -ex[0]] };
}

/** Whether the measured region moves (any grade above none). */
export function isMoving(m: RegionMotion): boolean {
  return m.intensity !== 'none';
}
