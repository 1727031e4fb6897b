// The head-motion window of preprocess.py (authors' repo zyzhangUstc/mellmv1-base-on-Qwen2.5vl-7B-,
// commit b7daa0f151c7ceac313fb3874ec43d9a82ca1b97, image_preprocess): the nose pixel is int(x), int(y)
// (truncation toward zero), the window x in [nx-5, nx+5], y in [ny-5, ny+5] clipped to the image, and an
// empty clipped window (nose far outside) means "no head motion" there. Also how much the map depends on
// that pixel: the share of map pixels that change when the window moves by one pixel.
import type { FlowField, GreyImage } from './native';

export interface NosePoint {
  x: number;
  y: number;
}

/** Inclusive pixel bounds of the clipped window. */
export interface NoseWindow {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Python's int() on a float: toward zero (int(-0.7) == 0), never -0. */
export function nosePixel(p: NosePoint): NosePoint {
  return { x: Math.trunc(p.x) + 0, y: Math.trunc(p.y) + 0 };
}

/**
 * The window preprocess.py averages over, for a nose PIXEL: x1 = max(nx - r, 0), x2 = min(nx + r + 1, W)
 * (exclusive), same for y; null when x2 <= x1 or y2 <= y1 (the authors then subtract nothing).
 */
export function noseWindow(pixel: NosePoint, width: number, height: number, side = 11): NoseWindow | null {
  const r = Math.floor(side / 2);
  const x0 = Math.max(pixel.x - r, 0);
  const x2 = Math.min(pixel.x + r + 1, width);
  const y0 = Math.max(pixel.y - r, 0);
  const y2 = Math.min(pixel.y + r + 1, height);
  if (x2 <= x0 || y2 <= y0) return null;
  return { x0, y0, x1: x2 - 1, y1: y2 - 1 };
}

export interface NoseShift {
  dx: number;
  dy: number;
  /** Share of map pixels (0..1) whose RGB differs from the map at the nose pixel. */
  changed: number;
}

/** How much the map depends on the nose pixel: the four one-pixel moves of the window. */
export interface NoseSensitivity {
  /** The nose pixel the shifts are taken from. */
  pixel: NosePoint;
  shifts: NoseShift[];
  /** Mean and largest share over the four shifts. */
  mean: number;
  max: number;
}

export const NOSE_SHIFTS: readonly { dx: number; dy: number }[] = Object.freeze([
  { dx: -1, dy: 0 },
  { dx: 1, dy: 0 },
  { dx: 0, dy: -1 },
  { dx: 0, dy: 1 },
]);

/** Share of pixels whose three bytes differ between two RGB buffers of the same size. */
export function changedShare(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length % 3 !== 0) throw new RangeError(`RGB buffers of ${a.length} and ${b.length} bytes cannot be compared`);
  const n = a.length / 3;
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
  return n === 0 ? 0 : changed / n;
}

/** Renders a map (RGB bytes) with the window at a nose pixel; mmc.ts passes the native renderer. */
export type RenderAtPixel = (pixel: NosePoint) => Promise<Uint8Array>;

/**
 * The share of pixels that change when the nose pixel moves by one pixel left, right, up and down,
 * against `base` (the map at `pixel`). Four extra renders, each a few milliseconds at dataset sizes.
 */
export async function noseSensitivity(pixel: NosePoint, base: Uint8Array, render: RenderAtPixel): Promise<NoseSensitivity> {
  const shifts: NoseShift[] = [];
  for (const s of NOSE_SHIFTS) {
    const rgb = await render({ x: pixel.x + s.dx, y: pixel.y + s.dy });
    shifts.push({ dx: s.dx, dy: s.dy, changed: changedShare(base, rgb) });
  }
  const mean = shifts.reduce((a, s) => a + s.changed, 0) / shifts.length;
  const max = Math.max(...shifts.map((s) => s.changed));
  return { pixel: { ...pixel }, shifts, mean, max };
}

/** The inputs a re-render at another nose point needs (the panel keeps them per clip). */
export interface RenderInputs {
  grey: GreyImage;
  flow: FlowField;
}
