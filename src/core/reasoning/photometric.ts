// Photometric change between onset and apex on the face, and the apex corrected for it.
//
// Why: TV-L1 (the authors' flow, gamma 0) assumes constant brightness, so a lamp drifting 5% or a
// camera's auto-exposure step turns into "motion" along every edge of the face, and a rule reader then
// names AUs that nothing made. The MMC-Map sent to MELLM keeps the authors' flow on the raw frames
// (that is what the weights saw); the built-in reasoner, the claim check and region text measure motion
// on frames where this change has been removed.
//
// Model (on the face box, grey levels):  apex(x, y) = G(x, y) * B(y) * onset(x, y) + offset
//   G: smooth gain field, a quadratic in box coordinates (global gain + lighting gradient / falloff);
//   B: per-row banding, 1 when no flicker is found (rolling-shutter flicker of mains-powered lights shows
//      as horizontal bands whose brightness differs between two frames);
//   offset: one global additive term (black level / exposure offset).
// Estimation uses CELL means (a few pixels square): a sub-pixel to 2 px expression barely changes the mean
// of a skin cell, while lighting changes every cell; cells that motion did change (edges, eyes, lips) are
// rejected by a robust (Tukey biweight) iteratively reweighted least-squares fit. The apex is sampled where
// each onset point went: along a given flow, else under the face's rigid motion (rigidAlign.ts, which is
// estimated with its own gain term so that light is not taken for motion), so head motion is not taken
// for light either.
import type { FlowField, GreyImage } from '../native';
import { alignRigid, solveLinear, type RigidMotion } from './rigidAlign';
import { medianInPlace } from './select';

export interface PhotometricBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotometricOptions {
  /** Where to estimate (the face box); default the whole image. */
  box?: PhotometricBox;
  /** Cell side in px; default 1/32 of the box's shorter side, at least 4. */
  cell?: number;
  /** Onset -> apex flow to sample the apex along (instead of the rigid face motion estimated here). */
  flow?: FlowField;
  /** Estimate the face's rigid motion and compare the frames along it (default true; ignored with `flow`). */
  rigid?: boolean;
}

/** What normaliseApex applies; plain numbers so it can travel in JSON. */
export interface PhotometricModel {
  /** Box (integer, clipped) in which G's coordinates run from -1 to 1; clamped outside. */
  box: { x0: number; y0: number; x1: number; y1: number };
  /** G(X, Y) = c0 + c1 X + c2 Y + c3 X^2 + c4 X Y + c5 Y^2, X and Y in [-1, 1] over the box. */
  coeffs: [number, number, number, number, number, number];
  offset: number;
  /** Row factor B(y) - 1 for rows box.y0 .. box.y1 - 1 (nearest value outside); null: no flicker found. */
  rowGain: number[] | null;
}

export interface PhotometricChange {
  /** False when the face box has too few usable cells to fit (then nothing is corrected). */
  estimable: boolean;
  /** Mean of the gain field over the face: 1.05 = apex 5% brighter. */
  gain: number;
  /** Additive change in grey levels. */
  offset: number;
  /** Smallest and largest gain of the field over the face (a lighting gradient spreads them). */
  gainField: { min: number; max: number };
  flicker: { detected: boolean; /** RMS of the row banding, as a fraction of the brightness. */ amplitude: number; /** Dominant band period in rows. */ periodRows: number | null };
  /** Mean |predicted apex - onset| over the face, grey levels: how much the light alone changed the pixels. */
  meanChange: number;
  /** Robust residual scale of the fit (sensor noise, JPEG, motion the fit rejected), grey levels. */
  residual: number;
  /** Cells used / cells kept as inliers by the robust fit. */
  cells: number;
  inliers: number;
  /** Rigid face motion the comparison followed (px, degrees, scale factor); zero when a flow was given or rigid was off. */
  head: { dx: number; dy: number; rollDeg: number; scale: number };
  /** Large enough to report and to correct before measuring motion. */
  significant: boolean;
  /** What was found, in reading order. */
  found: ('brighter' | 'darker' | 'offset' | 'gradient' | 'flicker')[];
  /** One sentence for the answer, the panel and the JSON. */
  sentence: { en: string; zh: string };
  model: PhotometricModel;
}

/**
 * Mean grey-level change from which the light counts as changed (reported and corrected). A 1% gain (about
 * 1.2 levels on a face) already makes TV-L1 invent 0.24 px of motion on average over the face; at 0.4 levels
 * that is under 0.1 px. Camera noise, JPEG and motion alone give 0.05-0.2 levels on the fixture faces.
 */
