// Regional motion: what each named facial region did between onset and apex, measured from the dense
// flow (head motion removed) inside the landmark polygons. The built-in reasoner infers AUs from it and
// the claim check compares a model's "colour / direction / intensity" statements with it.
//
// Statistic per region (why): an AU moves part of a region (a fold, a lip corner), so a plain mean over
// the polygon dilutes it. We take the pixels in the top TOP_FRACTION by (head-compensated) magnitude and
// average their flow VECTORS: a muscle pull is coherent and survives the average, while flow noise points
// every way and mostly cancels, so a still region reads near zero even though its top pixels are noisy.
//
// Evidence (why): whether a region moved is judged against a noise floor estimated from the clip itself,
// in pixels: the face's own residual motion outside the regions (after the rigid head motion is removed),
// the region's forward-backward inconsistency (TV-L1 onset->apex against apex->onset: noise and
// unreliable flow disagree, real motion agrees) and its warping residual beyond the face's (where the flow
// fails to explain the apex). z = motion / floor; a region moves when z reaches the threshold calibrated on
// camera-only pairs (evidenceCalibration.ts) and its motion is at least MIN_MOTION_PX. Its confidence is
// the share of camera-only regions that read weaker. Intensity grades (slight / moderate / strong) are
// in inter-ocular distances, so the same grade means the same physical motion whatever the image size.
import type { FlowField, GreyImage } from '../native';
import type { EvidenceCalibration } from './calibrationTypes';
import { EVIDENCE_CALIBRATION } from './evidenceCalibration';
import type { LipCornerTracks } from './cornerTrack';
import type { PhotometricChange } from './photometric';
import { warpPoint, type RigidMotion } from './rigidAlign';
import { REGION_NAMES, type FaceResult, type Polygon, type RegionName } from '../face/types';
import { selectInPlace } from './select';

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
/** Below this a region never counts as moving, whatever its noise floor (a flow of perfect frames is still quantised). */
export const MIN_MOTION_PX = 0.15;
/** Added to every floor: no clip is measured better than this. */
const FLOOR_EPS_PX = 0.02;

/** Grades of a moving region, as magnitude / inter-ocular distance (about 1.2 / 2.4 px at an 80 px inter-ocular distance). */
export interface IntensityThresholds {
  moderate: number;
  strong: number;
}
export const DEFAULT_THRESHOLDS: Readonly<IntensityThresholds> = Object.freeze({ moderate: 0.015, strong: 0.03 });

/** Why a region counts as moving or not, in pixels. */
export interface RegionEvidence {
  /** Noise floor: sqrt(background^2 + (fb / 2)^2 + warp^2) + 0.02 px. */
  floor: number;
  /** magnitude / floor. */
  z: number;
  /** Share of camera-only regions (calibration set) whose z is lower: how unlike noise this motion is. */
  confidence: number;
  /** Median forward-backward error over the region, px (0 without a backward flow). */
  fb: number;
  /** Warping residual beyond the face's, as motion (grey levels / gradient), px (0 without the frames). */
  warp: number;
  passes: boolean;
}

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
  /** magnitude / inter-ocular distance. */
  normalised: number;
  /** |mean vector| / mean magnitude of the selected pixels, 0..1 (1 = all pixels move the same way). */
  coherence: number;
  evidence: RegionEvidence;
  intensity: MotionIntensity;
}

export interface RegionMotionReport {
  width: number;
  height: number;
  interOcular: number;
  /** Head-motion vector of the MMC-Map's nose-window compensation (px), as the map used it. */
  head: [number, number];
  /** Rigid face motion subtracted before measuring (shift at the box centre, roll, scale); absent: only `head` was. */
  rigid?: { dx: number; dy: number; rollDeg: number; scale: number };
  /** Median compensated magnitude over the face box outside the regions (px). */
  background: number;
  /** The clip's noise: what the floors are made of. */
  noise: {
    /** 75th percentile of the compensated magnitude outside the regions, px. */
    background: number;
    /** Median forward-backward error over the face box, px (null without a backward flow). */
    fb: number | null;
    /** Median warping residual over the face box, grey levels (null without the frames). */
    residual: number | null;
    /** 'clip': floor from background, forward-backward and warping residual; 'flow-only': from the background alone (a given flow). */
    source: 'clip' | 'flow-only';
    tau: number;
    minMotion: number;
  };
  /** The photometric change onset -> apex, when the frames were measured (motion was measured on the corrected apex). */
  lighting?: Omit<PhotometricChange, 'model'>;
  thresholds: IntensityThresholds;
  /**
   * The face's own axes in the image: `ex` points from the subject's right eye to the left eye, `up` to the
   * top of the face. The reasoner reads "up" and "outwards" along these, so head roll does not bend the rules.
   */
  axes: { ex: [number, number]; up: [number, number] };
  regions: Record<RegionName, RegionMotion>;
  /** The lip corners' own motion from a window fit (cornerTrack.ts), when the frames were measured. */
  corners?: LipCornerTracks;
}

