// From an onset/apex pair to what the built-in reasoner and the claim check need: the face on the onset
// (landmarks, regions), the MMC-Map with the nose-tip head compensation taken from that face, and the
// regional motion measured in the compensated flow, and the per-region statistics the region-text lane
// sends as text. Shared by `mellm check`, `mellm analyze` and the benchmark, so every consumer measures
// the same way.
import { performance } from 'node:perf_hooks';
import { detectFace } from '../face';
import type { FaceResult } from '../face/types';
import { loadImage, type LoadedImage } from '../image';
import { computeMmc, type MmcResult, type NoFacePolicy } from '../mmc';
import type { Device, FlowField } from '../native';
import { measureRegionMotion, type RegionMotionReport } from './regionMotion';
import { correctedRegionStats } from './lightingFlow';
import type { PhotometricChange } from './photometric';
import { measureRegionStats, type RegionStatsReport } from './regionStats';

export interface PairMotionOptions {
  onset: string | LoadedImage;
  apex?: string | LoadedImage;
  /** Use this flow (or .flo file) instead of computing TV-L1. */
  flowIn?: FlowField | string;
  device?: Device;
  threads?: number;
  signal?: AbortSignal;
  /** Also measure the region-text lane's statistics (on the lighting-corrected pair). Default false. */
  regionStats?: boolean;
  /** The map when no face is found (default 'grey': preprocess.py's plain grey onset, what MELLM is given). */
  noFace?: NoFacePolicy;
}

export interface PairMotion {
  mmc: MmcResult;
  /** null when no face was found on the onset frame (then nothing is compensated or measured). */
  face: FaceResult | null;
  motion: RegionMotionReport | null;
  /**
   * Region statistics for the region-text lane, measured on the lighting-corrected pair (lightingFlow.ts);
   * null without a face.
   */
  regionStats: RegionStatsReport | null;
  /** The photometric change onset -> apex on the face (null without a face or without an apex frame). */
  lighting: PhotometricChange | null;
  warnings: string[];
  timingsMs: { face: number; mmc: number; motion: number; total: number };
}

export const NO_FACE_WARNING = 'no face found on the onset frame: no regional motion measured (claims cannot be checked)';

export async function measurePairMotion(opts: PairMotionOptions): Promise<PairMotion> {
  const t0 = performance.now();
  const onset = typeof opts.onset === 'string' ? await loadImage(opts.onset) : opts.onset;
  // Decoded once here when the lighting is to be compared (computeMmc takes the decoded image as well).
  const apex = opts.regionStats && typeof opts.apex === 'string' && !opts.flowIn ? await loadImage(opts.apex) : opts.apex;
  const face = await detectFace(onset);
  const t1 = performance.now();
  const mmc = await computeMmc({
    onset,
    apex,
    flowIn: opts.flowIn,
    // The face found above is the nose locator, so no face takes computeMmc's no-face path (opts.noFace).
    locateNose: async () => (face ? face.nose : null),
    noFace: opts.noFace ?? 'grey',
    device: opts.device,
    threads: opts.threads,
    signal: opts.signal,
  });
  const t2 = performance.now();
  const motion = face ? measureRegionMotion(mmc.flow, face, { head: [mmc.head.u, mmc.head.v] }) : null;
  let regionStats: RegionStatsReport | null = null;
  let lighting: PhotometricChange | null = null;
  if (opts.regionStats && face && motion) {
    if (apex && typeof apex !== 'string' && !opts.flowIn) {
      const c = await correctedRegionStats({ onset, apex, face, mmc, device: opts.device, threads: opts.threads, signal: opts.signal }, motion.background);
      regionStats = c.stats;
      lighting = c.lighting;
    } else {
      regionStats = measureRegionStats(mmc.flow, face, { head: [mmc.head.u, mmc.head.v], background: motion.background });
    }
  }
  const t3 = performance.now();
  const warnings = [...mmc.warnings, ...(face ? [] : [NO_FACE_WARNING])];
  return { mmc, face, motion, regionStats, lighting, warnings, timingsMs: { face: t1 - t0, mmc: t2 - t1, motion: t3 - t2, total: t3 - t0 } };
}