export const MIN_MEAN_CHANGE = 0.4;
/** Gain spread across the face (max - min) reported as a gradient. */
export const MIN_GRADIENT = 0.02;
/** Row banding RMS (fraction) reported as flicker, when also well above the row noise. */
export const MIN_FLICKER = 0.004;
/** Cells saturated in either frame are left out: the model does not hold at the clip limits. */
const LOW = 4;
const HIGH = 251;
const MIN_CELLS = 24;

// ---- small helpers --------------------------------------------------------------------------------

function clipBox(img: GreyImage, box?: PhotometricBox): PhotometricModel['box'] {
  if (!box) return { x0: 0, y0: 0, x1: img.width, y1: img.height };
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(img.height, Math.ceil(box.y + box.height));
  return { x0, y0, x1: Math.max(x0, x1), y1: Math.max(y0, y1) };
}

/** Box coordinates in [-1, 1] (clamped outside the box, so the field extends as a constant). */
function boxX(b: PhotometricModel['box'], x: number): number {
  const hw = Math.max(1, (b.x1 - b.x0) / 2);
  const X = (x + 0.5 - (b.x0 + hw)) / hw;
  return Math.max(-1, Math.min(1, X));
}

function boxY(b: PhotometricModel['box'], y: number): number {
  const hh = Math.max(1, (b.y1 - b.y0) / 2);
  const Y = (y + 0.5 - (b.y0 + hh)) / hh;
  return Math.max(-1, Math.min(1, Y));
}

function gainAt(c: PhotometricModel['coeffs'], X: number, Y: number): number {
  return c[0] + c[1] * X + c[2] * Y + c[3] * X * X + c[4] * X * Y + c[5] * Y * Y;
}

function bilinear(img: GreyImage, x: number, y: number): number {
  const { width: w, height: h, data } = img;
  const cx = Math.min(Math.max(x, 0), w - 1);
  const cy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.min(Math.floor(cx), Math.max(0, w - 2));
  const y0 = Math.min(Math.floor(cy), Math.max(0, h - 2));
  const fx = cx - x0;
  const fy = cy - y0;
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const r0 = data[y0 * w + x0] * (1 - fx) + data[y0 * w + x1] * fx;
  const r1 = data[y1 * w + x0] * (1 - fx) + data[y1 * w + x1] * fx;
  return r0 * (1 - fy) + r1 * fy;
}

// ---- estimation -------------------------------------------------------------------------------------

interface Cells {
  n: number;
  a: Float64Array; // onset cell means
  b: Float64Array; // apex cell means, sampled where each onset pixel went
  X: Float64Array;
  Y: Float64Array;
  w0: Float64Array; // prior weight: flat cells are trusted more (motion changes textured cells)
}

/**
 * The apex sampled where each onset pixel of the box went (along the flow, else under the rigid motion,
 * else in place), and the apex row it went to: computed once per pixel and read by both the cell means
 * and the row banding, which before each sampled (and allocated a point for) every pixel again.
 */
interface Warped {
  /** Apex value at the pixel's destination, row-major over the box. */
  value: Float64Array;
  /** Destination y, px. */
  wy: Float64Array;
}

function warpApex(onset: GreyImage, apex: GreyImage, box: PhotometricModel['box'], flow: FlowField | undefined, rigid: RigidMotion | null): Warped {
  const { width } = onset;
  const W = box.x1 - box.x0;
  const H = box.y1 - box.y0;
  const value = new Float64Array(W * H);
  const wys = new Float64Array(W * H);
  let i = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++, i++) {
      let wx: number;
      let wy: number;
      if (flow) {
        wx = x + flow.u[y * width + x];
        wy = y + flow.v[y * width + x];
      } else if (rigid) {
        // warpPoint (rigidAlign.ts), written out.
        const dx = x - rigid.cx;
        const dy = y - rigid.cy;
        wx = x + rigid.tx + rigid.a * dx - rigid.b * dy;
        wy = y + rigid.ty + rigid.b * dx + rigid.a * dy;
      } else {
        wx = x;
        wy = y;
      }
      value[i] = bilinear(apex, wx, wy);
      wys[i] = wy;
    }
  }
  return { value, wy: wys };
}