/** What the clip's own noise floor is measured from (all optional: without them the floor is the background). */
export interface EvidenceInputs {
  /** Apex -> onset flow of the same (corrected) frames. */
  backward?: FlowField;
  onset?: GreyImage;
  /** The apex the forward flow was computed on (lighting-corrected). */
  apex?: GreyImage;
}

export interface MeasureOptions {
  /** The head vector to subtract (mmc's head-motion compensation). Default [0, 0]: flow already compensated. */
  head?: readonly [number, number];
  /** Subtract this rigid motion (per pixel) instead of `head`. */
  rigid?: RigidMotion;
  evidence?: EvidenceInputs;
  calibration?: EvidenceCalibration;
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

/** The grade of a region: none unless its evidence passes, then by magnitude / inter-ocular distance. */
export function intensityOf(normalised: number, passes: boolean, t: IntensityThresholds = DEFAULT_THRESHOLDS): MotionIntensity {
  if (!passes) return 'none';
  if (normalised < t.moderate) return 'slight';
  if (normalised < t.strong) return 'moderate';
  return 'strong';
}

/** The z a region must reach: the calibrated global threshold, or the region's own when its null z runs higher (the forehead under hair, the chin). */
export function thresholdOf(region: RegionName, cal: EvidenceCalibration = EVIDENCE_CALIBRATION): number {
  return Math.max(cal.tau, cal.regionTau?.[region] ?? 0);
}

/** Calibrated confidence of a z score: the share of camera-only regions below it (linear between quantiles). */
export function confidenceOf(z: number, cal: EvidenceCalibration = EVIDENCE_CALIBRATION): number {
  const q = cal.nullZ;
  const n = q.length;
  if (n === 0 || !(z > q[0])) return 0;
  if (z >= q[n - 1]) return 1 - 1 / (2 * cal.regions);
  let i = 1;
  while (q[i] < z) i++;
  const f = (z - q[i - 1]) / Math.max(1e-12, q[i] - q[i - 1]);
  return Math.min(1 - 1 / (2 * cal.regions), (i - 1 + f) / (n - 1));
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

const NO_EVIDENCE: RegionEvidence = Object.freeze({ floor: 0, z: 0, confidence: 0, fb: 0, warp: 0, passes: false });

function emptyMotion(region: RegionName): RegionMotion {
  return { region, pixels: 0, u: 0, v: 0, magnitude: 0, angle: 0, mapAngle: 0, direction: null, normalised: 0, coherence: 0, evidence: NO_EVIDENCE, intensity: 'none' };
}

/** Bilinear sample of a one-channel raster, clamped to its edges. */
export function bilinearAt(d: Float32Array | Uint8Array, w: number, h: number, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), w - 1.001);
  const cy = Math.min(Math.max(y, 0), h - 1.001);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * w + x0;
  const x1 = x0 + 1 < w ? 1 : 0;
  const y1 = y0 + 1 < h ? w : 0;
  return (d[i] * (1 - fx) + d[i + x1] * fx) * (1 - fy) + (d[i + y1] * (1 - fx) + d[i + y1 + x1] * fx) * fy;
}

/** Per-pixel reliability of the forward flow at p: forward-backward error (px), warping residual (grey), onset gradient. */
interface PixelCheck {
  fb(p: number): number;
  resid(p: number): number;
  grad(p: number): number;
}

