// The flow that motion is MEASURED on: the MMC flow when the lighting did not change between onset and
// apex, else TV-L1 again on the onset and the lighting-corrected apex (photometric.ts), with the head
// motion taken at the same nose window. The MMC-Map itself stays the authors' map on the raw frames.
// TV-L1 assumes constant brightness, so without this a 5% exposure step reads as motion along every edge
// of the face and the region text would report it as such.
import type { FaceResult } from '../face/types';
import { toGrey, type LoadedImage } from '../image';
import { computeMmc, type MmcResult } from '../mmc';
import type { Device, FlowField, GreyImage } from '../native';
import { estimatePhotometric, normaliseApex, type PhotometricChange } from './photometric';
import { measureRegionMotion } from './regionMotion';
import { measureRegionStats, type RegionStatsReport } from './regionStats';

export interface MeasuredFlow {
  flow: FlowField;
  head: [number, number];
  lighting: PhotometricChange;
  /** True when the flow was recomputed on the lighting-corrected apex. */
  corrected: boolean;
  /** The grey frames the flow was computed on (the apex corrected when `corrected`). */
  onset: GreyImage;
  apex: GreyImage;
}

/**
 * Bounding box of the face box and all its region polygons: where the lighting is estimated (the forehead
 * region reaches above the detector's box, and banding left uncorrected there reads as forehead motion).
 */
export function faceExtent(face: FaceResult): { x: number; y: number; width: number; height: number } {
  let x0 = face.box.x;
  let y0 = face.box.y;
  let x1 = face.box.x + face.box.width;
  let y1 = face.box.y + face.box.height;
  for (const poly of Object.values(face.regions)) {
    for (const [x, y] of poly) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export interface LightingFlowOptions {
  onset: LoadedImage;
  apex: LoadedImage;
  face: FaceResult;
  /** The MMC result of the raw pair (its flow is reused when the lighting did not change). */
  mmc: MmcResult;
  device?: Device;
  threads?: number;
  signal?: AbortSignal;
}

export async function lightingCorrectedFlow(o: LightingFlowOptions): Promise<MeasuredFlow> {
  const onset = toGrey(o.onset);
  const raw = toGrey(o.apex);
  const lighting = estimatePhotometric(onset, raw, { box: faceExtent(o.face) });
  if (!lighting.significant || !lighting.estimable) {
    return { flow: o.mmc.flow, head: [o.mmc.head.u, o.mmc.head.v], lighting, corrected: false, onset, apex: raw };
  }
  const apex = normaliseApex(raw, lighting);
  const again = await computeMmc({
    onset: { ...onset, channels: 1 },
    apex: { ...apex, channels: 1 },
    nose: o.mmc.nose,
    device: o.device,
    threads: o.threads,
    signal: o.signal,
  });
  return { flow: again.flow, head: [again.head.u, again.head.v], lighting, corrected: true, onset, apex };
}

/** The photometric sentence's first clause (what changed), for texts that are not about the map. */
export function lightingClause(c: PhotometricChange, lang: 'zh' | 'en'): string {
  const s = c.sentence[lang];
  const end = lang === 'zh' ? s.indexOf('。') : s.indexOf('. ');
  return end < 0 ? s : s.slice(0, end + 1);
}

/**
 * The region-text lane's statistics on the lighting-corrected pair. `rawBackground` is the background level
 * already measured on the MMC flow (reused when nothing was corrected).
 */
export async function correctedRegionStats(o: LightingFlowOptions, rawBackground: number, measured?: MeasuredFlow): Promise<{ stats: RegionStatsReport; lighting: PhotometricChange }> {
  const m = measured ?? (await lightingCorrectedFlow(o));
  const background = m.corrected ? measureRegionMotion(m.flow, o.face, { head: m.head }).background : rawBackground;
  const clause = m.corrected ? { en: lightingClause(m.lighting, 'en'), zh: lightingClause(m.lighting, 'zh') } : null;
  return { stats: measureRegionStats(m.flow, o.face, { head: m.head, background, lighting: clause }), lighting: m.lighting };
}