function cellMeans(onset: GreyImage, warped: Warped, box: PhotometricModel['box'], cell: number): Cells {
  const { width } = onset;
  const W = box.x1 - box.x0;
  const nx = Math.floor((box.x1 - box.x0) / cell);
  const ny = Math.floor((box.y1 - box.y0) / cell);
  const cap = Math.max(0, nx * ny);
  const out: Cells = { n: 0, a: new Float64Array(cap), b: new Float64Array(cap), X: new Float64Array(cap), Y: new Float64Array(cap), w0: new Float64Array(cap) };
  const od = onset.data;
  const wv = warped.value;
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      const xs = box.x0 + cx * cell;
      const ys = box.y0 + cy * cell;
      let sa = 0;
      let sb = 0;
      let sa2 = 0;
      let bad = false;
      for (let y = ys; y < ys + cell && !bad; y++) {
        const rowO = y * width;
        const rowW = (y - box.y0) * W - box.x0;
        for (let x = xs; x < xs + cell; x++) {
          const va = od[rowO + x];
          const vb = wv[rowW + x];
          if (va < LOW || va > HIGH || vb < LOW || vb > HIGH) {
            bad = true;
            break;
          }
          sa += va;
          sb += vb;
          sa2 += va * va;
        }
      }
      if (bad) continue;
      const m = cell * cell;
      const mean = sa / m;
      const sd = Math.sqrt(Math.max(0, sa2 / m - mean * mean));
      const i = out.n++;
      out.a[i] = mean;
      out.b[i] = sb / m;
      out.X[i] = boxX(box, xs + cell / 2 - 0.5);
      out.Y[i] = boxY(box, ys + cell / 2 - 0.5);
      out.w0[i] = 1 / (1 + (sd / 12) ** 2);
    }
  }
  return out;
}

/** Design row of cell i, [a, aX, aY, aX^2, aXY, aY^2, 1], into out[o .. o + 6]. */
function row(c: Cells, i: number, out: Float64Array, o: number): void {
  const a = c.a[i];
  const X = c.X[i];
  const Y = c.Y[i];
  out[o] = a;
  out[o + 1] = a * X;
  out[o + 2] = a * Y;
  out[o + 3] = a * X * X;
  out[o + 4] = a * X * Y;
  out[o + 5] = a * Y * Y;
  out[o + 6] = 1;
}

/** Robust weighted least squares (Tukey biweight IRLS); returns parameters, weights and residual scale. */
function robustFit(c: Cells): { theta: Float64Array; w: Float64Array; scale: number } | null {
  const P = 7;
  const X = new Float64Array(c.n * P);
  for (let i = 0; i < c.n; i++) row(c, i, X, i * P);
  const w = Float64Array.from(c.w0.subarray(0, c.n));
  const abs = new Float64Array(c.n);
  const M = new Float64Array(P * P);
  const v = new Float64Array(P);
  let theta: Float64Array | null = null;
  let scale = 1;
  for (let it = 0; it < 12; it++) {
    M.fill(0);
    v.fill(0);
    for (let i = 0; i < c.n; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const o = i * P;
      for (let j = 0; j < P; j++) {
        const xj = wi * X[o + j];
        v[j] += xj * c.b[i];
        for (let k = j; k < P; k++) M[j * P + k] += xj * X[o + k];
      }
    }
    for (let j = 0; j < P; j++) for (let k = 0; k < j; k++) M[j * P + k] = M[k * P + j];
    // A light ridge on the field's shape terms keeps a flat or tiny face from producing wild gradients.
    const tr = M[0] / 1e4;
    for (let j = 1; j < 6; j++) M[j * P + j] += tr;
    const t = solveLinear(M, v, P);
    if (!t) return theta ? { theta, w, scale } : null;
    const change = theta ? Math.max(...t.map((x, j) => Math.abs(x - theta![j]))) : Infinity;
    theta = t;
    for (let i = 0; i < c.n; i++) {
      let pred = 0;
      for (let j = 0; j < P; j++) pred += X[i * P + j] * t[j];
      abs[i] = c.b[i] - pred;
    }
    const res = Float64Array.from(abs);
    for (let i = 0; i < c.n; i++) abs[i] = Math.abs(abs[i]);
    // Floor: 0.25 grey level (cell means of clean 8-bit frames differ by quantisation only).
    scale = Math.max(0.25, 1.4826 * medianInPlace(abs, c.n));
    const k = 4.685 * scale;
    for (let i = 0; i < c.n; i++) {
      const u = res[i] / k;
      w[i] = Math.abs(u) >= 1 ? 0 : c.w0[i] * (1 - u * u) ** 2;
    }
    if (change < 1e-6) break;
  }
  return theta ? { theta, w, scale } : null;
}