function pixelCheck(flow: FlowField, ev: EvidenceInputs | undefined): PixelCheck | null {
  if (!ev || (!ev.backward && !(ev.onset && ev.apex))) return null;
  const { width: w, height: h, u, v } = flow;
  const b = ev.backward;
  const on = ev.onset;
  const ap = ev.apex;
  return {
    fb: (p) => {
      if (!b) return 0;
      const x = (p % w) + u[p];
      const y = ((p / w) | 0) + v[p];
      return Math.hypot(u[p] + bilinearAt(b.u, w, h, x, y), v[p] + bilinearAt(b.v, w, h, x, y));
    },
    resid: (p) => (on && ap ? Math.abs(bilinearAt(ap.data, w, h, (p % w) + u[p], ((p / w) | 0) + v[p]) - on.data[p]) : 0),
    grad: (p) => {
      if (!on) return 0;
      const x = p % w;
      const y = (p / w) | 0;
      const gx = on.data[y * w + Math.min(w - 1, x + 1)] - on.data[y * w + Math.max(0, x - 1)];
      const gy = on.data[Math.min(h - 1, y + 1) * w + x] - on.data[Math.max(0, y - 1) * w + x];
      return 0.5 * Math.hypot(gx, gy);
    },
  };
}

/**
 * Measure every region of `face` in `flow` (flow minus `opts.rigid` per pixel, else minus `opts.head`), and
 * judge each against the clip's noise floor (see the top of the file). Cost is linear in the pixels of the
 * face box (a few ms for a 200 px face with the evidence inputs).
 */
