// The reasoner-accuracy benchmark's camera: what happens to a pair of frames besides the expression.
// Head motion (shift, roll, scale of the whole frame), a lighting change (gain, offset, a linear gradient
// in any direction, rolling-shutter flicker bands), sensor noise and JPEG, drawn from fixed ranges.
// Independent of the product's photometric model (photometric.ts): these are the physical effects, applied
// to the colour frames before the product sees them.
import sharp from 'sharp';
import type { LoadedImage } from '../../src/core/image';
import { gaussian, type Rng } from '../../test/support/rng';
import type { PlacedBump } from './_facsActions';

export interface CameraParams {
  head: { tx: number; ty: number; rollDeg: number; scale: number };
  light: { gain: number; offset: number; gradient: number; gradientDeg: number; flicker: { amplitude: number; period: number; phase: number } | null };
  noise: { onset: number; apex: number };
  jpeg: number;
}

const U = (r: Rng, a: number, b: number) => a + (b - a) * r();

/**
 * Ranges (all uniform): head shift +-2 px, roll +-0.8 deg, scale +-1% (70% of pairs; the others hold
 * still); gain 0.93-1.07; offset +-6 grey levels; gradient 0-8% across the frame in a random direction;
 * flicker bands in 30% of pairs (1-3%, period 12-60 rows); noise sigma 0.5-2.5 levels per frame;
 * JPEG quality 70-95.
 */
export function drawCamera(r: Rng): CameraParams {
  const moves = r() < 0.7;
  return {
    head: moves ? { tx: U(r, -2, 2), ty: U(r, -2, 2), rollDeg: U(r, -0.8, 0.8), scale: 1 + U(r, -0.01, 0.01) } : { tx: 0, ty: 0, rollDeg: 0, scale: 1 },
    light: {
      gain: U(r, 0.93, 1.07),
      offset: U(r, -6, 6),
      gradient: U(r, 0, 0.08),
      gradientDeg: U(r, 0, 360),
      flicker: r() < 0.3 ? { amplitude: U(r, 0.01, 0.03), period: U(r, 12, 60), phase: U(r, 0, 2 * Math.PI) } : null,
    },
    noise: { onset: U(r, 0.5, 2.5), apex: U(r, 0.5, 2.5) },
    jpeg: Math.round(U(r, 70, 95)),
  };
}

function sampleRgb(img: LoadedImage, x: number, y: number, out: Float64Array): void {
  const { width: w, height: h, data } = img;
  const cx = Math.min(Math.max(x, 0), w - 1.001);
  const cy = Math.min(Math.max(y, 0), h - 1.001);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  for (let c = 0; c < 3; c++) {
    const a = data[(y0 * w + x0) * 3 + c];
    const b = data[(y0 * w + x1) * 3 + c];
    const d = data[(y1 * w + x0) * 3 + c];
    const e = data[(y1 * w + x1) * 3 + c];
    out[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
  }
}

/**
 * The apex: the onset moved by the expression field (apex(q) = onset(q - d(q)), backward bilinear) and the
 * head motion (about the frame centre), then lit and noised. Float until the end, rounded once.
 */
export function renderApex(onset: LoadedImage, bumps: readonly PlacedBump[], cam: CameraParams, r: Rng): LoadedImage {
  const { width: w, height: h } = onset;
  const out = new Uint8Array(w * h * 3);
  const cx = w / 2;
  const cy = h / 2;
  const th = (cam.head.rollDeg * Math.PI) / 180;
  const cs = Math.cos(th) / cam.head.scale;
  const sn = Math.sin(th) / cam.head.scale;
  const gdx = Math.cos((cam.light.gradientDeg * Math.PI) / 180);
  const gdy = Math.sin((cam.light.gradientDeg * Math.PI) / 180);
  const diag = Math.hypot(w, h);
  const px = new Float64Array(3);
  const inv = bumps.map((b) => 1 / (2 * b.sigma * b.sigma));
  for (let y = 0; y < h; y++) {
    const flick = cam.light.flicker ? 1 + cam.light.flicker.amplitude * Math.sin((2 * Math.PI * y) / cam.light.flicker.period + cam.light.flicker.phase) : 1;
    for (let x = 0; x < w; x++) {
      // Undo the head motion: q' = R^-1 (q - c - t) + c.
      const qx = x - cx - cam.head.tx;
      const qy = y - cy - cam.head.ty;
      const ux = cx + cs * qx + sn * qy;
      const uy = cy - sn * qx + cs * qy;
      let du = 0;
      let dv = 0;
      for (let i = 0; i < bumps.length; i++) {
        const b = bumps[i];
        const g = Math.exp(-((ux - b.cx) ** 2 + (uy - b.cy) ** 2) * inv[i]);
        du += g * b.du;
        dv += g * b.dv;
      }
      sampleRgb(onset, ux - du, uy - dv, px);
      // Gradient: 0 at the frame centre, +-gradient/2 at the ends of the diagonal along its direction.
      const grad = 1 + (cam.light.gradient * ((x - cx) * gdx + (y - cy) * gdy)) / diag;
      const gain = cam.light.gain * grad * flick;
      for (let c = 0; c < 3; c++) {
        const v = px[c] * gain + cam.light.offset + cam.noise.apex * gaussian(r);
        out[(y * w + x) * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  }
  return { width: w, height: h, channels: 3, data: out };
}

/** The onset as the camera records it: the photo plus sensor noise. */
export function renderOnset(photo: LoadedImage, cam: CameraParams, r: Rng): LoadedImage {
  const out = Uint8Array.from(photo.data, (v) => {
    const x = v + cam.noise.onset * gaussian(r);
    return x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
  });
  return { ...photo, data: out };
}

/** JPEG round trip at `quality` (both frames of a pair are stored as JPEG, as most ME datasets are). */
export async function jpegRoundTrip(img: LoadedImage, quality: number): Promise<LoadedImage> {
  const buf = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: img.channels } }).jpeg({ quality }).toBuffer();
  const { data, info } = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels === 1 ? 1 : 3, data: new Uint8Array(data) };
}
