// The flow that motion is MEASURED on: the MMC flow when the lighting did not change between onset and
// apex, else TV-L1 again on the onset and the lighting-corrected apex (photometric.ts), with the head
// motion taken at the same nose window. The MMC-Map itself stays the authors' map on the raw frames.
// TV-L1 assumes constant brightness, so without this a 5% exposure step reads as motion along every edge
// of the face and the region text would report it as such.
import type { FaceResult } from '../face/types';
import { toGrey, type LoadedImage } from '../image';
import { computeMmc, type MmcResult } from '../mmc';
import type { Device, FlowField } from '../native';
import { estimatePhotometric, normaliseApex, type PhotometricChange } from './photometric';
import { measureRegionMotion } from './regionMotion';
import { measureRegionStats, type RegionStatsReport } from './regionStats';

export interface MeasuredFlow {
  flow: FlowField;
  head: [number, number];
  lighting: PhotometricChange;
  /** True when the flow was recomputed on the lighting-corrected apex. */
  corrected: boolean;
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
  const lighting = estimatePhotometric(onset, toGrey(o.apex), { box: o.face.box });
  if (!lighting.significant || !lighting.estimable) {
    return { flow: o.mmc.flow, head: [o.mmc.head.u, o.mmc.head.v], lighting, corrected: false };
  }
  const apex = normaliseApex(toGrey(o.apex), lighting);
  const again = await computeMmc({
    onset: { ...onset, channels: 1 },
    apex: { ...apex, channels: 1 },
    nose: o.mmc.nose,
    device: o.device,
    threads: o.threads,
    signal: o.signal,
  });
  return { flow: again.flow, head: [again.head.u, again.head.v], lighting, corrected: true };
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
export async function correctedRegionStats(o: LightingFlowOptions, rawBackground: number): Promise<{ stats: RegionStatsReport; lighting: PhotometricChange }> {
  const m = await lightingCorrectedFlow(o);
  const background = m.corrected ? measureRegionMotion(m.flow, o.face, { head: m.head }).background : rawBackground;
  const clause = m.corrected ? { en: lightingClause(m.lighting, 'en'), zh: lightingClause(m.lighting, 'zh') } : null;
  return { stats: measureRegionStats(m.flow, o.face, { head: m.head, background, lighting: clause }), lighting: m.lighting };
}