/**
 * Per-row gain ratio left after the smooth fit, binned by the APEX row each onset pixel went to (banding
 * belongs to the sensor rows of the frame it is in): median of apex / prediction - 1.
 */
function rowRatios(onset: GreyImage, warped: Warped, box: PhotometricModel['box'], coeffs: PhotometricModel['coeffs'], offset: number): { q: number[]; noise: number } {
  const { width } = onset;
  const H = box.y1 - box.y0;
  const W = box.x1 - box.x0;
  // Each apex row receives about one onset pixel per column; 2W leaves room for a rolled face.
  const cap = 2 * W + 4;
  const bins = new Float64Array(H * cap);
  const fill = new Int32Array(H);
  const Xs = new Float64Array(W);
  for (let x = box.x0; x < box.x1; x++) Xs[x - box.x0] = boxX(box, x);
  const od = onset.data;
  let i = 0;
  for (let y = box.y0; y < box.y1; y++) {
    const Y = boxY(box, y);
    for (let x = box.x0; x < box.x1; x++, i++) {
      const a = od[y * width + x];
      if (a < 24 || a > 240) continue; // dark pixels carry little gain information
      const r = Math.round(warped.wy[i]) - box.y0;
      if (r < 0 || r >= H || fill[r] >= cap) continue;
      bins[r * cap + fill[r]++] = (warped.value[i] - offset) / (gainAt(coeffs, Xs[x - box.x0], Y) * a) - 1;
    }
  }
  const q = new Array<number>(H).fill(0);
  // Standard error of each row's median (1.2533 sigma / sqrt(n), sigma from the row's MAD): the row noise
  // the banding must stand out from, measured within rows so the banding itself does not inflate it.
  let se2 = 0;
  let rows = 0;
  for (let r = 0; r < H; r++) {
    const n = fill[r];
    if (n < 8) continue;
    const b = bins.subarray(r * cap, r * cap + n);
    q[r] = medianInPlace(b, n);
    for (let k = 0; k < n; k++) b[k] = Math.abs(b[k] - q[r]);
    const mad = medianInPlace(b, n);
    se2 += ((1.2533 * 1.4826 * mad) ** 2) / n;
    rows++;
  }
  return { q, noise: rows > 0 ? Math.sqrt(se2 / rows) : 0 };
}

/** q minus its least-squares quadratic in the row index. */
function detrendQuadratic(q: number[]): number[] {
  const n = q.length;
  const M = new Float64Array(9);
  const v = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    const t = (2 * i) / Math.max(1, n - 1) - 1;
    const x = [1, t, t * t];
    for (let j = 0; j < 3; j++) {
      v[j] += x[j] * q[i];
      for (let k = 0; k < 3; k++) M[j * 3 + k] += x[j] * x[k];
    }
  }
  const c = solveLinear(M, v, 3) ?? new Float64Array(3);
  return q.map((y, i) => {
    const t = (2 * i) / Math.max(1, n - 1) - 1;
    return y - (c[0] + c[1] * t + c[2] * t * t);
  });
}

/** Row banding from the per-row ratios: amplitude (RMS above the row noise) and the dominant period. */
function bandingOf({ q, noise }: { q: number[]; noise: number }): { detected: boolean; amplitude: number; periodRows: number | null; smooth: number[] } {
  const n = q.length;
  if (n < 16) return { detected: false, amplitude: 0, periodRows: null, smooth: q.map(() => 0) };
  // Remove a quadratic trend in the row index: slow vertical change is the gain field's, not flicker's.
  const c = detrendQuadratic(q);
  // Light smoothing (3-row box) for the correction; the noise is read from first differences.
  const smooth = c.map((_, i) => (c[Math.max(0, i - 1)] + c[i] + c[Math.min(n - 1, i + 1)]) / 3);
  const rms = Math.sqrt(c.reduce((s, x) => s + x * x, 0) / n);
  const amplitude = Math.sqrt(Math.max(0, rms * rms - noise * noise));
  // Dominant period by the periodogram over 4 .. n/2 rows.
  let best = 0;
  let period: number | null = null;
  for (let P = 4; P <= n / 2; P++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const ph = (2 * Math.PI * i) / P;
      re += c[i] * Math.cos(ph);
      im += c[i] * Math.sin(ph);
    }
    const pw = re * re + im * im;
    if (pw > best) {
      best = pw;
      period = P;
    }
  }
  const detected = amplitude >= MIN_FLICKER && amplitude >= 3 * noise;
  return { detected, amplitude, periodRows: detected ? period : null, smooth };
}

