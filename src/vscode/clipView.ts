// What the panel is sent for a clip: the ClipView (images as data: URLs, landmarks, regions, the measured
// regional motion) and the flow behind the map (int16, for the value under the cursor and the display
// gain). No 'vscode' import.
import { REGION_NAMES } from '../core/face/types';
import type { FlowField } from '../core/native';
import type { RegionMotionReport } from '../core/reasoning/regionMotion';
import type { ClipView, FlowView, RegionStat } from '../shared/protocol';
import { NO_FACE_BANNER, dataUrl, type ClipData } from './clipPipeline';

/** The authors' head-motion window at the nose (preprocess.py: 11 x 11). */
export const NOSE_WINDOW = 11;

export function regionStats(m: RegionMotionReport): NonNullable<ClipView['motion']> {
  const regions: RegionStat[] = REGION_NAMES.map((name) => {
    const r = m.regions[name];
    return { name, u: r.u, v: r.v, px: r.magnitude, direction: r.direction, ratio: r.evidence.z, intensity: r.intensity, pixels: r.pixels, confidence: r.evidence.confidence };
  });
  return { background: m.background, interOcular: m.interOcular, regions };
}

export type ClipBase = Omit<ClipView, 'onset' | 'apex' | 'width' | 'height' | 'warnings'> & { warnings?: string[] };

export function buildClipView(base: ClipBase, data: ClipData): ClipView {
  return {
    ...base,
    width: data.width,
    height: data.height,
    onset: dataUrl(data.onset.mime, data.onset.bytes),
    apex: dataUrl(data.apex.mime, data.apex.bytes),
    map: dataUrl('image/png', data.mapPng),
    flowOnly: dataUrl('image/png', data.flowOnlyPng),
    head: data.head,
    nose: data.nose ?? undefined,
    noseWindow: NOSE_WINDOW,
    ...(data.noseSensitivity
      ? { noseSensitivity: { share: data.noseSensitivity.mean, shifts: data.noseSensitivity.shifts.length, max: data.noseSensitivity.max } }
      : {}),
    ...(data.noFace && !data.nose ? { banner: NO_FACE_BANNER } : {}),
    ...(data.motion?.lighting?.significant ? { lighting: data.motion.lighting.sentence } : {}),
    landmarks: data.face?.points,
    regions: data.face ? Object.entries(data.face.regions).map(([name, points]) => ({ name, points })) : undefined,
    motion: data.motion ? regionStats(data.motion) : undefined,
    warnings: [...(base.warnings ?? []), ...data.warnings],
    mapInfo: { cached: data.cached, ms: data.ms },
  };
}

/** Stored value = round(px * FLOW_SCALE): 1/64 px steps, +-512 px range. */
export const FLOW_SCALE = 64;

/** The flow as the protocol's int16 payload (little-endian, u and v interleaved, clamped to int16). */
export function flowView(flow: Pick<FlowField, 'width' | 'height' | 'u' | 'v'>): FlowView {
  const n = flow.width * flow.height;
  const buf = Buffer.alloc(n * 4);
  const q = (x: number) => Math.max(-32768, Math.min(32767, Math.round(x * FLOW_SCALE)));
  for (let i = 0; i < n; i++) {
    buf.writeInt16LE(q(flow.u[i]), 4 * i);
    buf.writeInt16LE(q(flow.v[i]), 4 * i + 2);
  }
  return { width: flow.width, height: flow.height, scale: FLOW_SCALE, data: buf.toString('base64') };
}
