// The sample clip's warp: apex(x, y) = onset(x - d(x, y)) with bilinear sampling, d = a global shift plus
// Gaussian bumps (scripts/sample/make-sample.ts writes media/sample with it; the panel tests and screenshots
// make frame sequences of it at other strengths).

export interface WarpBump {
  x: number;
  y: number;
  sigma: number;
  du: number;
  dv: number;
}

/** RGB `src` (W x H) warped by shift + bumps, all scaled by `strength`. */
export function warpRgb(src: Uint8Array, W: number, H: number, shift: { du: number; dv: number }, bumps: readonly WarpBump[], strength = 1): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let du = shift.du * strength;
      let dv = shift.dv * strength;
      for (const b of bumps) {
        const g = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.sigma * b.sigma));
        du += b.du * g * strength;
        dv += b.dv * g * strength;
      }
      const sx = Math.min(W - 1.001, Math.max(0, x - du));
      const sy = Math.min(H - 1.001, Math.max(0, y - dv));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => src[(yy * W + xx) * 3 + c];
        out[(y * W + x) * 3 + c] = Math.round((1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1)));
      }
    }
  }
  return out;
}
