// Region statistics as the authors' newer text-based MELLM computes them (GitHub zyzhangUstc/MELLM,
// commit 8dd60cb, MELLM_pipeline/flow_feature.py get_prompt and roi_combine.py describe_flow_direction),
// measured here over the project's own FACS regions (src/core/face/regions.ts) in the head-compensated
// flow. Facts taken from that code (the code itself is not reused):
//  - per region, over EVERY pixel of the region: mean and maximum of the per-pixel flow magnitude;
//  - the direction is the angle of the summed flow vectors (magnitude-weighted), in mathematical
//    orientation (counter-clockwise from image right, up = 90 degrees), named by the nearest of eight
//    45-degree octant centres (ties go to the first in the order right, up-right, up, ... down-right);
//  - it is given only when the directions are concentrated: concentration R = |sum of vectors| / sum of
//    magnitudes, in [0, 1], must reach 0.15; a mean magnitude below 1e-4 means no significant motion;
//  - the printed angle is rounded to whole degrees (half to even, as Python's round).
// What differs, on purpose: the authors use 29 square boxes on 98 OpenFace landmarks and a learned
// expression flow (MEFlowNet); we use the 20 FACS polygons on 68 landmarks and TV-L1 with the head motion
// removed at the nose tip (MMC-Map step 4), so the text exists for every clip the panel can open.
import type { FlowField } from '../native';
import { REGION_NAMES, type FaceResult, type RegionName } from '../face/types';
import { rasterisePolygon, type Direction8 } from './regionMotion';

/** Below this mean magnitude (px) a region has "no significant motion" (describe_flow_direction's default). */
export const MIN_MEAN_MAGNITUDE = 1e-4;
/** Below this concentration the directions are "not concentrated": no direction is stated. */
export const MIN_CONCENTRATION = 0.15;

/** Octant names in the authors' order: centre k * 45 degrees, counter-clockwise from right (up = 90). */
export const OCTANTS: readonly Direction8[] = ['right', 'up-right', 'up', 'up-left', 'left', 'down-left', 'down', 'down-right'];

/** Why a region has no stated direction. */
export type DirectionStatus = 'concentrated' | 'dispersed' | 'still';

export interface RegionStat {
  region: RegionName;
  /** Region pixels inside the image. */
  pixels: number;
  /** Mean of the per-pixel magnitudes, px. */
  meanMagnitude: number;
  /** Largest per-pixel magnitude, px. */
  maxMagnitude: number;
  /** Angle of the summed vectors, degrees in [0, 360), counter-clockwise from image right, up = 90. */
  angle: number;
  /** |sum of vectors| / sum of magnitudes, 0..1. */
  concentration: number;
  /** The octant of `angle` when status is 'concentrated', else null. */
  direction: Direction8 | null;
  status: DirectionStatus;
}

export interface RegionStatsReport {
  width: number;
  height: number;
  interOcular: number;
  /** Head vector subtracted from the flow (px, image axes). */
  head: [number, number];
  /** The face's own motion level outside the regions (px), when the caller measured it. */
  background: number | null;
  /** The lighting change removed before the flow was measured (lightingFlow.ts); null when none was. */
  lighting: RegionLighting | null;
  /** Regions with at least one pixel inside the image, in REGION_NAMES order. */
  regions: RegionStat[];
}

/** What the region text says about a corrected lighting change (photometric.ts's words). */
export interface RegionLighting {
  en: string;
  zh: string;
}

export interface RegionStatsOptions {
  head?: readonly [number, number];
  lighting?: RegionLighting | null;
  /** Median compensated magnitude over the face outside the regions (regionMotion's `background`). */
  background?: number;
}

/** Nearest octant by circular distance; ties to the lower index, as numpy's argmin. */
export function octantOf(angle: number): Direction8 {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < 8; k++) {
    const d = Math.abs((((angle - k * 45 + 180) % 360) + 360) % 360 - 180);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return OCTANTS[best];
}

/** Round half to even to an integer (Python's round), then into [0, 360). */
export function roundDegrees(angle: number): number {
  const f = Math.floor(angle);
  const frac = angle - f;
  const r = frac > 0.5 || (frac === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return ((r % 360) + 360) % 360;
}

/** Statistics of every region of `face` in `flow` minus the head vector. Linear in the region pixels. */
export function measureRegionStats(flow: FlowField, face: FaceResult, opts: RegionStatsOptions = {}): RegionStatsReport {
  const { width, height, u, v } = flow;
  if (u.length < width * height || v.length < width * height) throw new RangeError(`flow arrays shorter than ${width}x${height}`);
  const [hu, hv] = opts.head ?? [0, 0];
  let idx = new Int32Array(1024);
  const regions: RegionStat[] = [];
  for (const name of REGION_NAMES) {
    const poly = face.regions[name];
    if (!poly || poly.length < 3) continue;
    // rasterisePolygon stops at the buffer's end: a full buffer may be cut, so grow it and fill again.
    let n = rasterisePolygon(poly, width, height, idx);
    while (n === idx.length && idx.length < width * height) {
      idx = new Int32Array(Math.min(width * height, idx.length * 4));
      n = rasterisePolygon(poly, width, height, idx);
    }
    if (n === 0) continue;
    let sumMag = 0;
    let maxMag = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const p = idx[i];
      const du = u[p] - hu;
      const dv = v[p] - hv;
      const m = Math.sqrt(du * du + dv * dv);
      sumMag += m;
      if (m > maxMag) maxMag = m;
      sx += du;
      sy -= dv; // image y points down; the angle is counted with up positive
    }
    const meanMagnitude = sumMag / n;
    const resultant = Math.hypot(sx, sy);
    const concentration = sumMag > 0 ? resultant / sumMag : 0;
    let angle = (Math.atan2(sy, sx) * 180) / Math.PI;
    if (angle < 0) angle += 360;
    const status: DirectionStatus = meanMagnitude < MIN_MEAN_MAGNITUDE ? 'still' : concentration < MIN_CONCENTRATION ? 'dispersed' : 'concentrated';
    regions.push({
      region: name,
      pixels: n,
      meanMagnitude,
      maxMagnitude: maxMag,
      angle,
      concentration,
      direction: status === 'concentrated' ? octantOf(angle) : null,
      status,
    });
  }
  return {
    width,
    height,
    interOcular: face.interOcular,
    head: [hu, hv],
    background: opts.background ?? null,
    lighting: opts.lighting ?? null,
    regions,
  };
}
