// The flow behind the map, decoded from the protocol's int16 payload, and what the panel reads off it:
// the head-compensated vector at a pixel (value under the cursor) and the magnitude range the map's
// brightness was normalised over (colour bar, display gain).
import type { FlowView } from '../src/shared/protocol';
import { angleOf, directionOfAngle, type Direction8 } from '../src/core/reasoning/regionMotion';

export interface FlowSample {
  u: number;
  v: number;
  magnitude: number;
  /** Degrees, 0 = right, 90 = down (as the map). */
  angle: number;
  /** The named direction the map's colour shows (null: no motion). */
  direction: Direction8 | null;
}

export class FlowData {
  readonly u: Float32Array;
  readonly v: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    u: Float32Array,
    v: Float32Array,
  ) {
    this.u = u;
    this.v = v;
  }

  static decode(f: FlowView): FlowData {
    const bin = atob(f.data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const view = new DataView(bytes.buffer);
    const n = f.width * f.height;
    const u = new Float32Array(n);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      u[i] = view.getInt16(4 * i, true) / f.scale;
      v[i] = view.getInt16(4 * i + 2, true) / f.scale;
    }
    return new FlowData(f.width, f.height, u, v);
  }

  /** The head-compensated flow at (x, y): the raw flow minus the head vector, as the map shows it. */
  at(x: number, y: number, head: { u: number; v: number } = { u: 0, v: 0 }): FlowSample {
    const i = y * this.width + x;
    const u = this.u[i] - head.u;
    const v = this.v[i] - head.v;
    const magnitude = Math.hypot(u, v);
    const angle = angleOf(u, v);
    return { u, v, magnitude, angle, direction: magnitude > 0 ? directionOfAngle(angle) : null };
  }

  /** Min and max of the compensated magnitude (the map's brightness is min-max normalised over it). */
  range(head: { u: number; v: number }): { min: number; max: number } {
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < this.u.length; i++) {
      const m = Math.hypot(this.u[i] - head.u, this.v[i] - head.v);
      if (m < min) min = m;
      if (m > max) max = m;
    }
    return { min: Number.isFinite(min) ? min : 0, max };
  }

  /** The mean flow over the nose window at (x, y), clipped to the image (the authors' head vector). */
  windowMean(x: number, y: number, size: number): { u: number; v: number } {
    const half = Math.floor(size / 2);
    const nx = Math.trunc(x);
    const ny = Math.trunc(y);
    let su = 0;
    let sv = 0;
    let n = 0;
    for (let yy = Math.max(0, ny - half); yy <= Math.min(this.height - 1, ny + half); yy++)
      for (let xx = Math.max(0, nx - half); xx <= Math.min(this.width - 1, nx + half); xx++) {
        su += this.u[yy * this.width + xx];
        sv += this.v[yy * this.width + xx];
        n++;
      }
    return n ? { u: su / n, v: sv / n } : { u: 0, v: 0 };
  }
}
