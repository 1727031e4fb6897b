// From an onset/apex pair to what the built-in reasoner and the claim check need: the face on the onset
// (landmarks, regions), the MMC-Map with the nose-tip head compensation taken from that face (the authors'
// map, on the raw frames), the regional motion and the per-region statistics the region-text lane sends as
// text. Motion is measured apart from the map: on the apex corrected for the lighting change
// (lightingFlow.ts, photometric.ts), with the face's rigid motion fitted to the flow and removed, against
// the clip's own noise floor (a backward flow for forward-backward consistency, the warping residual).
// Shared by `mellm check`, `mellm analyze`, the benchmark and the panel, so every consumer measures the
// same way.
import { performance } from 'node:perf_hooks';
import { detectFace } from '../face';
import type { FaceResult } from '../face/types';
import { loadImage, type LoadedImage } from '../image';
import { computeMmc, type MmcResult, type NoFacePolicy } from '../mmc';
import { computeFlow, type Device, type FlowField } from '../native';
import { correctedRegionStats, lightingCorrectedFlow, type MeasuredFlow } from './lightingFlow';
import { photometricSummary, type PhotometricChange } from './photometric';
import { measureRegionMotion, type RegionMotionReport } from './regionMotion';
import { measureRegionStats, type RegionStatsReport } from './regionStats';
import { fitRigidToFlow } from './rigidAlign';
import { trackLipCorners } from './cornerTrack';

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
   * null without a face or when not asked for.
   */
  regionStats: RegionStatsReport | null;
  /** The photometric change onset -> apex on the face (null without a face or without an apex frame). */
  lighting: PhotometricChange | null;
  warnings: string[];
  timingsMs: { face: number; mmc: number; motion: number; total: number };
}

export const NO_FACE_WARNING = 'no face found on the onset frame: no regional motion measured (claims cannot be checked)';

function boxOf(face: FaceResult, flow: FlowField): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.max(0, Math.floor(face.box.x)),
    y0: Math.max(0, Math.floor(face.box.y)),
    x1: Math.min(flow.width, Math.ceil(face.box.x + face.box.width)),
    y1: Math.min(flow.height, Math.ceil(face.box.y + face.box.height)),
  };
}

/**
 * Regional motion for the reasoner and the claim check on the lighting-corrected flow `m`: the backward
 * flow of the same frames for the forward-backward check, the rigid face motion fitted and removed, the
 * noise floor from the clip. The report carries the lighting found.
 */
export async function measureMotion(face: FaceResult, m: MeasuredFlow, run: { device?: Device; threads?: number; signal?: AbortSignal } = {}): Promise<RegionMotionReport> {
  const backward = await computeFlow(m.apex, m.onset, {}, run);
  const rigid = fitRigidToFlow(m.flow, boxOf(face, m.flow));
  const report = measureRegionMotion(m.flow, face, { head: m.head, rigid, evidence: { backward, onset: m.onset, apex: m.apex } });
  report.lighting = photometricSummary(m.lighting);
  report.corners = trackLipCorners(face.points, face.interOcular, m.onset, m.apex, rigid);
  return report;
}

/** Regional motion from a flow alone (no frames): the floor comes from the background only. */
export function measureFlowOnly(face: FaceResult, flow: FlowField, head: [number, number]): RegionMotionReport {
  return measureRegionMotion(flow, face, { head, rigid: fitRigidToFlow(flow, boxOf(face, flow)) });
}

export async function measurePairMotion(opts: PairMotionOptions): Promise<PairMotion> {
  const t0 = performance.now();
  const onset = typeof opts.onset === 'string' ? await loadImage(opts.onset) : opts.onset;
  // Decoded once here: the lighting is compared on it (computeMmc takes the decoded image as well).
  const apex = typeof opts.apex === 'string' && !opts.flowIn ? await loadImage(opts.apex) : opts.apex;
  const face = await detectFace(onset);
  const t1 = performance.now();
  const mmc = await computeMmc({
    onset,
    apex: opts.flowIn ? undefined : apex,
    flowIn: opts.flowIn,
    // The face found above is the nose locator, so no face takes computeMmc's no-face path (opts.noFace).
    locateNose: async () => (face ? face.nose : null),
    noFace: opts.noFace ?? 'grey',
    device: opts.device,
    threads: opts.threads,
    signal: opts.signal,
  });
  const t2 = performance.now();
  const run = { device: opts.device, threads: opts.threads, signal: opts.signal };
  const head: [number, number] = [mmc.head.u, mmc.head.v];
  let motion: RegionMotionReport | null = null;
  let regionStats: RegionStatsReport | null = null;
  let lighting: PhotometricChange | null = null;
  if (face) {
    if (apex && typeof apex !== 'string' && !opts.flowIn) {
      const o = { onset, apex, face, mmc, ...run };
      const measured = await lightingCorrectedFlow(o);
      lighting = measured.lighting;
      motion = await measureMotion(face, measured, run);
      if (opts.regionStats) regionStats = (await correctedRegionStats(o, measureRegionMotion(mmc.flow, face, { head }).background, measured)).stats;
    } else {
      motion = measureFlowOnly(face, mmc.flow, head);
      if (opts.regionStats) regionStats = measureRegionStats(mmc.flow, face, { head, background: measureRegionMotion(mmc.flow, face, { head }).background });
    }
  }
  const t3 = performance.now();
  const warnings = [...mmc.warnings, ...(face ? [] : [NO_FACE_WARNING])];
  return { mmc, face, motion, regionStats, lighting, warnings, timingsMs: { face: t1 - t0, mmc: t2 - t1, motion: t3 - t2, total: t3 - t0 } };
}