export function measureRegionMotion(flow: FlowField, face: FaceResult, opts: MeasureOptions = {}): RegionMotionReport {
  const { width, height, u, v } = flow;
  if (u.length < width * height || v.length < width * height) throw new RangeError(`flow arrays shorter than ${width}x${height}`);
  const [hu, hv] = opts.head ?? [0, 0];
  const rigid = opts.rigid;
  const frac = opts.topFraction ?? TOP_FRACTION;
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const cal = opts.calibration ?? EVIDENCE_CALIBRATION;
  const iod = face.interOcular > 0 ? face.interOcular : 1;
  const check = pixelCheck(flow, opts.evidence);
  // Compensated flow at pixel p (rigid motion or the head vector removed).
  const comp = (p: number, out: number[]): void => {
    if (rigid) {
      const x = p % width;
      const y = (p / width) | 0;
      const [wx, wy] = warpPoint(rigid, x, y);
      out[0] = u[p] - (wx - x);
      out[1] = v[p] - (wy - y);
    } else {
      out[0] = u[p] - hu;
      out[1] = v[p] - hv;
    }
  };
  const d: number[] = [0, 0];

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
      comp((y + by0) * width + x + bx0, d);
      mags[nb++] = Math.sqrt(d[0] * d[0] + d[1] * d[1]); // not Math.hypot: several times slower in V8's hot loops
    }
  }
  const background = nb > 0 ? selectInPlace(mags, nb, nb >> 1) : 0;
  const background75 = nb > 0 ? selectInPlace(mags, nb, Math.min(nb - 1, Math.floor(nb * 0.75))) : 0;
  // The face's own forward-backward error and warping residual (every other pixel of the box).
  let fbFace: number | null = null;
  let residFace: number | null = null;
  if (check) {
    const fbs: number[] = [];
    const res: number[] = [];
    for (let y = by0; y < by1; y += 2) for (let x = bx0; x < bx1; x += 2) (fbs.push(check.fb(y * width + x)), res.push(check.resid(y * width + x)));
    const med = (a: number[]) => (a.length ? Float64Array.from(a).sort()[a.length >> 1] : 0);
    fbFace = opts.evidence?.backward ? med(fbs) : null;
    residFace = opts.evidence?.onset && opts.evidence.apex ? med(res) : null;
  }

  const regions = {} as Record<RegionName, RegionMotion>;
  const scratch = new Float64Array(most);
  const medianOf = (n: number, f: (p: number) => number, own: Int32Array): number => {
    for (let i = 0; i < n; i++) scratch[i] = f(own[i]);
    const a = scratch.subarray(0, n).sort();
    return a[n >> 1];
  };
  for (const name of REGION_NAMES) {
    const own = pixelsOf[name]!;
    const n = own.length;
    if (n === 0) {
      regions[name] = emptyMotion(name);
      continue;
    }
    for (let i = 0; i < n; i++) {
      comp(own[i], d);
      mags[i] = Math.sqrt(d[0] * d[0] + d[1] * d[1]);
    }
    const k = Math.max(1, Math.round(n * frac));
    // Threshold = k-th largest magnitude; selectInPlace() reorders mags, so recompute per pixel below.
    const thr = selectInPlace(mags, n, n - k);
    let su = 0;
    let sv = 0;
    let sm = 0;
    let cnt = 0;
    for (let i = 0; i < n && cnt < k; i++) {
      comp(own[i], d);
      const m = Math.sqrt(d[0] * d[0] + d[1] * d[1]);
      if (m < thr) continue;
      su += d[0];
      sv += d[1];
      sm += m;
      cnt++;
    }
    const mu = su / cnt;
    const mv = sv / cnt;
    const magnitude = Math.hypot(mu, mv);
    const angle = angleOf(mu, mv);
    const normalised = magnitude / iod;
    let fb = 0;
    let warp = 0;
    if (check) {
      if (fbFace !== null) fb = medianOf(n, check.fb, own);
      if (residFace !== null) {
        const r = medianOf(n, check.resid, own);
        const g = medianOf(n, check.grad, own);
        // Residual the flow leaves beyond the face's, read as motion through the local gradient.
        warp = Math.max(0, r - residFace) / Math.max(2, g);
      }
    }
    const floor = Math.sqrt(background75 * background75 + (fb / 2) ** 2 + warp * warp) + FLOOR_EPS_PX;
    const z = magnitude / floor;
    const passes = z >= thresholdOf(name, cal) && magnitude >= MIN_MOTION_PX;
    regions[name] = {
      region: name,
      pixels: n,
      u: mu,
      v: mv,
      magnitude,
      angle,
      mapAngle: quantiseAngle(angle),
      direction: magnitude > 0 ? directionOfAngle(angle) : null,
      normalised,
      coherence: sm > 0 ? magnitude / (sm / cnt) : 0,
      evidence: { floor, z, confidence: confidenceOf(z, cal), fb, warp, passes },
      intensity: intensityOf(normalised, passes, thresholds),
    };
  }
  const report: RegionMotionReport = {
    width,
    height,
    interOcular: iod,
    head: [hu, hv],
    background,
    noise: { background: background75, fb: fbFace, residual: residFace, source: check ? 'clip' : 'flow-only', tau: cal.tau, minMotion: MIN_MOTION_PX },
    thresholds,
    axes: faceAxes(face.points),
    regions,
  };
  if (rigid) report.rigid = { dx: rigid.tx, dy: rigid.ty, rollDeg: (Math.atan2(rigid.b, 1 + rigid.a) * 180) / Math.PI, scale: Math.hypot(1 + rigid.a, rigid.b) };
  return report;
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

/** The report judged again with a calibration (thresholds and confidences), e.g. measurements kept from before it. */
export function rejudge(report: RegionMotionReport, cal: EvidenceCalibration = EVIDENCE_CALIBRATION): RegionMotionReport {
  const r = withThreshold(report, cal.tau, cal.regionTau);
  for (const name of REGION_NAMES) r.regions[name].evidence.confidence = confidenceOf(r.regions[name].evidence.z, cal);
  return r;
}

/** The report judged with another threshold (calibration tries several on the same measurements). */
export function withThreshold(report: RegionMotionReport, tau: number, regionTau?: Partial<Record<RegionName, number>>): RegionMotionReport {
  const regions = {} as Record<RegionName, RegionMotion>;
  for (const name of REGION_NAMES) {
    const m = report.regions[name];
    const passes = m.pixels > 0 && m.evidence.z >= Math.max(tau, regionTau?.[name] ?? 0) && m.magnitude >= report.noise.minMotion;
    regions[name] = { ...m, evidence: { ...m.evidence, passes }, intensity: intensityOf(m.normalised, passes, report.thresholds) };
  }
  return { ...report, noise: { ...report.noise, tau }, regions };
}