const pct = (x: number) => `${(Math.abs(x) * 100).toFixed(1)}%`;
const signed = (x: number, d = 1) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}`;

function sentences(c: Omit<PhotometricChange, 'sentence' | 'model'>): { en: string; zh: string } {
  if (!c.estimable) {
    return {
      en: 'Lighting: not estimable (too little usable face area); motion is measured on the raw frames.',
      zh: '光照：无法估计（可用的面部区域太少），运动按原始帧测量。',
    };
  }
  if (!c.significant) {
    return {
      en: `Lighting: no change between onset and apex on the face (gain ${c.gain.toFixed(3)}, offset ${signed(c.offset)} grey levels).`,
      zh: `光照：起始帧与顶点帧之间面部光照无变化（增益 ${c.gain.toFixed(3)}，偏移 ${signed(c.offset)} 灰度级）。`,
    };
  }
  const en: string[] = [];
  const zh: string[] = [];
  const dg = c.gain - 1;
  if (c.found.includes('brighter') || c.found.includes('darker')) {
    en.push(`apex ${pct(dg)} ${dg > 0 ? 'brighter' : 'darker'} than the onset`);
    zh.push(`顶点帧比起始帧${dg > 0 ? '亮' : '暗'} ${pct(dg)}`);
  }
  if (c.found.includes('offset')) {
    en.push(`offset ${signed(c.offset)} grey levels`);
    zh.push(`灰度偏移 ${signed(c.offset)}`);
  }
  if (c.found.includes('gradient')) {
    en.push(`gain varying ${c.gainField.min.toFixed(3)}–${c.gainField.max.toFixed(3)} across the face (lighting gradient)`);
    zh.push(`面部增益在 ${c.gainField.min.toFixed(3)}–${c.gainField.max.toFixed(3)} 之间变化（光照梯度）`);
  }
  if (c.found.includes('flicker')) {
    const per = c.flicker.periodRows ? ` every ${c.flicker.periodRows} rows` : '';
    const perZh = c.flicker.periodRows ? `，周期约 ${c.flicker.periodRows} 行` : '';
    en.push(`flicker banding of ±${pct(c.flicker.amplitude)}${per}`);
    zh.push(`闪烁条纹 ±${pct(c.flicker.amplitude)}${perZh}`);
  }
  return {
    en: `Lighting: ${en.join('; ')}. Colour on the MMC-Map over smooth skin can be this lighting, not motion; motion was measured on lighting-corrected frames.`,
    zh: `光照：${zh.join('；')}。MMC 图上平滑皮肤处的颜色可能来自光照变化而非运动；运动已在光照校正后的帧上测量。`,
  };
}

const IDENTITY_COEFFS: PhotometricModel['coeffs'] = [1, 0, 0, 0, 0, 0];

/** Estimate the photometric change onset -> apex on the face (see the model at the top of the file). */
export function estimatePhotometric(onset: GreyImage, apex: GreyImage, opts: PhotometricOptions = {}): PhotometricChange {
  if (onset.width !== apex.width || onset.height !== apex.height) {
    throw new RangeError(`onset is ${onset.width}x${onset.height} but apex is ${apex.width}x${apex.height}`);
  }
  const box = clipBox(onset, opts.box);
  const short = Math.min(box.x1 - box.x0, box.y1 - box.y0);
  const cell = Math.max(2, Math.round(opts.cell ?? Math.max(4, short / 32)));
  const rigid = !opts.flow && opts.rigid !== false && box.x1 - box.x0 >= 16 && box.y1 - box.y0 >= 16 ? alignRigid(onset, apex, box) : null;
  const head = rigid
    ? { dx: rigid.tx, dy: rigid.ty, rollDeg: (Math.atan2(rigid.b, 1 + rigid.a) * 180) / Math.PI, scale: Math.hypot(1 + rigid.a, rigid.b) }
    : { dx: 0, dy: 0, rollDeg: 0, scale: 1 };
  const warped = warpApex(onset, apex, box, opts.flow, rigid);
  const cells = cellMeans(onset, warped, box, cell);
  const fit = cells.n >= MIN_CELLS ? robustFit(cells) : null;
  if (!fit) {
    const base = {
      estimable: false, gain: 1, offset: 0, gainField: { min: 1, max: 1 }, flicker: { detected: false, amplitude: 0, periodRows: null },
      meanChange: 0, residual: 0, cells: cells.n, inliers: 0, head, significant: false, found: [],
    } satisfies Omit<PhotometricChange, 'sentence' | 'model'>;
    return { ...base, sentence: sentences(base), model: { box, coeffs: [...IDENTITY_COEFFS], offset: 0, rowGain: null } };
  }
  const t = fit.theta;
  const coeffs: PhotometricModel['coeffs'] = [t[0], t[1], t[2], t[3], t[4], t[5]];
  const offset = t[6];
  let gsum = 0;
  let gmin = Infinity;
  let gmax = -Infinity;
  let change = 0;
  let inliers = 0;
  for (let i = 0; i < cells.n; i++) {
    const g = gainAt(coeffs, cells.X[i], cells.Y[i]);
    gsum += g;
    gmin = Math.min(gmin, g);
    gmax = Math.max(gmax, g);
    change += Math.abs(g * cells.a[i] + offset - cells.a[i]);
    if (fit.w[i] > 0) inliers++;
  }
  const gain = gsum / cells.n;
  const meanChange = change / cells.n;
  const band = bandingOf(rowRatios(onset, warped, box, coeffs, offset));
  const significant = meanChange >= MIN_MEAN_CHANGE || band.detected;
  const found: PhotometricChange['found'] = [];
  if (significant) {
    // Gain and offset are named when each alone moves the face by at least half the threshold.
    const meanA = cells.a.subarray(0, cells.n).reduce((s, x) => s + x, 0) / cells.n;
    if (Math.abs(gain - 1) * meanA >= MIN_MEAN_CHANGE / 2) found.push(gain > 1 ? 'brighter' : 'darker');
    if (Math.abs(offset) >= MIN_MEAN_CHANGE / 2) found.push('offset');
    if (gmax - gmin >= MIN_GRADIENT) found.push('gradient');
    if (band.detected) found.push('flicker');
  }
  const base = {
    estimable: true,
    gain,
    offset,
    gainField: { min: gmin, max: gmax },
    flicker: { detected: band.detected, amplitude: band.amplitude, periodRows: band.periodRows },
    meanChange,
    residual: fit.scale,
    cells: cells.n,
    inliers,
    head,
    significant,
    found,
  };
  return { ...base, sentence: sentences(base), model: { box, coeffs, offset, rowGain: band.detected ? band.smooth : null } };
}

/**
 * The apex with the estimated change removed, so it matches the onset photometrically:
 * apex'(x, y) = (apex(x, y) - offset) / (G(x, y) B(y)), rounded and clipped to 8 bits. Whole image (the field
 * is held constant outside the face box). Returns the apex itself when the change is not significant.
 */
export function normaliseApex(apex: GreyImage, change: PhotometricChange): GreyImage {
  if (!change.significant || !change.estimable) return apex;
  const { width, height, data } = apex;
  const { box, coeffs, offset, rowGain } = change.model;
  const out = new Uint8Array(width * height);
  const Xs = new Float64Array(width);
  for (let x = 0; x < width; x++) Xs[x] = boxX(box, x);
  for (let y = 0; y < height; y++) {
    const ri = Math.max(0, Math.min(box.y1 - box.y0 - 1, y - box.y0));
    const band = rowGain && rowGain.length > 0 ? 1 + rowGain[ri] : 1;
    const Y = boxY(box, y);
    for (let x = 0; x < width; x++) {
      const g = gainAt(coeffs, Xs[x], Y) * band;
      const v = (data[y * width + x] - offset) / (g > 0.05 ? g : 0.05);
      out[y * width + x] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, data: out };
}

/** Estimate, then normalise: the change found and the apex to measure motion on. */
export function correctLighting(onset: GreyImage, apex: GreyImage, opts: PhotometricOptions = {}): { change: PhotometricChange; apex: GreyImage } {
  const change = estimatePhotometric(onset, apex, opts);
  return { change, apex: normaliseApex(apex, change) };
}

/** The change without the model arrays, for JSON reports and the panel. */
export function photometricSummary(c: PhotometricChange): Omit<PhotometricChange, 'model'> {
  const { model: _model, ...rest } = c;
  return rest;
}
