// Display gain and threshold for the MMC-Map, for the eye only: the panel re-renders the map's colours from
// the flow with brightness = gain x normalised magnitude and pixels below the threshold (px) left grey.
// At gain 1 and threshold 0 the panel shows the map PNG itself; what MELLM is sent never changes.
// Steps as the authors' (DESIGN.md section 2): grey onset + HSV(hue = angle quantised to 30 deg, S 255,
// V = min-max normalised magnitude), saturating add.
import { quantiseAngle, angleOf } from '../src/core/reasoning/regionMotion';
import type { FlowData } from './flowField';

export interface DisplayParams {
  gain: number;
  /** Pixels whose compensated magnitude is below this (px) get no colour. */
  threshold: number;
}

export const isIdentity = (p: DisplayParams) => p.gain === 1 && p.threshold === 0;

/** Grey levels of an image (OpenCV's BGR2GRAY weights), read through a canvas. */
export async function greyOf(url: string, width: number, height: number): Promise<Uint8ClampedArray> {
  const img = new Image();
  img.src = url;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(img, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const g = new Uint8ClampedArray(width * height);
  for (let i = 0; i < g.length; i++) g[i] = (9798 * rgba[4 * i] + 19235 * rgba[4 * i + 1] + 3735 * rgba[4 * i + 2] + 16384) >> 15;
  return g;
}

/** RGB of hue `deg` (multiple of 30), full saturation, value v (0..255). */
function hsv(deg: number, v: number): [number, number, number] {
  const h = deg / 60;
  const s = Math.floor(h) % 6;
  const f = h - Math.floor(h);
  const q = v * (1 - f);
  const t = v * f;
  const table: [number, number, number][] = [
    [v, t, 0],
    [q, v, 0],
    [0, v, t],
    [0, q, v],
    [t, 0, v],
    [v, 0, q],
  ];
  return table[s];
}

/** The re-rendered map as a PNG data URL. */
export function renderDisplayMap(flow: FlowData, grey: Uint8ClampedArray, head: { u: number; v: number }, p: DisplayParams): string {
  const { width, height } = flow;
  const n = width * height;
  const mag = new Float32Array(n);
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const m = Math.hypot(flow.u[i] - head.u, flow.v[i] - head.v);
    mag[i] = m;
    if (m < min) min = m;
    if (m > max) max = m;
  }
  const span = max - min > 0 ? max - min : 1;
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d')!;
  const out = ctx.createImageData(width, height);
  const d = out.data;
  for (let i = 0; i < n; i++) {
    const g = grey[i];
    let r = g;
    let gg = g;
    let b = g;
    if (mag[i] >= p.threshold && mag[i] > min) {
      const v = Math.min(255, Math.floor(((mag[i] - min) / span) * 255 * p.gain));
      const [cr, cg, cb] = hsv(quantiseAngle(angleOf(flow.u[i] - head.u, flow.v[i] - head.v)), v);
      r = Math.min(255, g + Math.round(cr));
      gg = Math.min(255, g + Math.round(cg));
      b = Math.min(255, g + Math.round(cb));
    }
    d[4 * i] = r;
    d[4 * i + 1] = gg;
    d[4 * i + 2] = b;
    d[4 * i + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
  return c.toDataURL('image/png');
}
