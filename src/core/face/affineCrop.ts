// A rotated square crop of an image, resampled to n x n float RGB (NHWC), as the face mesh is fed:
// MediaPipe crops the face ROI rotated so that the eye line is horizontal. Coordinates here are
// continuous (pixel i covers [i, i + 1)), which is how MediaPipe's normalised landmarks relate to the ROI.
import type { RasterImage } from './resample';
import type { Point } from './types';

/** A square region of side `side` (source pixels) centred at (cx, cy), rotated by `angle` radians. */
export interface Roi {
  cx: number;
  cy: number;
  side: number;
  angle: number;
}

/** Source continuous coordinates of crop point (u, v) in [0, n) for an n x n crop of `roi`. */
export function roiToImage(roi: Roi, n: number, u: number, v: number): Point {
  const s = roi.side / n;
  const dx = (u - n / 2) * s;
  const dy = (v - n / 2) * s;
  const c = Math.cos(roi.angle);
  const si = Math.sin(roi.angle);
  return [roi.cx + dx * c - dy * si, roi.cy + dx * si + dy * c];
}

/**
 * Samples the crop with bilinear taps, supersampled (k x k taps per output pixel, k = ceil(scale), at most 4)
 * when the crop shrinks the face, so a large face does not alias. Outside the image is black, as in MediaPipe.
 * Values are 0..1 (the mesh's input range); grey images are repeated into R, G and B.
 */
export function affineCrop(img: RasterImage, roi: Roi, n: number): Float32Array {
  const out = new Float32Array(n * n * 3);
  const { width: W, height: H, channels: ch, data } = img;
  const s = roi.side / n;
  const k = Math.min(4, Math.max(1, Math.ceil(s - 1e-9)));
  const c = Math.cos(roi.angle);
  const si = Math.sin(roi.angle);
  const rgb = [0, 0, 0];
  const sample = (x: number, y: number): void => {
    // Continuous -> index coordinates (pixel centres at integers).
    const fx = x - 0.5;
    const fy = y - 0.5;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const ax = fx - x0;
    const ay = fy - y0;
    for (let j = 0; j < 2; j++) {
      const yy = y0 + j;
      if (yy < 0 || yy >= H) continue;
      const wy = j === 0 ? 1 - ay : ay;
      for (let i = 0; i < 2; i++) {
        const xx = x0 + i;
        if (xx < 0 || xx >= W) continue;
        const w = wy * (i === 0 ? 1 - ax : ax);
        const o = (yy * W + xx) * ch;
        if (ch === 1) {
          rgb[0] += w * data[o];
          rgb[1] += w * data[o];
          rgb[2] += w * data[o];
        } else {
          rgb[0] += w * data[o];
          rgb[1] += w * data[o + 1];
          rgb[2] += w * data[o + 2];
        }
      }
    }
  };
  const norm = 1 / (255 * k * k);
  for (let v = 0; v < n; v++) {
    for (let u = 0; u < n; u++) {
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (let b = 0; b < k; b++) {
        const dy = (v + (b + 0.5) / k - n / 2) * s;
        for (let a = 0; a < k; a++) {
          const dx = (u + (a + 0.5) / k - n / 2) * s;
          sample(roi.cx + dx * c - dy * si, roi.cy + dx * si + dy * c);
        }
      }
      const o = (v * n + u) * 3;
      out[o] = rgb[0] * norm;
      out[o + 1] = rgb[1] * norm;
      out[o + 2] = rgb[2] * norm;
    }
  }
  return out;
}
